"""Deadlines of a grievance's stages (accept within 2 working days, an 意见书 answered within 15 days…), as data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import chinese_calendar
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import audit
from .access import Actor
from .base import LOCAL_TZ, Base, utcnow
from .errors import Invalid

ACCEPT, HANDLE, OPINION, OVERDUE = "accept", "handle", "opinion", "escalated"
# stage: (days, working days?, what it is)
DEFAULTS = {
    ACCEPT: (2, True, "收到后受理"),
    HANDLE: (30, False, "受理后办结"),
    OPINION: (15, False, "企业答复意见书"),
    OVERDUE: (10, True, "上报后上级工会处理"),
}


class DeadlineRule(Base):
    """How long a stage of a case may take before the case is escalated; set by an admin."""

    __tablename__ = "grievance_deadlines"

    stage: Mapped[str] = mapped_column(String(12), primary_key=True)
    days: Mapped[int]
    working_days: Mapped[bool]


def rules(session: Session) -> dict[str, tuple[int, bool]]:
    """Return each stage's (days, working days?), the defaults where an admin set none."""
    custom = {r.stage: (r.days, r.working_days) for r in session.scalars(select(DeadlineRule))}
    return {stage: custom.get(stage, (days, working)) for stage, (days, working, _) in DEFAULTS.items()}


def set_rule(session: Session, actor: Actor, stage: str, *, days: int, working_days: bool) -> None:
    """Change how long a stage may take (admins only)."""
    actor.require_admin()
    if stage not in DEFAULTS:
        raise Invalid(f"环节应为 {', '.join(DEFAULTS)} 之一", field="stage")
    if not 1 <= days <= 180:
        raise Invalid("期限应在1到180天之间", field="days")
    row = session.get(DeadlineRule, stage) or DeadlineRule(stage=stage)
    row.days, row.working_days = days, working_days
    session.add(row)
    audit.record(session, actor=actor, action="update", object_type="grievance_deadline", object_id=stage, days=days)


def is_workday(day: date) -> bool:
    """Tell whether a day is a working day in China (holidays and swapped weekends; Mon–Fri beyond the data)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # the calendar is published year by year
        return day.weekday() < 5


def add_working_days(start: date, count: int) -> date:
    """Return the day `count` working days after `start`."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        count -= is_workday(day)
    return day


def due(session: Session, stage: str, start: datetime | None = None) -> datetime:
    """Return when a stage begun at `start` (now) is due: the end of its last day, China time, in UTC."""
    days, working = rules(session)[stage]
    began = (start or utcnow()).astimezone(LOCAL_TZ).date()
    last = add_working_days(began, days) if working else began + timedelta(days=days)
    return datetime.combine(last, time(23, 59, 59), LOCAL_TZ).astimezone(UTC)
