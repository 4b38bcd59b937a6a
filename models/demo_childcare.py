"""Demo childcare of the three unions in the seeds: the coming winter's and summer's programs, children registered."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .base import LOCAL_TZ, as_utc, utcnow
from .childcare import CONFIRMED, WAITLISTED, CareSession, Child, Kind, Program, Registration
from .crypto import blind_index
from .demo_calendar import moved_by
from .enterprises import find_enterprise
from .notifications import grant
from .push_audience import NEWS_TEMPLATE
from .registrations import ChildInfo
from .unions import TradeUnion
from .workers import Worker, create_worker

FENGQUAN_COURSES = ["作业辅导", "课外阅读", "课间游戏", "舞蹈", "乒乓球", "研学实践", "诚信博物馆参观"]
XINXIANG_COURSES = ["文化修养", "艺术特色", "体育运动", "手工制作", "综合实践", "红色教育"]
HOSPITAL_COURSES = ["作业辅导", "急救自救", "中医文化", "院史馆参观", "“研”途有光特色课"]
STAFF_2_1_N = "“2+1+N”：优秀教师2名负责教学和学生状态，机动岗1名协助教学、纪律和卫生，工作人员若干辅助生活照料"


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=LOCAL_TZ)


# (union, title, season, year, kind, ages, place, hours, courses, meals, registration window, sessions); the dates
# as the seeds schedule them, moved on at loading (demo_calendar), the children's birthdays with them.
PROGRAMS = [
    (
        "凤泉区总工会",
        "凤泉区总工会2027年寒假职工子女爱心托管班",
        "winter",
        2027,
        Kind.DAY,
        (6, 12),
        "凤泉区职工服务中心",
        "8:00-17:30",
        FENGQUAN_COURSES,
        "午餐、下午加餐，由合作机构配餐，工会监督餐饮卫生",
        (_at(2026, 11, 16), _at(2027, 1, 15)),
        [("第一期", date(2027, 1, 25), date(2027, 2, 5), 40), ("第二期", date(2027, 2, 15), date(2027, 2, 26), 40)],
    ),
    (
        "新乡县总工会",
        "新乡县总工会2027年寒假爱心托管（日托）",
        "winter",
        2027,
        Kind.DAY,
        (6, 12),
        "新乡县职工服务中心",
        "8:00-17:30",
        XINXIANG_COURSES,
        "午餐、午休",
        (_at(2026, 11, 16), _at(2027, 1, 15)),
        [("寒假班", date(2027, 1, 25), date(2027, 2, 26), 120)],
    ),
    (
        "新乡县总工会",
        "新乡县总工会2027年寒假爱心托管（周托）",
        "winter",
        2027,
        Kind.WEEK,
        (7, 12),
        "新乡县职工服务中心",
        "周一8:00至周五17:30",
        XINXIANG_COURSES,
        "一日三餐，住宿有生活老师值守",
        (_at(2026, 11, 16), _at(2027, 1, 15)),
        [("寒假班", date(2027, 1, 25), date(2027, 2, 26), 16)],
    ),
    (
        "新乡县总工会",
        "新乡县总工会2027年寒假爱心托管（幼托）",
        "winter",
        2027,
        Kind.PRESCHOOL,
        (3, 5),
        "新乡县职工服务中心",
        "8:30-17:00",
        ["绘本阅读", "手工制作", "音乐律动", "户外游戏"],
        "午餐、午睡、两次加餐",
        (_at(2026, 11, 16), _at(2027, 1, 15)),
        [("寒假班", date(2027, 1, 25), date(2027, 2, 26), 20)],
    ),
    (
        "新乡医学院第一附属医院工会",
        "新医一附院2027年寒假职工子女托管班",
        "winter",
        2027,
        Kind.DAY,
        (6, 14),
        "新乡医学院第一附属医院职工之家",
        "7:30-18:00",
        HOSPITAL_COURSES,
        "医院职工餐厅供餐，营养科配餐",
        (_at(2026, 11, 16), _at(2027, 1, 10)),
        [("寒假班", date(2027, 1, 18), date(2027, 2, 9), 60)],
    ),
    (
        "凤泉区总工会",
        "凤泉区总工会2027年暑期职工子女爱心托管班",
        "summer",
        2027,
        Kind.DAY,
        (6, 12),
        "凤泉区职工服务中心",
        "8:00-17:30",
        FENGQUAN_COURSES,
        "午餐、下午加餐",
        (_at(2027, 5, 15), _at(2027, 6, 30)),
        [("第一期", date(2027, 7, 12), date(2027, 7, 30), 40), ("第二期", date(2027, 8, 2), date(2027, 8, 20), 40)],
    ),
]


def load_programs(session: Session) -> int:
    """Add the demo programs that are missing; return how many were added."""
    added, moved = 0, moved_by()
    for union_name, title, season, year, kind, (low, high), place, hours, courses, meals, window, sessions in PROGRAMS:
        if session.scalar(select(Program.id).where(Program.title == title)) is not None:
            continue
        union = session.scalars(select(TradeUnion).where(TradeUnion.name == union_name)).one()
        program = Program(
            union_id=union.id,
            title=title,
            season=season,
            year=year,
            kind=kind,
            min_age=low,
            max_age=high,
            place=place,
            daily_hours=hours,
            fee_yuan=0,
            courses=courses,
            meals=meals,
            staff=STAFF_2_1_N,
            timetable="上午文化课与作业辅导，下午兴趣课程与户外活动",
            members_only=True,
            registration_opens=window[0] + moved,
            registration_closes=window[1] + moved,
        )
        program.sessions = [
            CareSession(name=n, starts_on=s + moved, ends_on=e + moved, capacity=c) for n, s, e, c in sessions
        ]
        session.add(program)
        added += 1
    session.flush()
    return added


# Where the demo's children are registered: program, session. The winter's 凤泉 第一期 is left empty on purpose
# (an official can try the waitlist there), so is the summer, whose registration has not opened yet.
SESSIONS = {
    "日托": ("新乡县总工会2027年寒假爱心托管（日托）", "寒假班"),
    "周托": ("新乡县总工会2027年寒假爱心托管（周托）", "寒假班"),  # 16 places: full, two children waiting
    "幼托": ("新乡县总工会2027年寒假爱心托管（幼托）", "寒假班"),
    "凤泉": ("凤泉区总工会2027年寒假职工子女爱心托管班", "第二期"),
    "医院": ("新医一附院2027年寒假职工子女托管班", "寒假班"),
}
XIAOJI, ZHAIPO = "新乡县小冀镇工会", "新乡县翟坡镇工会"
HUAXING, BAOYUAN, HOSPITAL = "新乡县华兴食品有限公司", "凤泉区宝源化工有限公司", "新乡医学院第一附属医院"
# Who may get the 手机报 as a subscribe message (NEWS_TEMPLATE), as tapped in the mini-program when registering:
# "allowed" once (第31期 spent it), "refused" (allowed here, then switched off in WeChat: 43101), None (the inbox).
ALLOWED, REFUSED = "allowed", "refused"

# Parents who registered through the mini-program: name, phone, employer or union, member since, the 手机报 by
# subscribe message, emergency contact. Members of a township union without an employer are new-economy workers
# (外卖骑手, 网约车司机), whom the unions recruit directly; their long hours are why week care (周托) exists.
PARENTS = [
    ("郭晓燕", "15837301001", HUAXING, date(2017, 4, 1), ALLOWED, "外婆 15937301001"),
    ("付晓东", "15837301002", HUAXING, date(2019, 6, 1), None, "爷爷 15937301002"),
    ("马红霞", "15837301003", HUAXING, date(2014, 3, 8), None, "孩子爸爸 15937301003"),
    ("牛振华", "15837301004", XIAOJI, date(2023, 5, 1), ALLOWED, "奶奶 15937301004"),
    ("宋丽娟", "15837301005", HUAXING, date(2016, 9, 1), None, "孩子爸爸 15937301005"),
    ("韩磊", "15837301006", ZHAIPO, date(2022, 10, 1), REFUSED, "孩子妈妈 15937301006"),
    ("田秀丽", "15837301007", BAOYUAN, date(2018, 7, 1), ALLOWED, "孩子爸爸 15937301007"),
    ("尚文静", "15837301008", HOSPITAL, date(2013, 8, 1), ALLOWED, "外婆 15937301008"),  # a nurse on night shifts
    ("冯雪梅", "15837301009", HUAXING, date(2015, 5, 1), ALLOWED, "奶奶 15937301009"),
    ("程志刚", "15837301010", HUAXING, date(2012, 7, 1), None, "孩子妈妈 15937301010"),
    ("胡斌", "15837301011", HOSPITAL, date(2011, 9, 1), None, "孩子妈妈 15937301011"),
    ("贾丽", "15837301012", HUAXING, date(2018, 3, 1), None, "外公 15937301012"),
    ("崔海燕", "15837301013", XIAOJI, date(2023, 9, 1), None, "孩子爸爸 15937301013"),
    ("吕娜", "15837301014", ZHAIPO, date(2021, 1, 1), None, "奶奶 15937301014"),
    ("薛伟", "15837301015", HUAXING, date(2016, 2, 1), ALLOWED, "孩子妈妈 15937301015"),
    ("侯雅琴", "15837301016", HOSPITAL, date(2019, 7, 1), ALLOWED, "孩子爸爸 15937301016"),
    ("任晓静", "15837301017", HUAXING, date(2019, 4, 1), None, "孩子爸爸 15937301017"),
    ("申建华", "15837301018", ZHAIPO, date(2022, 6, 1), REFUSED, "孩子妈妈 15937301018"),
    ("秦玉梅", "15837301019", HUAXING, date(2013, 11, 1), None, "奶奶 15937301019"),
    ("常丽萍", "15837301020", HOSPITAL, date(2020, 8, 1), None, "外婆 15937301020"),
    ("白涛", "15837301021", HUAXING, date(2017, 12, 1), None, "孩子妈妈 15937301021"),
    ("范军", "15837301022", BAOYUAN, date(2016, 4, 1), None, "孩子妈妈 15937301022"),
    ("姚丽红", "15837301023", HUAXING, date(2015, 3, 1), ALLOWED, "外婆 15937301023"),
    ("岳鹏", "15837301024", XIAOJI, date(2024, 3, 1), None, "孩子奶奶 15937301024"),
    ("邓丽", "15837301025", HUAXING, date(2020, 5, 1), None, "孩子爸爸 15937301025"),
]
# (parent, child, born, gender, health notes, where), in the order they were registered.
CHILDREN = [
    ("郭晓燕", "郭子墨", date(2016, 3, 14), "男", None, "周托"),
    ("郭晓燕", "郭子萱", date(2022, 7, 2), "女", None, "幼托"),
    ("付晓东", "付明轩", date(2019, 4, 15), "男", None, "日托"),
    ("付晓东", "付明哲", date(2020, 1, 10), "男", None, "日托"),
    ("马红霞", "马浩然", date(2015, 9, 21), "男", None, "周托"),
    ("牛振华", "牛一诺", date(2017, 5, 8), "女", None, "周托"),
    ("牛振华", "牛一航", date(2019, 11, 30), "男", None, "日托"),
    ("宋丽娟", "宋雨桐", date(2016, 12, 1), "女", "花生过敏", "周托"),
    ("宋丽娟", "宋雨泽", date(2020, 1, 1), "男", None, "日托"),
    ("韩磊", "韩沐阳", date(2015, 6, 17), "男", None, "周托"),  # twins
    ("韩磊", "韩沐晨", date(2015, 6, 17), "男", None, "周托"),
    ("田秀丽", "范思雨", date(2017, 2, 9), "女", None, "凤泉"),
    ("尚文静", "李沐晨", date(2015, 10, 3), "男", None, "医院"),
    ("尚文静", "李沐溪", date(2018, 12, 24), "女", None, "医院"),
    ("冯雪梅", "冯嘉怡", date(2018, 2, 25), "女", None, "周托"),
    ("程志刚", "程宇轩", date(2014, 10, 9), "男", None, "周托"),
    ("程志刚", "程宇涵", date(2019, 8, 8), "女", None, "日托"),
    ("胡斌", "胡一鸣", date(2013, 5, 30), "男", None, "医院"),
    ("贾丽", "贾思琪", date(2017, 8, 19), "女", None, "周托"),
    ("贾丽", "贾思源", date(2023, 3, 11), "男", "乳糖不耐受", "幼托"),
    ("崔海燕", "崔梓涵", date(2016, 4, 27), "女", "轻度哮喘，随身带喷雾", "周托"),
    ("吕娜", "吕欣妍", date(2018, 12, 20), "女", None, "日托"),
    ("薛伟", "薛子豪", date(2017, 1, 5), "男", None, "周托"),
    ("侯雅琴", "王若汐", date(2016, 7, 7), "女", None, "医院"),
    ("任晓静", "任可欣", date(2018, 9, 13), "女", None, "周托"),
    ("任晓静", "任浩宇", date(2014, 5, 22), "男", None, "日托"),
    ("申建华", "申奥", date(2016, 7, 30), "男", None, "周托"),
    ("申建华", "申楠", date(2018, 3, 21), "女", None, "日托"),
    ("秦玉梅", "秦语嫣", date(2015, 11, 16), "女", None, "周托"),
    ("常丽萍", "赵子琪", date(2014, 2, 14), "女", None, "医院"),
    ("白涛", "白宇航", date(2017, 10, 2), "男", None, "周托"),
    ("范军", "范一凡", date(2015, 8, 12), "男", None, "凤泉"),
    ("范军", "范一帆", date(2019, 6, 6), "女", None, "凤泉"),
    ("姚丽红", "姚欣怡", date(2016, 1, 28), "女", None, "周托"),  # the last of the 16 places
    ("姚丽红", "姚欣悦", date(2021, 4, 9), "女", None, "幼托"),
    ("岳鹏", "岳子轩", date(2015, 3, 3), "男", None, "周托"),  # waiting, first
    ("邓丽", "邓佳琪", date(2017, 6, 6), "女", None, "周托"),  # waiting, second
]


def parent_openid(phone: str) -> str:
    """Return a demo parent's mini-program openid."""
    return f"oDemo-mini-{phone}"


