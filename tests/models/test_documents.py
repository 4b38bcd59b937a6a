"""The three documents (三书): their facts, their text, and the PDF and Word files made of them."""

from __future__ import annotations

import io
import os
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import docx
import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from pypdf import PdfReader

from models.documents import (
    CATEGORIES,
    DEPARTMENTS,
    UNION_BASIS,
    DocumentFacts,
    DocumentKind,
    FontMissing,
    amount_in_words,
    chinese_date,
    compose,
    document_number,
    find_font,
    join_laws,
    laws_for,
    plain_text,
    render_docx,
    render_pdf,
)
from models.documents import fonts as font_lookup
from models.documents.pdf import wrap
from models.errors import DomainError, Invalid

# The 青岛 case of the seeds: 13 workers told to write "voluntary" resignations for one month's wage.
QINGDAO = {
    "union_name": "青岛市总工会",
    "issued_on": date(2026, 11, 23),
    "case_number": "WQ20261123001",
    "employer_name": "青岛恒达精密电子有限公司",
    "employer_address": "青岛市城阳区棘洪滩街道锦盛二路16号",
    "category": "forced_resignation",
    "summary": "该企业以同城搬迁为由，要求13名职工书写“自愿辞职”报告，不论工龄长短一律只给予1个月工资作为补偿，"
    "不写报告的不予补偿，随后与职工解除劳动合同；职工要求协商，企业予以拒绝。经查，该企业并无搬迁方案",
    "workers_count": 13,
    "amount_owed": Decimal("312480.00"),
    "handler_name": "王娟",
    "handler_phone": "0532-85791234",
    "legal_adviser": "李明律师",
    "received_on": date(2026, 4, 19),
}
AMOUNT = "312,480.00"
ANSWER_BY = date(2026, 12, 8)  # 15 days for the employer's answer

FACTS = {
    DocumentKind.NOTICE: DocumentFacts(
        kind="notice",
        number=document_number("青工", "notice", 2026, 7),
        worker_name="张伟",
        deadline=date(2026, 12, 7),
        **QINGDAO | {"summary": QINGDAO["summary"] + "。职工们很着急😟"},  # a worker's emoji: no glyph for it
    ),
    DocumentKind.OPINION: DocumentFacts(
        kind="opinion", number=document_number("青工", "opinion", 2026, 12), deadline=ANSWER_BY, **QINGDAO
    ),
    DocumentKind.SUGGESTION: DocumentFacts(
        kind="suggestion",
        number=document_number("青工", "suggestion", 2026, 3),
        department="labour_inspection",
        department_name="青岛市城阳区人力资源和社会保障局",
        opinion_number="青工维意〔2026〕12号",
        opinion_issued_on=date(2026, 11, 23),
        opinion_deadline=ANSWER_BY,
        escalation="no_answer",
        deadline=date(2026, 12, 31),
        **QINGDAO | {"issued_on": date(2026, 12, 9)},
    ),
}
DEADLINE = {kind: chinese_date(facts.deadline) for kind, facts in FACTS.items()}


def has_cjk_font() -> bool:
    try:
        find_font()
    except FontMissing:
        return False
    return True


needs_font = pytest.mark.skipif(
    not has_cjk_font() and not os.environ.get("CI"),  # CI installs fonts-noto-cjk: there a missing font fails
    reason="no CJK font installed (apt-get install fonts-noto-cjk)",
)


