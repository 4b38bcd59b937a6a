"""The law each grievance category concerns, and the law the union acts on: the one table of them.

Article numbers are those of the texts in force: 《工会法》 as amended 2021-12-24 (its 交涉 article is
第二十三条 since that amendment, 第二十二条 before it), 《劳动合同法》 2012, 《劳动法》 2018,
《社会保险法》 2018, 《安全生产法》 2021, 《工伤保险条例》 2010, 《保障农民工工资支付条例》 2019,
《工资支付暂行规定》 1994 (劳部发〔1994〕489号). Change them here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.errors import Invalid

LABOUR_CONTRACT_LAW = "《中华人民共和国劳动合同法》"
LABOUR_LAW = "《中华人民共和国劳动法》"
TRADE_UNION_LAW = "《中华人民共和国工会法》"
SOCIAL_INSURANCE_LAW = "《中华人民共和国社会保险法》"
WORK_SAFETY_LAW = "《中华人民共和国安全生产法》"
ARBITRATION_LAW = "《中华人民共和国劳动争议调解仲裁法》"
SUPERVISION_RULES = "《工会劳动法律监督办法》"

# What entitles the union to supervise the employer and to write to it and to the departments.
UNION_BASIS: tuple[str, ...] = (
    f"{TRADE_UNION_LAW}第二十二条",
    f"{TRADE_UNION_LAW}第二十三条",
    f"{LABOUR_LAW}第八十八条",
    f"{LABOUR_CONTRACT_LAW}第七十八条",
    SUPERVISION_RULES,
)


@dataclass(frozen=True)
class Category:
    """A kind of grievance: its formal name, the law it breaches and what the union asks of the employer."""

    code: str
    label: str  # as a document names it: 拖欠劳动报酬
    laws: tuple[str, ...]
    asks: tuple[str, ...]  # of the employer, in an 意见书, when the official wrote none


# The codes are those of models.grievances.CATEGORIES; the labels here are the documents' formal wording.
CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category(
            "unpaid_wages",
            "拖欠职工劳动报酬",
            (
                f"{LABOUR_LAW}第五十条",
                f"{LABOUR_CONTRACT_LAW}第三十条",
                "《保障农民工工资支付条例》第三条",
            ),
            (
                "立即足额支付拖欠的职工劳动报酬",
                "按照约定的工资支付周期和日期按月足额支付工资，建立书面工资支付台账，杜绝再次拖欠",
            ),
        ),
        Category(
            "forced_resignation",
            "迫使职工辞职、违法解除劳动合同且未依法支付经济补偿",
            (
                f"{LABOUR_CONTRACT_LAW}第四十三条",
                f"{LABOUR_CONTRACT_LAW}第四十六条",
                f"{LABOUR_CONTRACT_LAW}第四十七条",
                f"{LABOUR_CONTRACT_LAW}第八十七条",
            ),
            (
                "停止以任何方式要求或者变相要求职工“自愿辞职”",
                "与职工平等协商；解除劳动合同的，按照职工在本单位的工作年限依法支付经济补偿，违法解除的依法支付赔偿金",
                "单方解除劳动合同前，事先将理由通知工会",
            ),
        ),
        Category(
            "no_contract",
            "未与职工订立书面劳动合同",
            (f"{LABOUR_CONTRACT_LAW}第十条", f"{LABOUR_CONTRACT_LAW}第八十二条"),
            (
                "立即与职工订立书面劳动合同",
                "依法向职工支付未订立书面劳动合同期间的二倍工资",
            ),
        ),
        Category(
            "social_insurance",
            "未依法为职工参加社会保险、缴纳社会保险费",
            (
                f"{SOCIAL_INSURANCE_LAW}第五十八条",
                f"{SOCIAL_INSURANCE_LAW}第六十条",
                f"{SOCIAL_INSURANCE_LAW}第八十六条",
            ),
            (
                "依法为职工办理社会保险登记",
                "足额补缴欠缴的社会保险费，并按月将缴费明细告知职工本人",
            ),
        ),
        Category(
            "work_injury",
            "职工受到事故伤害后未依法申请工伤认定、落实工伤保险待遇",
            ("《工伤保险条例》第二条", "《工伤保险条例》第十七条", "《工伤保险条例》第六十二条"),
            (
                "及时救治受伤职工，并自事故伤害发生之日起30日内向社会保险行政部门提出工伤认定申请",
                "依法参加工伤保险，落实职工的工伤保险待遇",
            ),
        ),
        Category(
            "overtime",
            "超时安排职工加班且未依法支付加班工资",
            (
                f"{LABOUR_LAW}第四十一条",
                f"{LABOUR_LAW}第四十四条",
                f"{LABOUR_CONTRACT_LAW}第三十一条",
            ),
            (
                "严格执行国家工时制度，不得强迫或者变相强迫职工加班",
                "依法足额支付延长工作时间的工资报酬",
            ),
        ),
        Category(
            "illegal_fines",
            "以罚款等形式克扣职工工资",
            (
                f"{LABOUR_LAW}第五十条",
                f"{LABOUR_CONTRACT_LAW}第四条",
                "《工资支付暂行规定》第十五条",
            ),
            (
                "立即停止对职工罚款、克扣工资的行为，退还违规扣除的款项",
                "经职工代表大会或者全体职工讨论，依法制定和完善劳动规章制度",
            ),
        ),
        Category(
            "safety",
            "未向职工提供符合规定的劳动安全卫生条件",
            (
                f"{WORK_SAFETY_LAW}第四条",
                f"{WORK_SAFETY_LAW}第四十五条",
                f"{WORK_SAFETY_LAW}第五十四条",
            ),
            (
                "立即排查整改事故隐患，停止违章指挥、强令冒险作业",
                "为职工提供符合国家标准或者行业标准的劳动防护用品和劳动安全卫生条件",
            ),
        ),
        Category(
            "other",
            "侵害职工劳动权益",
            (f"{TRADE_UNION_LAW}第二十三条",),
            ("依法纠正侵害职工劳动权益的行为，并书面答复本会",),
        ),
    )
}


@dataclass(frozen=True)
class Department:
    """One of the departments of the "1+5+N" linkage that a 建议书 goes to."""

    code: str
    label: str  # when the official names no particular office
    asks: tuple[str, ...]  # what the union recommends when the official wrote nothing


# The codes are those of models.grievances.DEPARTMENTS: 信访局, 矛调中心, 人社局 (监察, 仲裁), 法院, 检察院.
DEPARTMENTS: dict[str, Department] = {
    d.code: d
    for d in (
        Department(
            "petition",
            "信访局",
            ("将该事项作为信访事项依法交办、督办，督促责任单位依法处理并答复职工",),
        ),
        Department(
            "mediation",
            "矛盾纠纷调处化解中心",
            ("组织有关部门对该纠纷开展联合调处，推动纠纷依法、及时化解",),
        ),
        Department(
            "labour_inspection",
            "人力资源和社会保障局劳动保障监察机构",
            (
                "依法对该单位开展劳动保障监察，责令其限期改正违法行为",
                "责令该单位限期支付职工应得的劳动报酬、经济补偿，逾期不支付的依法加付赔偿金",
            ),
        ),
        Department(
            "arbitration",
            "劳动人事争议仲裁委员会",
            (
                "对职工提出的仲裁申请依法及时受理、快速审理",
                f"对追索劳动报酬、经济补偿的，依照{ARBITRATION_LAW}第四十四条的规定依法裁决先予执行",
            ),
        ),
        Department(
            "court",
            "人民法院",
            ("对职工提起的诉讼依法及时立案、审理和执行，切实保障职工的合法权益",),
        ),
        Department(
            "procuratorate",
            "人民检察院",
            ("依法履行法律监督职责，对符合条件的职工依法支持起诉",),
        ),
    )
}


def category(code_or_label: str) -> Category:
    """The category with this code (unpaid_wages) or formal label; Invalid if there is none."""
    for c in CATEGORIES.values():
        if code_or_label in (c.code, c.label):
            return c
    raise Invalid("未知的维权问题类别", field="category")


def department(code_or_label: str) -> Department:
    """The department with this code (labour_inspection) or label; Invalid if there is none."""
    for d in DEPARTMENTS.values():
        if code_or_label in (d.code, d.label):
            return d
    raise Invalid("未知的建议书送达部门", field="department")


def join_laws(laws: tuple[str, ...] | list[str]) -> str:
    """Name laws as a document does: 《劳动合同法》第四十六条、第四十七条，《劳动法》第五十条."""
    groups: list[tuple[str, list[str]]] = []
    for law in laws:
        title, _, articles = law.partition("》")
        title += "》" if articles or law.endswith("》") else ""
        if groups and groups[-1][0] == title and articles:
            groups[-1][1].append(articles)
        else:
            groups.append((title, [articles] if articles else []))
    return "，".join(title + "、".join(articles) for title, articles in groups)