def load_registrations(session: Session) -> int:
    """Add the demo parents and register their children if none of them is there yet; return how many rows."""
    openids = [parent_openid(phone) for _, phone, *_ in PARENTS]
    if session.scalar(select(Worker.id).where(Worker.miniapp_openid.in_(openids)).limit(1)) is not None:
        return 0
    sessions = {}
    for key, (title, name) in SESSIONS.items():
        program = session.scalars(select(Program).where(Program.title == title)).one()
        sessions[key] = next(s for s in program.sessions if s.name == name)
    # Registered one after another while registration was open, over a week at least, until two hours ago.
    opens = min(as_utc(care.program.registration_opens) for care in sessions.values())
    closes = min(as_utc(care.program.registration_closes) for care in sessions.values())
    last = min(utcnow() - timedelta(hours=2), closes)
    first = min(opens, last - timedelta(days=7))
    step = (last - first) / len(CHILDREN)
    parents: dict[str, tuple[Worker, str]] = {}
    moved = moved_by()
    for number, (parent_name, name, born, gender, health, where) in enumerate(CHILDREN):
        at = first + step * number
        if parent_name not in parents:
            parents[parent_name] = _parent(session, parent_name, joined=at - timedelta(minutes=20))
        parent, contact = parents[parent_name]
        _register(session, parent, sessions[where], ChildInfo(name, born + moved, gender, health), contact, at)
    session.flush()
    return len(parents) + len(CHILDREN)


