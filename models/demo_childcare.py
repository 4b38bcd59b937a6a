"""Demo childcare programs of the three unions in the seeds, for the coming winter and summer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .base import LOCAL_TZ
from .childcare import CareSession, Kind, Program
from .unions import TradeUnion

FENGQUAN_COURSES = ["作业辅导", "课外阅读", "课间游戏", "舞蹈", "乒乓球", "研学实践", "诚信博物馆参观"]
XINXIANG_COURSES = ["文化修养", "艺术特色", "体育运动", "手工制作", "综合实践", "红色教育"]
HOSPITAL_COURSES = ["作业辅导", "急救自救", "中医文化", "院史馆参观", "“研”途有光特色课"]
STAFF_2_1_N = "“2+1+N”：优秀教师2名负责教学和学生状态，机动岗1名协助教学、纪律和卫生，工作人员若干辅助生活照料"


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=LOCAL_TZ)


# (union, title, season, year, kind, ages, place, hours, courses, meals, registration window, sessions)
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
    added = 0
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
            registration_opens=window[0],
            registration_closes=window[1],
        )
        program.sessions = [CareSession(name=n, starts_on=s, ends_on=e, capacity=c) for n, s, e, c in sessions]
        session.add(program)
        added += 1
    session.flush()
    return added
