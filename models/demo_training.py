"""Demo menu-style training (菜单式培训) from the seeds: a survey, menus, classes with quotas, a past class."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .base import LOCAL_TZ
from .demo_calendar import moved_by
from .enterprises import Enterprise
from .surveys import INDUSTRY, MULTIPLE, SINGLE, TEXT, Survey, SurveyQuestion, SurveyTarget
from .training import CONFIRMED, ClassQuota, Enrolment, Topic, TopicOrder, TopicRequest, TrainingClass
from .training_classes import new_checkin_code
from .training_menu import home_union, normalize
from .unions import TradeUnion
from .workers import Worker, create_worker

TITLE = "2027年劳动保护知识培训需求调查"
INTRO = (
    "市总工会将按“职工点菜、工会上菜”的方式开办劳动保护知识培训班，免费参加。"
    "请告诉我们您最想学什么、希望怎样学，我们据此确定科目并聘请专家授课。"
)
INDUSTRIES = ["煤炭", "化工", "制造业"]
TOPICS = ["新版安全规程", "职业病防治", "劳动保护法律法规", "应急救护", "事故隐患排查", "群监员工作实务"]

# (kind, question, required, options, max_choices, max_length)
QUESTIONS = [
    (MULTIPLE, "您最想学习的培训内容（最多选3项）", True, TOPICS, 3, None),
    (SINGLE, "您希望的培训时长", True, ["1天", "3天（6课时）", "5天", "利用业余时间分次学习"], None, None),
    (SINGLE, "您希望的培训方式", True, ["集中面授", "到矿山车间现场教学", "线上学习", "线上线下结合"], None, None),
    (SINGLE, "您的岗位", False, ["一线职工", "群监员", "班组长", "工会干部", "安全管理人员"], None, None),
    (TEXT, "其他建议（如希望邀请的专家、培训时间地点）", False, [], None, 500),
]


def load_surveys(session: Session) -> int:
    """Add the demo survey of 新乡市总工会 if it is missing; return how many were added."""
    if session.scalar(select(Survey.id).where(Survey.title == TITLE)) is not None:
        return 0
    city = session.scalars(select(TradeUnion).where(TradeUnion.name == "新乡市总工会")).one()
    survey = Survey(
        union_id=city.id,
        title=TITLE,
        intro=INTRO,
        audience=INDUSTRY,
        opens_at=(datetime(2026, 11, 16, tzinfo=LOCAL_TZ) + moved_by()).astimezone(UTC),  # SQLite keeps no offset
        closes_at=(datetime(2027, 2, 28, 23, 59, tzinfo=LOCAL_TZ) + moved_by()).astimezone(UTC),
        targets=[SurveyTarget(industry=name) for name in INDUSTRIES],
        questions=[
            SurveyQuestion(
                position=n,
                kind=kind,
                text=text,
                required=required,
                options=options,
                max_choices=most,
                max_length=length,
            )
            for n, (kind, text, required, options, most, length) in enumerate(QUESTIONS, start=1)
        ],
    )
    session.add(survey)
    session.flush()
    return 1


HEBEI_EXPERTS = [
    "省安监局专家（煤矿安全规程）",
    "省安监局专家（事故隐患排查）",
    "省卫生计生委专家（职业病防治）",
    "省卫生计生委专家（职业健康监护）",
    "省总工会法律顾问（劳动保护法律法规）",
    "省总工会劳动保护部（群监员工作实务）",
]
# union: [(title, industry, description, experts, days, hours, audience)]
TOPICS_BY_UNION = {
    "河北省总工会": [
        (
            "劳动保护知识（煤炭行业）",
            "煤炭",
            "新版《煤矿安全规程》解读、劳动保护法律法规、职业病防治、群监员工作实务。按企业调研和座谈中职工“点的菜”确定科目。",
            HEBEI_EXPERTS,
            3,
            6,
            "从事劳动保护工作的工会干部、一线群监员",
        ),
        (
            "安全生产知识（纺织企业）",
            "纺织",
            "纺织机械安全操作、防火防尘、女职工劳动保护。",
            HEBEI_EXPERTS[1:3],
            2,
            4,
            "班组长、一线职工",
        ),
        (
            "民爆行业安全培训",
            "民爆",
            "民用爆炸物品生产、储存、运输安全，应急处置。",
            HEBEI_EXPERTS[:2],
            3,
            6,
            "一线职工、安全管理人员",
        ),
        (
            "交通运输行业劳动保护",
            "交通运输",
            "驾驶员职业健康、疲劳驾驶预防、劳动合同与工时权益。",
            HEBEI_EXPERTS[2:5],
            2,
            4,
            "驾驶员、一线职工",
        ),
        (
            "财富管理行业职工权益与心理健康",
            "财富管理",
            "劳动合同、绩效考核中的职工权益，压力管理与心理疏导。",
            HEBEI_EXPERTS[4:],
            2,
            4,
            "一线职工、工会干部",
        ),
    ],
    "新乡市总工会": [
        ("新版安全规程", None, "新版安全生产规程要点与典型事故案例。", ["市应急管理局专家"], 1, 4, "一线职工、班组长"),
        (
            "职业病防治",
            None,
            "粉尘、噪声、化学毒物危害的识别与防护，职业健康检查。",
            ["市疾控中心专家"],
            1,
            4,
            "一线职工",
        ),
        (
            "劳动保护法律法规",
            None,
            "《劳动法》《安全生产法》《职业病防治法》中的职工权益。",
            ["市总工会法律顾问"],
            1,
            3,
            "工会干部、职工",
        ),
        ("应急救护", None, "心肺复苏、AED使用、创伤止血包扎，现场实操。", ["市红十字会急救培训师"], 1, 4, "全体职工"),
        ("事故隐患排查", None, "班组安全检查方法与隐患上报。", ["市应急管理局专家"], 1, 3, "班组长、群监员"),
        (
            "群监员工作实务",
            None,
            "群众安全监督员的职责、检查方法和工作记录。",
            ["市总工会劳动保护部"],
            1,
            3,
            "群监员、工会干部",
        ),
    ],
}

SEATS = 120
# (topic, title, starts, ends, place, capacity, closes on (local 18:00), {enterprise: quota}); the dates as the
# seeds schedule them, moved on at loading (demo_calendar) like the survey's window.
CLASSES = [
    (
        "劳动保护知识（煤炭行业）",
        "煤炭行业“菜单式”劳动保护知识培训班（第二期）",
        date(2026, 12, 14),
        date(2026, 12, 16),
        "秦皇岛市北戴河区 河北省总工会职工培训基地",
        SEATS,
        date(2026, 12, 7),
        {"开滦集团": 83, "冀中能源集团": 30},
    ),
    (
        "安全生产知识（纺织企业）",
        "常山纺织集团安全生产知识专题培训班",
        date(2027, 1, 12),
        date(2027, 1, 13),
        "石家庄市长安区和平东路260号 常山纺织集团职工培训中心",
        100,
        date(2027, 1, 5),
        {"常山纺织集团": 80},
    ),
    (
        "民爆行业安全培训",
        "民爆行业安全培训班",
        date(2027, 3, 9),
        date(2027, 3, 11),
        "石家庄市 河北省职工培训中心",
        100,
        date(2027, 3, 2),
        {},
    ),
    (
        "交通运输行业劳动保护",
        "交通运输行业劳动保护培训班",
        date(2027, 4, 13),
        date(2027, 4, 14),
        "石家庄市 河北省职工培训中心",
        100,
        date(2027, 4, 6),
        {},
    ),
    (
        "财富管理行业职工权益与心理健康",
        "财富管理行业职工培训班",
        date(2027, 5, 18),
        date(2027, 5, 19),
        "石家庄市 河北省职工培训中心",
        100,
        date(2027, 5, 11),
        {},
    ),
    (
        "应急救护",
        "应急救护培训班（第一期）",
        date(2026, 12, 19),
        date(2026, 12, 19),
        "新乡市职工服务中心三楼培训室",
        60,
        date(2026, 12, 16),
        {},
    ),
    (
        "职业病防治",
        "化工企业职业病防治培训班",
        date(2027, 1, 9),
        date(2027, 1, 9),
        "凤泉区职工服务中心",
        50,
        date(2027, 1, 6),
        {"凤泉区宝源化工有限公司": 20},
    ),
]
# The first class of the seeds, already held: 开滦 and 冀中能源 sent their lists, attendees rated it.
PAST = (
    "劳动保护知识（煤炭行业）",
    "煤炭行业“菜单式”劳动保护知识培训班（第一期）",
    date(2026, 6, 14),
    date(2026, 6, 16),
    "秦皇岛市北戴河区 河北省总工会职工培训基地",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["建军", "志强", "海波", "立新", "国庆", "春生", "永刚", "红梅", "卫东", "晓光", "宏伟", "文华"]
COMMENTS = [
    (5, "新版安全规程讲得透，回矿后给班组讲。"),
    (5, "专家结合事故案例讲，很解渴。"),
    (4, "内容实用，希望多安排现场教学。"),
    (5, "职业病防治这一课对井下职工很有用。"),
    (4, "时间紧了点，3天6课时希望再多一些。"),
]


def _closing(day: date) -> datetime:
    return datetime.combine(day, time(18), LOCAL_TZ).astimezone(UTC)


def _trainees(session: Session, enterprise: Enterprise, prefix: str, count: int) -> list[Worker]:
    """Workers of an enterprise for the demo lists (no WeChat account: their union enrols them)."""
    workers = []
    for n in range(count):
        phone = f"{prefix}{n:04d}"
        worker = session.scalar(select(Worker).where(Worker.employer_id == enterprise.id, Worker.name == _name(n)))
        workers.append(worker or create_worker(session, name=_name(n), phone=phone, employer_id=enterprise.id))
    return workers


def _name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)]


def load_training(session: Session) -> int:
    """Add the demo menus, classes, quotas, orders, wishes and the past class if missing; return how many rows."""
    if session.scalar(select(Topic.id).limit(1)) is not None:
        return 0
    unions = {u.name: u for u in session.scalars(select(TradeUnion).where(TradeUnion.name.in_(TOPICS_BY_UNION)))}
    enterprises = {e.name: e for e in session.scalars(select(Enterprise))}
    topics = {}
    for union_name, rows in TOPICS_BY_UNION.items():
        for title, industry, description, experts, days, hours, audience in rows:
            topics[title] = Topic(
                union_id=unions[union_name].id,
                title=title,
                industry=industry,
                description=description,
                experts=experts,
                days=days,
                hours=hours,
                audience=audience,
            )
    session.add_all(topics.values())
    session.flush()
    created = len(topics)
    moved = moved_by()
    for title, name, starts, ends, place, capacity, closes, quotas in CLASSES:
        starts, ends, closes = starts + moved, ends + moved, closes + moved
        topic = topics[title]
        training = TrainingClass(
            topic_id=topic.id,
            union_id=topic.union_id,
            title=name,
            starts_on=starts,
            ends_on=ends,
            place=place,
            experts=topic.experts,
            hours=topic.hours,
            capacity=capacity,
            quota_seats=sum(quotas.values()),
            registration_closes=_closing(closes),
            checkin_code=new_checkin_code(),
            quotas=[ClassQuota(enterprise_id=enterprises[e].id, seats=seats) for e, seats in quotas.items()],
        )
        session.add(training)
        created += 1 + len(quotas)
    session.flush()
    created += _past_class(session, topics[PAST[0]], enterprises)
    created += _wishes(session, topics, enterprises)
    session.flush()
    return created


def _past_class(session: Session, topic: Topic, enterprises: dict[str, Enterprise]) -> int:
    """The first coal class, held in June: lists from 开滦 and 冀中能源, attendance, certificates, ratings."""
    _, name, starts, ends, place = PAST
    lists = {"开滦集团": ("1393158", 12, 83), "冀中能源集团": ("1393198", 6, 30)}
    training = TrainingClass(
        topic_id=topic.id,
        union_id=topic.union_id,
        title=name,
        starts_on=starts,
        ends_on=ends,
        place=place,
        experts=topic.experts,
        hours=topic.hours,
        capacity=SEATS,
        quota_seats=sum(seats for *_, seats in lists.values()),
        registration_closes=_closing(starts - timedelta(days=7)),
        checkin_code=new_checkin_code(),
    )
    session.add(training)
    session.flush()
    created, number = 1, 0
    for enterprise_name, (prefix, count, seats) in lists.items():
        enterprise = enterprises[enterprise_name]
        quota = ClassQuota(class_id=training.id, enterprise_id=enterprise.id, seats=seats, used=count)
        session.add(quota)
        session.flush()
        created += 1
        for n, worker in enumerate(_trainees(session, enterprise, prefix, count)):
            attended = n != count - 1  # one of each list did not come
            number += attended
            score, comment = COMMENTS[n % len(COMMENTS)] if attended and n % 3 != 2 else (None, None)
            day_one = datetime.combine(starts, time(8, 30), LOCAL_TZ).astimezone(UTC)
            session.add(
                Enrolment(
                    class_id=training.id,
                    worker_id=worker.id,
                    enterprise_id=enterprise.id,
                    quota_id=quota.id,
                    role="工会干部" if n % 2 else "群监员",  # half and half, as 开滦 chose
                    status=CONFIRMED,
                    created_at=day_one - timedelta(days=20),
                    checked_in_at=day_one if attended else None,
                    rating=score,
                    comment=comment,
                    rated_at=day_one + timedelta(days=2, hours=8) if score else None,
                    certificate_no=f"PX{starts:%Y}{training.id:04d}{number:04d}" if attended else None,
                )
            )
            created += 2
    return created


def _wishes(session: Session, topics: dict[str, Topic], enterprises: dict[str, Enterprise]) -> int:
    """Orders and wishes of the 新乡 demo workers and enterprises, for the demand ranking."""
    workers = {w.name: w for w in session.scalars(select(Worker).where(Worker.openid.is_not(None)))}
    orders = [
        ("张伟", "应急救护"),
        ("赵敏", "职业病防治"),
        ("刘洋", "应急救护"),
        ("李建国", "劳动保护知识（煤炭行业）"),
    ]
    session.add_all(TopicOrder(topic_id=topics[t].id, worker_id=workers[w].id) for w, t in orders)
    session.add(
        TopicOrder(
            topic_id=topics["职业病防治"].id,
            enterprise_id=enterprises["凤泉区宝源化工有限公司"].id,
            headcount=20,
            note="一线操作工和班组长",
        )
    )
    wishes = [("张伟", "电工安全操作"), ("李娜", "纺织机械安全防护"), ("杨磊", "电工安全操作培训")]
    for name, text in wishes:
        worker = workers[name]
        industry = worker.employer.industry if worker.employer else None
        session.add(
            TopicRequest(
                union_id=home_union(session, worker),
                worker_id=worker.id,
                industry=industry,
                text=text,
                normalized=normalize(text),
            )
        )
    return len(orders) + 1 + len(wishes)