def _parent(session: Session, name: str, joined: datetime) -> tuple[Worker, str]:
    """Add a parent as a worker of the mini-program; return them and their emergency contact."""
    _, phone, place, since, news, contact = next(p for p in PARENTS if p[0] == name)
    employer = find_enterprise(session, place)
    union_id = (
        (employer.union_id or employer.local_union_id)
        if employer
        else session.scalars(select(TradeUnion.id).where(TradeUnion.name == place)).one()
    )
    parent = create_worker(
        session,
        name=name,
        phone=phone,
        miniapp_openid=parent_openid(phone),
        employer_id=employer.id if employer else None,
        union_id=union_id,
        member_since=since,
    )
    parent.created_at = joined
    if news is not None:
        grant(session, parent.id, NEWS_TEMPLATE)
    return parent, contact


def _register(session: Session, parent: Worker, care: CareSession, info: ChildInfo, contact: str, at: datetime) -> None:
    """Write what register_child wrote when the parent registered: a place while one was left, else the waitlist.

    Not register_child itself: it checks the registration window against today's clock and commits, while these
    registrations were made in the past and the demo is loaded in one transaction. The parents were told then,
    so no notification is queued now.
    """
    child = Child(
        guardian_id=parent.id,
        identity_hash=blind_index(f"{info.name}|{info.birth_date.isoformat()}"),
        name=info.name,
        birth_date=info.birth_date.isoformat(),
        gender=info.gender,
        health_notes=info.health_notes,
        created_at=at,
    )
    took = care.taken < care.capacity  # the demo is loaded by one process: no race for the last place
    care.taken += took
    session.add(
        Registration(
            session=care,
            child=child,
            guardian_id=parent.id,
            status=CONFIRMED if took else WAITLISTED,
            guardian_phone=parent.phone,
            emergency_contact=contact,
            consent_at=at,
            created_at=at,
        )
    )
