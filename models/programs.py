"""Officials' side of childcare: programs and sessions, rosters (audited), counts per kind and session."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import audit
from .access import Actor
from .base import as_utc
from .childcare import CONFIRMED, KIND_LABELS, SEASON_LABELS, WAITLISTED, CareSession, Kind, Program, Registration
from .errors import Invalid, NotFound


def create_program(session: Session, actor: Actor, *, union_id: int, **fields) -> Program:
    """Open a childcare program of a union in the official's scope."""
    actor.require_write()
    actor.require_union(session, union_id)
    _check_program(fields)
    program = Program(union_id=union_id, **fields)
    session.add(program)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="childcare_program",
        object_id=program.id,
        union_id=union_id,
        ip=actor.ip,
    )
    return program


def _check_program(fields: dict) -> None:
    if fields["season"] not in SEASON_LABELS:
        raise Invalid("季节应为 summer（暑期）或 winter（寒假）", field="season")
    if fields["kind"] not in KIND_LABELS:
        raise Invalid("类型应为 day（日托）、week（周托）或 preschool（幼托）", field="kind")
    if not 0 <= fields["min_age"] <= fields["max_age"] <= 16:
        raise Invalid("年龄范围应在0到16岁之间，且下限不大于上限", field="min_age")
    if as_utc(fields["registration_opens"]) >= as_utc(fields["registration_closes"]):
        raise Invalid("报名开始时间应早于截止时间", field="registration_closes")


def update_program(session: Session, actor: Actor, program_id: int, **fields) -> Program:
    """Change a program in scope."""
    actor.require_write()
    program = program_in_scope(session, actor, program_id)
    merged = {
        k: getattr(program, k)
        for k in ("season", "kind", "min_age", "max_age", "registration_opens", "registration_closes")
    }
    _check_program(merged | fields)
    for name, value in fields.items():
        setattr(program, name, value)
    audit.record(
        session,
        actor=actor,
        action="update",
        object_type="childcare_program",
        object_id=program.id,
        union_id=program.union_id,
        ip=actor.ip,
        fields=sorted(fields),
    )
    return program


def add_session(
    session: Session, actor: Actor, program_id: int, *, name: str, starts_on: date, ends_on: date, capacity: int
) -> CareSession:
    """Add a period with its number of places to a program in scope."""
    actor.require_write()
    program = program_in_scope(session, actor, program_id)
    if starts_on > ends_on:
        raise Invalid("开班日期应不晚于结班日期", field="ends_on")
    if not 1 <= capacity <= 2000:
        raise Invalid("名额应在1到2000之间", field="capacity")
    care = CareSession(program_id=program.id, name=name, starts_on=starts_on, ends_on=ends_on, capacity=capacity)
    session.add(care)
    session.flush()
    return care


def program_in_scope(session: Session, actor: Actor, program_id: int) -> Program:
    """Return a program of a union in the official's scope, or raise NotFound."""
    program = session.get(Program, program_id)
    if program is None or program.union_id not in actor.union_ids:
        raise NotFound("未找到该托管项目")
    return program


def programs_in_scope(session: Session, actor: Actor, *, year: int | None = None) -> list[Program]:
    """List the programs of the unions in the official's scope, newest first."""
    query = (
        select(Program).where(Program.union_id.in_(actor.union_ids)).order_by(Program.year.desc(), Program.id.desc())
    )
    if year is not None:
        query = query.where(Program.year == year)
    return list(session.scalars(query))


def session_in_scope(session: Session, actor: Actor, session_id: int) -> CareSession:
    """Return a session of a program in the official's scope, or raise NotFound."""
    care = session.get(CareSession, session_id)
    if care is None or care.program.union_id not in actor.union_ids:
        raise NotFound("未找到该托管班")
    return care


def list_programs(
    session: Session,
    *,
    union_id: int | None = None,
    kind: str | None = None,
    season: str | None = None,
    year: int | None = None,
    age: int | None = None,
) -> list[Program]:
    """List programs for workers, newest first, filtered as asked."""
    query = select(Program).order_by(Program.year.desc(), Program.id.desc())
    for column, value in (
        (Program.union_id, union_id),
        (Program.kind, kind),
        (Program.season, season),
        (Program.year, year),
    ):
        if value is not None:
            query = query.where(column == value)
    if age is not None:
        query = query.where(Program.min_age <= age, Program.max_age >= age)
    return list(session.scalars(query))


def open_sessions(session: Session, now: datetime) -> list[CareSession]:
    """Return the sessions whose registration window is open now, earliest first."""
    query = (
        select(CareSession)
        .join(Program)
        .where(Program.registration_opens <= now, Program.registration_closes >= now)
        .order_by(CareSession.starts_on, CareSession.id)
    )
    return list(session.scalars(query))


def roster(
    session: Session, actor: Actor, session_id: int, *, export: bool = False
) -> tuple[CareSession, list[Registration]]:
    """Return a session's registrations, confirmed then waitlisted, leaving an audit entry (children's data)."""
    care = session_in_scope(session, actor, session_id)
    rows = session.scalars(
        select(Registration)
        .where(Registration.session_id == care.id, Registration.status.in_((CONFIRMED, WAITLISTED)))
        .order_by(Registration.status, Registration.id)
    )
    audit.record(
        session,
        actor=actor,
        action="export" if export else "view",
        object_type="childcare_roster",
        object_id=care.id,
        union_id=care.program.union_id,
        ip=actor.ip,
    )
    return care, list(rows)


def counts(session: Session, actor: Actor, *, year: int | None = None) -> list[dict]:
    """Count confirmed and waitlisted children per program, kind and session in scope (like 319/32/41)."""
    query = (
        select(
            Program.id, Program.title, Program.kind, CareSession.id, CareSession.name, Registration.status, func.count()
        )
        .join(CareSession, CareSession.program_id == Program.id)
        .join(Registration, Registration.session_id == CareSession.id)
        .where(Program.union_id.in_(actor.union_ids), Registration.status.in_((CONFIRMED, WAITLISTED)))
        .group_by(Program.id, Program.title, Program.kind, CareSession.id, CareSession.name, Registration.status)
    )
    if year is not None:
        query = query.where(Program.year == year)
    table: dict[int, dict] = {}
    for program_id, title, kind, session_id, name, status, count in session.execute(query):
        row = table.setdefault(
            session_id,
            {
                "program_id": program_id,
                "program": title,
                "kind": KIND_LABELS[Kind(kind)],
                "session_id": session_id,
                "session": name,
                CONFIRMED: 0,
                WAITLISTED: 0,
            },
        )
        row[status] = count
    return list(table.values())
