"""Demo issues of the 新乡工会手机报 from the seeds: 第30期 and 第31期 sent, 第32期 being composed, workers' items."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .base import utcnow
from .digest_issues import DEFAULT_SCHEDULE, SECTION_ORDER, issue_title, local_date
from .digests import ACCEPTED, DRAFT, PENDING, PUBLISHED, Article, Digest, Suggestion
from .officials import Official
from .unions import TradeUnion
from .workers import Worker

PUBLISHER = "新乡市总工会"
EDITOR = "xinxiang-admin"


def _cover(section: str) -> str:
    return f"/digest/static/covers/{section}.svg"


# number: [(section, title, summary, body, cover)], from the 新乡 case file (新乡工会重点创新案例, 2024年第3期)
ISSUES = {
    30: [
        (
            "union_news",
            "新乡市总工会组织我市全国劳模进行健康体检",
            "市总工会组织我市全国劳动模范进行健康体检，关心关爱劳模身心健康。",
            "为关心关爱劳模身心健康，新乡市总工会组织我市全国劳动模范进行健康体检。\n"
            "劳模是劳动精神、劳模精神、工匠精神的践行者，市总工会将持续做好劳模服务管理工作。",
            True,
        ),
        (
            "union_news",
            "新闻发布厅首期节目发布年度“十佳项目”和“五一劳动奖”名单",
            "新闻发布厅发布劳模获奖名单、介绍劳模先进事迹，激励全市上下弘扬三种精神。",
            "新闻发布厅通过发布劳模获奖名单、介绍劳模先进事迹、选树典型现身说法，激励全市上下持续弘扬劳动精神、"
            "劳模精神、工匠精神，积极投身经济社会建设主战场。\n"
            "首期节目主要发布新乡市年度“十佳项目”、市级以上“五一劳动奖”和工人先锋号荣誉名单，通过文艺演出的形式，"
            "展现近年来全市各行各业涌现出的先进集体和先进个人的靓丽风采，引起热烈反响。",
            False,
        ),
        (
            "city_news",
            "我市在全省教育系统教学技能竞赛中再创佳绩",
            "近几年来，我市共有171名教师获得全省一等奖，179名教师获得省教学标兵。",
            "近几年来，在全省教学技能竞赛中我市共有171名教师获得全省一等奖，有179名教师获得省教学标兵，"
            "有8名教师获得全省第一名，被授予省五一劳动奖章。",
            True,
        ),
        (
            "union_info",
            "新医一附院工会：职工子女托管服务覆盖寒暑假 “官方带娃”超省心",
            "医院工会开办职工子女寒暑假托管班，截至2024年8月底共举办3期，累计托管职工子女376名。",
            "每逢寒暑假，不少职工因“无人带娃”而陷入工作与家庭两难的困境，新乡医学院第一附属医院工会创新性地开办了"
            "“官方带娃”——职工子女寒暑假托管班。\n"
            "托管班不仅有丰富多彩的文化课程，还精心打造了“‘研’途有光”等特色课程，如急救自救、中医文化、院史馆参观等。\n"
            "截至2024年8月底，新医一附院工会共举办3期托管班，累计托管职工子女376名。",
            True,
        ),
        (
            "county_news",
            "凤泉区总工会连续三年举办职工子女暑期爱心托管班",
            "实施“2+1+N”管理制度，托管全监管，三年来惠及职工子女200余名。",
            "凤泉区总工会携手多家优质机构，精心策划暑期托管服务项目。课程设置除作业辅导、课外阅读、课间游戏外，"
            "还安排有舞蹈、乒乓球、研学、实践活动、诚信博物馆参观等课程。\n"
            "托管班实施“2+1+N”管理制度：配备优秀教师2名，1名机动岗，多名工作人员配合辅助托管。"
            "该区总工会已连续3年开展暑期托管服务，惠及职工子女200余名。",
            True,
        ),
        (
            "county_news",
            "新乡县总工会多措并举“托”起孩子多彩暑假",
            "2024年日托服务职工子女319人、周托32人、幼托41人，达到392人。",
            "新乡县总工会在提供全天制托管服务的同时开设周托、幼托服务。2024年日托服务职工子女319人、周托服务32人、"
            "幼托服务41人，达到392人。\n"
            "爱心托管班开设文化修养、艺术特色、体育运动、手工制作、综合实践、红色教育等20多种课程，"
            "三年来累计托管职工子女700余人。",
            False,
        ),
        (
            "rights",
            "工会会客厅聚焦“新业态劳动者权益维护”",
            "访谈节目邀请专家、学者、职工代表，在当地电视台、官方网站等平台推出。",
            "工会会客厅是一档访谈类节目，采用录播形式，邀请专家、学者、职工代表进行专题访谈。\n"
            "2022年8月以来，开办以“尊法守法·携手筑梦”“劳模助力乡村振兴”“新业态劳动者权益维护”等为主题的"
            "工会系列访谈节目，活动信息被80余家媒体转载报道，点击量近百万。",
            True,
        ),
    ],
    31: [
        (
            "union_news",
            "新乡工会重点创新案例发布（2024年第3期）",
            "充分展示我市各级工会创造性开展工作的最新成果，供各级工会相互学习借鉴。",
            "为落实全总省总关于实施典型标杆的选树培育和示范推广建设工程有关要求，充分展示我市各级工会创造性开展工作的"
            "最新成果，现发布新乡市工会2024年第3期创新案例，供我市各级工会相互学习借鉴，并结合实际推广应用。",
            True,
        ),
        (
            "union_news",
            "新乡市总工会构建工会宣传矩阵 打造“两厅一报”平台",
            "新闻发布厅、工会会客厅和新乡工会手机报，构建工会宣传大格局。",
            "新乡市总工会创新打造“两厅一报”（新闻发布厅、工会会客厅和新乡工会手机报）宣传矩阵。\n"
            "新乡工会手机报以工会要闻、新乡新闻、工会资讯、县区动态、维权服务等为主要推送内容，每周发布一期，"
            "以市总工会微信公众号和手机彩信的形式同步推送。截至目前，共编发手机报31期。",
            False,
        ),
        (
            "city_news",
            "全市教师队伍整体教学水平得到很大提升",
            "8名教师获得全省第一名，被授予省五一劳动奖章。",
            "联合市教育局每年按照不同学科设置竞赛项目，设立评审专家库，指导各县区、各学校组织初赛，"
            "选拔选手参加市级决赛。\n近几年来，我市有8名教师获得全省第一名，被授予省五一劳动奖章。",
            True,
        ),
        (
            "union_info",
            "新乡市产业工会聚焦教学技能竞赛 持续推动教师队伍素质提升",
            "名师带动、岗位练兵、以赛促教，为促进教师职业发展、提升教师业务素质提供平台。",
            "一是名师带动，示范引领。开展师带徒、“匠”带兵活动，遴选骨干教师为导师，对5年教龄以内的新进教师"
            "进行一对一师带徒帮扶。\n"
            "二是岗位练兵，夯实技能。开展青年教师基本功大赛和四课展示活动。\n"
            "三是以赛促教，教学相长。组织教育系统各学校收看教学竞赛直播，制作优秀选手教学视频供广大教师学习观摩。",
            False,
        ),
        (
            "county_news",
            "获嘉县总工会设立职工心理咨询中心和法律服务中心",
            "心理咨询中心先后接受职工咨询150人次，法律服务中心为30余名职工提供法律咨询。",
            "获嘉县总工会设立职工心理咨询中心，先后接受职工咨询150人次，开展集中服务6期710人次；"
            "设立法律服务中心，为30余名职工提供法律咨询，引导企业职工依法维权。\n"
            "与民政、劳动就业等部门联合，设立联合帮扶中心和劳务信息电子发布平台，免费提供劳务信息近320人次。",
            True,
        ),
        (
            "rights",
            "获嘉县总工会构建“1+5+N”联动机制 全力推进劳动纠纷多元化解",
            "2023年以来，全县共下发告知书46份，联动化解劳动纠纷46起，为职工挽回资金107.92万元。",
            "“1”即设立县级劳动纠纷多元化解中心；“5”即县信访局、县矛调中心、县人社局（劳动监察和劳动仲裁）、"
            "县人民法院、县人民检察院等5部门；“N”即11个乡镇工会和若干试点企业工会。\n"
            "对于“意见书”无反馈结果或调解不成的，向人社等相关部门网上送达《建议书》，及时指派法律顾问，参与仲裁诉讼，"
            "形成闭环。\n2023年以来，全县共下发告知书46份，联动化解劳动纠纷46起，为职工挽回资金107.92万元。",
            True,
        ),
    ],
    32: [
        (
            "union_news",
            "工会会客厅推出“劳模助力乡村振兴”专题访谈",
            "邀请劳模代表讲述扎根基层、带领群众增收的故事。",
            "工会会客厅推出“劳模助力乡村振兴”专题访谈，邀请专家、学者、劳模代表进行专题访谈，"
            "并在当地电视台、官方网站等平台推出。",
            True,
        ),
        (
            "rights",
            "“三书一公布”：意见书无反馈的，向有关部门送达建议书",
            "劳动纠纷调解不成的，工会及时指派法律顾问，参与仲裁诉讼，形成闭环。",
            "获嘉县总工会依托新乡市“三书一公布”网络平台，对各部门流转共享的各类信息及时梳理整合、闭环处置，"
            "有效避免了职工多头投诉、无处解决的难题。",
            False,
        ),
    ],
}

# worker, title, body, taken into 第32期
SUGGESTIONS = [
    (
        "张伟",
        "县职工心理咨询中心走进亢村镇工业园区",
        "县总工会职工心理咨询中心的老师到我们亢村镇工业园区开展集中服务，车间里不少工友都去做了咨询，"
        "大家说压力大的时候有地方说说心里话，挺好的。",
        True,
    ),
    (
        "刘洋",
        "孩子在县总工会爱心托管班过了个充实的暑假",
        "今年暑假孩子参加了新乡县总工会的爱心托管班，有文化修养、艺术特色、体育运动、手工制作、红色教育等20多种课程，"
        "孩子每天都很开心，我们双职工上班也安心了。",
        False,
    ),
]


def load_digests(session: Session) -> int:
    """Add the demo issues and items if the city union has no issue yet; return how many rows were added."""
    union = session.scalars(select(TradeUnion).where(TradeUnion.name == PUBLISHER)).one()
    if session.scalar(select(Digest.id).where(Digest.union_id == union.id).limit(1)) is not None:
        return 0
    editor = session.scalars(select(Official).where(Official.username == EDITOR)).one()
    this_week = DEFAULT_SCHEDULE.next_slot(utcnow())  # 第32期 goes out at the next Friday 18:00
    created = 0
    digests = {}
    for number, items in ISSUES.items():
        publish_at = this_week - timedelta(weeks=32 - number)
        day = local_date(publish_at)
        sent = number < 32
        digest = Digest(
            union_id=union.id,
            number=number,
            issue_date=day,
            title=issue_title(union, day, number),
            status=PUBLISHED if sent else DRAFT,
            publish_at=publish_at,
            official_id=editor.id,
            approved_by=editor.id if sent else None,
            approved_at=publish_at - timedelta(hours=4) if sent else None,
            published_at=publish_at if sent else None,
            created_at=publish_at - timedelta(days=4),
        )
        positions: dict[str, int] = {}
        for section, title, summary, body, with_cover in items:
            positions[section] = positions.get(section, 0) + 1
            digest.articles.append(
                Article(
                    section=section,
                    section_order=SECTION_ORDER[section],
                    position=positions[section],
                    title=title,
                    summary=summary,
                    body=body,
                    cover_url=_cover(section) if with_cover else None,
                )
            )
        session.add(digest)
        digests[number] = digest
        created += 1 + len(items)
    session.flush()
    for name, title, body, taken in SUGGESTIONS:
        worker = session.scalars(select(Worker).where(Worker.name == name)).one()
        union_id = worker.union_id or worker.employer.union_id or worker.employer.local_union_id
        suggestion = Suggestion(
            worker_id=worker.id,
            union_id=union_id,
            title=title,
            body=body,
            status=ACCEPTED if taken else PENDING,
            reviewed_by=editor.id if taken else None,
            reviewed_at=utcnow() if taken else None,
            created_at=utcnow() - timedelta(days=2),
        )
        session.add(suggestion)
        session.flush()
        created += 1
        if taken:
            draft = digests[32]
            draft.articles.append(
                Article(
                    section="county_news",
                    section_order=SECTION_ORDER["county_news"],
                    position=1,
                    title=title,
                    summary="",
                    body=body,
                    cover_url=_cover("county_news"),
                    suggestion_id=suggestion.id,
                )
            )
            created += 1
    session.flush()
    return created