def squeeze(text: str) -> str:
    """Chinese lines break anywhere, even inside a case number: compare the texts without line breaks."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pdfs():
    return {kind: render_pdf(facts) for kind, facts in FACTS.items()}


@pytest.fixture(scope="module")
def words():
    return {kind: render_docx(facts) for kind, facts in FACTS.items()}


def pdf_text(data: bytes) -> str:
    return squeeze("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def docx_paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


# --- the PDF ---------------------------------------------------------------------------------


@needs_font
@pytest.mark.parametrize("kind", list(DocumentKind))
def test_pdf_carries_the_facts(pdfs, kind):
    data, facts = pdfs[kind], FACTS[kind]
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in (facts.case_number, facts.employer_name, AMOUNT, DEADLINE[kind], facts.number, kind.title):
        assert expected in text, expected
    assert facts.union_name in text


@needs_font
def test_pdf_names_the_addressee_the_law_and_the_escalation(pdfs):
    notice, opinion, suggestion = (pdf_text(pdfs[kind]) for kind in DocumentKind)
    assert "张伟同志：" in notice and "承办人王娟" in notice and "0532-85791234" in notice
    assert "□" in notice  # the emoji the font has no glyph for, as Chinese print marks it
    assert "《中华人民共和国劳动合同法》第四十三条、第四十六条、第四十七条、第八十七条" in opinion
    assert "青岛恒达精密电子有限公司：" in opinion and "李明律师" in opinion
    assert "青岛市城阳区人力资源和社会保障局：" in suggestion
    assert "青工维意〔2026〕12号" in suggestion and "逾期未予答复" in suggestion
    assert "张伟" not in opinion + suggestion  # the worker is named to nobody but himself


@needs_font
def test_pdf_embeds_a_subset_of_the_chinese_font(pdfs):
    reader = PdfReader(io.BytesIO(pdfs[DocumentKind.OPINION]))
    assert len(reader.pages) >= 1
    assert reader.metadata.title == "工会劳动法律监督意见书（青工维意〔2026〕12号）"
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for font in fonts.values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert any(key in descriptor for key in ("/FontFile2", "/FontFile3"))  # embedded, not referenced


# --- the Word file ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_docx_carries_the_facts(words, kind):
    facts = FACTS[kind]
    paragraphs = docx_paragraphs(words[kind])
    text = "\n".join(paragraphs)
    for expected in (facts.case_number, facts.employer_name, AMOUNT, DEADLINE[kind], facts.number, kind.title):
        assert expected in text, expected
    assert paragraphs[0] == facts.union_name
    assert paragraphs[1] == facts.number
    assert paragraphs[-1].startswith(("案件编号", "联系人", "送达"))


def test_docx_looks_like_a_formal_document(words):
    document = docx.Document(io.BytesIO(words[DocumentKind.OPINION]))
    issuer, number = document.paragraphs[0], document.paragraphs[1]
    assert issuer.runs[0].bold and str(issuer.runs[0].font.color.rgb) == "C80000"
    assert number._p.pPr.find(docx.oxml.ns.qn("w:pBdr")) is not None  # the red rule under the number
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(docx.oxml.ns.qn("w:eastAsia")) == "仿宋"
    assert document.core_properties.title == "工会劳动法律监督意见书（青工维意〔2026〕12号）"
    assert document.core_properties.author == "青岛市总工会"
    assert "张伟同志：" in docx_paragraphs(words[DocumentKind.NOTICE])


def test_docx_needs_no_font_on_the_server(monkeypatch):
    monkeypatch.setattr(font_lookup, "CANDIDATES", ())
    monkeypatch.delenv("DOCUMENT_FONT", raising=False)
    assert render_docx(FACTS[DocumentKind.OPINION]).startswith(b"PK")


# --- the font --------------------------------------------------------------------------------


def test_no_font_installed_is_a_clear_domain_error(monkeypatch):
    monkeypatch.setattr(font_lookup, "CANDIDATES", ("/nonexistent/NotoSerifCJK-Regular.ttc",))
    monkeypatch.delenv("DOCUMENT_FONT", raising=False)
    with pytest.raises(FontMissing) as raised:
        render_pdf(FACTS[DocumentKind.OPINION])
    assert isinstance(raised.value, DomainError)
    assert raised.value.code == "font_missing"
    assert raised.value.message == "服务器未安装中文字体，暂时无法生成PDF，请下载Word版"


def test_a_document_font_setting_that_names_nothing_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCUMENT_FONT", str(tmp_path / "missing.ttf"))
    with pytest.raises(FontMissing):
        render_pdf(FACTS[DocumentKind.NOTICE])
    (tmp_path / "notes.ttf").write_text("not a font")
    monkeypatch.setenv("DOCUMENT_FONT", str(tmp_path / "notes.ttf"))
    with pytest.raises(FontMissing):
        find_font()


def box_font(path, characters: str) -> None:
    """A real TrueType font that draws every one of the characters as the same box, and nothing else."""
    names = {c: f"u{ord(c):04X}" for c in characters}
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", *names.values()])
    builder.setupCharacterMap({ord(c): name for c, name in names.items()})
    pen = TTGlyphPen(None)
    pen.moveTo((100, 0))
    pen.lineTo((100, 700))
    pen.lineTo((900, 700))
    pen.lineTo((900, 0))
    pen.closePath()
    box = pen.glyph()
    builder.setupGlyf({".notdef": box} | {name: box for name in names.values()})
    builder.setupHorizontalMetrics({".notdef": (1000, 100)} | {name: (1000, 100) for name in names.values()})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "Boxes", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))


def test_a_font_without_chinese_would_print_tofu_so_it_is_refused(monkeypatch, tmp_path):
    box_font(tmp_path / "latin.ttf", "ABC 0123456789")
    monkeypatch.setenv("DOCUMENT_FONT", str(tmp_path / "latin.ttf"))
    with pytest.raises(FontMissing):
        find_font()


def test_a_truetype_font_is_embedded_as_it_is_and_what_it_lacks_is_marked(monkeypatch, tmp_path):
    box_font(tmp_path / "some-chinese.ttf", "工会劳动法律监督意见书0123456789□")
    monkeypatch.setenv("DOCUMENT_FONT", str(tmp_path / "some-chinese.ttf"))
    text = pdf_text(render_pdf(FACTS[DocumentKind.OPINION]))
    assert "工会劳动法律监督意见书" in text  # the title: every character of it is in the font
    assert "□□□□□□" in text  # 青岛市总工会: none of it is


@needs_font
def test_the_setting_overrides_the_lookup_and_a_collection_uses_its_mainland_face(monkeypatch):
    found = find_font()
    monkeypatch.setattr(font_lookup, "CANDIDATES", ())
    monkeypatch.setenv("DOCUMENT_FONT", str(found.path))
    assert find_font() == found


# --- the text --------------------------------------------------------------------------------


def test_a_fact_cannot_forge_a_heading_or_a_signature():
    facts = replace(FACTS[DocumentKind.OPINION], summary="企业拒不支付补偿\n## 伪造的标题\n> 某某人民法院\n\x07")
    blocks = compose(facts)
    assert [b.style for b in blocks].count("title") == 1
    assert [b.text for b in blocks if b.style == "right"] == ["青岛市总工会", "2026年11月23日"]
    assert "企业拒不支付补偿\n## 伪造的标题\n> 某某人民法院。" in next(b.text for b in blocks if b.style == "body")


def test_the_requests_default_to_the_category_and_the_department():
    opinion = plain_text(FACTS[DocumentKind.OPINION])
    assert "一、停止以任何方式要求或者变相要求职工“自愿辞职”；" in opinion
    assert "三、单方解除劳动合同前，事先将理由通知工会。" in opinion
    suggestion = plain_text(FACTS[DocumentKind.SUGGESTION])
    assert "一、依法对该单位开展劳动保障监察，责令其限期改正违法行为；" in suggestion
    own = replace(FACTS[DocumentKind.OPINION], requests=["于2026年12月8日前支付13名职工经济补偿。", "补缴社会保险费"])
    text = plain_text(own)
    assert "一、于2026年12月8日前支付13名职工经济补偿；" in text and "二、补缴社会保险费。" in text


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_kind_prints_from_the_fewest_facts(kind):
    """Unpaid wages at a 亢村镇 company, none of the optional facts given."""
    least = {
        "kind": kind,
        "number": document_number("获工", kind, 2026, 1),
        "union_name": "获嘉县亢村镇工会",
        "issued_on": date(2026, 11, 23),
        "case_number": "WQ20261123002",
        "employer_name": "获嘉县亢村镇宏达建材厂",
        "category": "拖欠职工劳动报酬",  # a label works as well as the code
        "summary": "该厂拖欠职工2026年8月至10月工资",
        "worker_name": "李强" if kind is DocumentKind.NOTICE else "",
        "handler_name": "赵敏" if kind is DocumentKind.NOTICE else "",
        "deadline": date(2026, 12, 8) if kind is not DocumentKind.SUGGESTION else None,
        "department": "mediation" if kind is DocumentKind.SUGGESTION else None,
    }
    facts = DocumentFacts(**least)
    text = plain_text(facts)
    assert "获工" + kind.code + "〔2026〕1号" in text
    assert "该厂拖欠职工2026年8月至10月工资。" in text
    laws = "违反了" + join_laws(laws_for("unpaid_wages"))
    assert laws.startswith("违反了《中华人民共和国劳动法》第五十条，《中华人民共和国劳动合同法》第三十条")
    if kind is DocumentKind.NOTICE:
        assert "李强同志：" in text and "承办人赵敏。" in text
    elif kind is DocumentKind.OPINION:
        assert laws in text and "一、立即足额支付拖欠的职工劳动报酬；" in text
    else:
        assert laws in text and "矛盾纠纷调处化解中心：" in text and "及时将处理结果反馈本会" in text
    assert render_docx(facts).startswith(b"PK")


def test_mediation_failed_is_said_so():
    facts = replace(FACTS[DocumentKind.SUGGESTION], escalation="mediation_failed", department="court")
    text = plain_text(facts)
    assert "双方未能达成调解协议" in text and "逾期未予答复" not in text
    assert "一、对职工提起的诉讼依法及时立案、审理和执行，切实保障职工的合法权益。" in text


# --- the facts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"worker_name": ""}, "worker_name"),
        ({"deadline": None}, "deadline"),
        ({"handler_name": "  "}, "handler_name"),
        ({"category": "加班太多"}, "category"),
        ({"amount_owed": 1079200.5}, "amount_owed"),
        ({"amount_owed": "-5"}, "amount_owed"),
        ({"amount_owed": "十万"}, "amount_owed"),
        ({"workers_count": 0}, "workers_count"),
        ({"deadline": date(2026, 11, 1)}, "deadline"),
        ({"kind": "通知书"}, "kind"),
        ({"issued_on": "2026-13-01"}, "issued_on"),
    ],
)
def test_facts_are_checked_when_made(changes, field):
    with pytest.raises(Invalid) as raised:
        replace(FACTS[DocumentKind.NOTICE], **changes)
    assert raised.value.detail["field"] == field


def test_a_suggestion_needs_its_department():
    with pytest.raises(Invalid, match="送达部门"):
        replace(FACTS[DocumentKind.SUGGESTION], department=None)
    with pytest.raises(Invalid):
        replace(FACTS[DocumentKind.SUGGESTION], department="公安局")


def test_facts_are_normalised_and_survive_json():
    facts = DocumentFacts(
        kind="意见书",
        number=" 获工维意〔2026〕3号 ",
        union_name="获嘉县总工会",
        issued_on="2026-11-23",
        case_number="WQ1",
        employer_name="获嘉县 某某\n公司",
        category="unpaid_wages",
        summary="拖欠工资",
        amount_owed=1079200,
        laws=["《保障农民工工资支付条例》第三条", ""],
        deadline="2026-12-08",
    )
    assert facts.kind is DocumentKind.OPINION
    assert facts.number == "获工维意〔2026〕3号" and facts.employer_name == "获嘉县 某某 公司"
    assert facts.amount_owed == Decimal("1079200.00") and facts.laws == ("《保障农民工工资支付条例》第三条",)
    assert facts.addressee == "获嘉县 某某 公司"
    assert DocumentFacts.from_dict(facts.to_dict()) == facts
    assert FACTS[DocumentKind.SUGGESTION].addressee == "青岛市城阳区人力资源和社会保障局"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (Decimal("312480"), "叁拾壹万贰仟肆佰捌拾元整"),
        (1079200, "壹佰零柒万玖仟贰佰元整"),  # the seeds' ¥1,079,200
        (100005, "壹拾万零伍元整"),
        (1000100, "壹佰万零壹佰元整"),
        (10000000, "壹仟万元整"),
        (100000001, "壹亿零壹元整"),
        (Decimal("1.05"), "壹元零伍分"),
        (Decimal("10.50"), "壹拾元伍角整"),
        (Decimal("0.07"), "柒分"),
        (0, "零元整"),
        (Decimal("2005.3"), "贰仟零伍元叁角整"),
    ],
)
def test_amounts_in_capitals(amount, words):
    assert amount_in_words(amount) == words


def test_numbers_and_dates():
    assert document_number("获工", DocumentKind.NOTICE, 2026, 12) == "获工维告〔2026〕12号"
    assert document_number("新工", "suggestion", 2027, 1) == "新工维建〔2027〕1号"
    assert chinese_date(date(2026, 1, 5)) == "2026年1月5日"
    with pytest.raises(Invalid):
        document_number("", "notice", 2026, 1)


# --- the law table ---------------------------------------------------------------------------


def test_every_category_and_department_has_its_law_and_asks():
    assert set(CATEGORIES) == {
        "unpaid_wages",
        "forced_resignation",
        "no_contract",
        "social_insurance",
        "work_injury",
        "overtime",
        "illegal_fines",
        "safety",
        "other",
    }
    assert set(DEPARTMENTS) == {"petition", "mediation", "labour_inspection", "arbitration", "court", "procuratorate"}
    for category in CATEGORIES.values():
        assert category.laws and category.asks and category.label
        assert all(law.startswith("《") for law in category.laws)
    for department in DEPARTMENTS.values():
        assert department.asks and department.label
    assert laws_for("no_contract") == ("《中华人民共和国劳动合同法》第十条", "《中华人民共和国劳动合同法》第八十二条")
    # 《工会法》 as amended in 2021: 交涉 with the employer is 第二十三条.
    assert "《中华人民共和国工会法》第二十三条" in UNION_BASIS and "《工会劳动法律监督办法》" in UNION_BASIS


def test_laws_are_named_as_documents_name_them():
    assert join_laws(laws_for("overtime")) == (
        "《中华人民共和国劳动法》第四十一条、第四十四条，《中华人民共和国劳动合同法》第三十一条"
    )
    assert join_laws(["《工会劳动法律监督办法》", "《工伤保险条例》第十七条"]) == (
        "《工会劳动法律监督办法》，《工伤保险条例》第十七条"
    )


def test_lines_break_the_chinese_way():
    def ems(text):
        return sum(1.0 if ord(c) > 0x2E80 else 0.5 for c in text)

    assert wrap("一二三四五六七八九十一二三四五六七八九“自愿辞职”；", 20, ems) == [
        "一二三四五六七八九十一二三四五六七八九",
        "“自愿辞职”；",
    ]
    assert wrap("一二三四五六七八九十一二三四五六七八九十。", 20, ems) == [
        "一二三四五六七八九十一二三四五六七八九",
        "十。",
    ]
    assert wrap("一二三四五六七八九十一二三四五六七八金额186,400.00元", 20, ems)[1] == "186,400.00元"
    assert wrap("甲\n乙", 20, ems) == ["甲", "乙"]
