"""Demo needs survey before a menu-style training (菜单式培训): survey first, then topics, then experts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .base import LOCAL_TZ
from .surveys import INDUSTRY, MULTIPLE, SINGLE, TEXT, Survey, SurveyQuestion, SurveyTarget
from .unions import TradeUnion

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
        opens_at=datetime(2026, 11, 16, tzinfo=LOCAL_TZ).astimezone(UTC),  # SQLite keeps no offset
        closes_at=datetime(2027, 2, 28, 23, 59, tzinfo=LOCAL_TZ).astimezone(UTC),
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
