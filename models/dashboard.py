"""The officials' dashboard: the figures of their scope, from the counts the other modules keep."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from . import grievance_stats, programs, push_ledger
from .access import Actor
from .base import LOCAL_TZ, as_utc, utcnow
from .childcare import CONFIRMED, KIND_LABELS, WAITLISTED, CareSession, Program
from .digests import PUBLISHED, Digest
from .grievance_cases import OPEN_STATES, past_deadline
from .grievances import CATEGORIES, STATUS_LABELS, GrievanceCase
from .pushes import BROADCAST, FAILED, PENDING, SENT, SKIPPED, Delivery
from .training import Enrolment, TrainingClass
from .unions import ancestors
from .workers import Worker, seen_by

REACH = (SENT, SKIPPED, FAILED, PENDING)  # a push's recipients: sent, skipped, failed, not settled yet
MOST_OVERDUE = 20


@dataclass
class Care:
    """Children registered for the childcare of the latest year in scope, by kind and by session."""

    year: int | None = None
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)  # 日托: {confirmed, waitlisted}
    by_session: list[tuple[str, dict[str, int]]] = field(default_factory=list)

    @property
    def confirmed(self) -> int:
        return sum(row[CONFIRMED] for row in self.by_kind.values())

    @property
    def waitlisted(self) -> int:
        return sum(row[WAITLISTED] for row in self.by_kind.values())


def care(session: Session, actor: Actor) -> Care:
    """Count the children of the latest year's programs in scope (the seeds report a season: 319/32/41)."""
    year = session.scalar(select(func.max(Program.year)).where(Program.union_id.in_(actor.union_ids)))
    if year is None:
        return Care()
    rows = programs.counts(session, actor, year=year)
    by_kind = {label: {CONFIRMED: 0, WAITLISTED: 0} for label in KIND_LABELS.values()}
    for row in rows:
        for status in (CONFIRMED, WAITLISTED):
            by_kind[row["kind"]][status] += row[status]
    # A session is named only where its program has several (第一期, 第二期), to keep the labels short.
    program_ids = {row["program_id"] for row in rows}
    sessions_of = _count(session, CareSession.program_id, CareSession.program_id.in_(program_ids))
    by_session = [
        (
            row["program"] if sessions_of[row["program_id"]] == 1 else f"{row['session']} · {row['program']}",
            {CONFIRMED: row[CONFIRMED], WAITLISTED: row[WAITLISTED]},
        )
        for row in sorted(rows, key=lambda r: r["session_id"])
    ]
    return Care(year, by_kind if rows else {}, by_session)


@dataclass(frozen=True)
class ClassRating:
    """What the attendees of a class thought of it, without their comments (those are an audited view)."""

    title: str
    average: float
    rated: int


def class_ratings(session: Session, actor: Actor, *, limit: int = 10) -> list[ClassRating]:
    """Average the ratings of the newest rated classes in scope."""
    query = (
        select(TrainingClass.title, func.avg(Enrolment.rating), func.count(Enrolment.rating))
        .join(Enrolment, Enrolment.class_id == TrainingClass.id)
        .where(TrainingClass.union_id.in_(actor.union_ids), Enrolment.rating.is_not(None))
        .group_by(TrainingClass.id, TrainingClass.title, TrainingClass.starts_on)
        .order_by(TrainingClass.starts_on.desc(), TrainingClass.id.desc())
        .limit(limit)
    )
    return [ClassRating(title, round(float(average), 2), rated) for title, average, rated in session.execute(query)]


@dataclass
class Grievances:
    """The cases of the scope by state and category, the overdue ones, and what was recovered this year."""

    by_status: dict[str, int]  # in the order of the closed loop, states without cases left out
    by_category: dict[str, int]  # in the order of CATEGORIES, likewise
    overdue: list[tuple[GrievanceCase, int]]  # (case, whole days past its deadline), the longest overdue first
    overdue_count: int
    recovered: Decimal
    year: int

    @property
    def open(self) -> int:
        return sum(self.by_status.get(status, 0) for status in OPEN_STATES)


def grievances(session: Session, actor: Actor, now: datetime | None = None) -> Grievances:
    """Count the cases of the scope; list the open ones past their deadline (the scheduler escalates those)."""
    now = now or utcnow()
    in_scope = GrievanceCase.union_id.in_(actor.union_ids)
    by_status = _count(session, GrievanceCase.status, in_scope)
    by_category = _count(session, GrievanceCase.category, in_scope)
    late = in_scope & past_deadline(now)
    overdue = session.scalars(
        select(GrievanceCase).where(late).order_by(GrievanceCase.deadline_at, GrievanceCase.id).limit(MOST_OVERDUE)
    ).all()
    year = now.astimezone(LOCAL_TZ).year
    return Grievances(
        by_status={status: by_status[status] for status in STATUS_LABELS if by_status.get(status)},
        by_category={code: by_category[code] for code in CATEGORIES if by_category.get(code)},
        overdue=[(c, (now - as_utc(c.deadline_at)).days) for c in overdue],
        overdue_count=session.scalar(select(func.count()).select_from(GrievanceCase).where(late)) or 0,
        recovered=sum(
            (row.amount_recovered for row in grievance_stats.statistics(session, actor, year=year)), Decimal(0)
        ),
        year=year,
    )


def _count(session: Session, column, condition) -> dict[str, int]:
    return dict(session.execute(select(column, func.count()).where(condition).group_by(column)).tuples().all())


@dataclass(frozen=True)
class Reach:
    """How far a push got: its recipients sent, skipped, failed and not settled yet."""

    title: str
    at: datetime | None
    counts: dict[str, int]

    @property
    def recipients(self) -> int:
        return sum(self.counts.values())


def last_digest(session: Session, actor: Actor) -> tuple[Digest, Reach | None] | None:
    """Return the newest published 手机报 the scope's workers get, and its reach among them (None: not pushed)."""
    own = actor.official.union_id
    publishers = set(actor.union_ids) | {union.id for union in ancestors(session, own)}
    digest = session.scalars(
        select(Digest)
        .where(Digest.union_id.in_(publishers), Digest.status == PUBLISHED)
        .order_by(Digest.published_at.desc(), Digest.id.desc())
        .limit(1)
    ).first()
    if digest is None:
        return None
    if digest.push_id is None:
        return digest, None
    if digest.union_id in actor.union_ids:  # the whole audience is the scope's
        counts = _settled(push_ledger.progress(session, digest.push_id)["counts"])
    else:  # a paper from above: only its readers in the scope are the official's to know
        readers = select(Worker.id).where(seen_by(set(actor.union_ids)))
        settled = case((Delivery.status.in_((SENT, SKIPPED, FAILED)), Delivery.status), else_=PENDING)
        rows = session.execute(
            select(settled, func.count())
            .where(Delivery.push_id == digest.push_id, Delivery.worker_id.in_(readers))
            .group_by(settled)
        )
        counts = dict.fromkeys(REACH, 0) | dict(rows.tuples().all())
    return digest, Reach(digest.title, digest.published_at, counts)


def recent_broadcasts(session: Session, actor: Actor, *, limit: int = 5) -> list[Reach]:
    """Return the reach of the newest broadcasts of the scope that have started."""
    pushes = [p for p in push_ledger.list_pushes(session, actor, kind=BROADCAST, limit=50) if p.started_at][:limit]
    return [Reach(p.title, p.started_at, _settled(push_ledger.progress(session, p.id)["counts"])) for p in pushes]


def _settled(counts: dict[str, int]) -> dict[str, int]:
    """Fold rows still pending or being sent into one 'not settled yet'."""
    return {SENT: counts[SENT], SKIPPED: counts[SKIPPED], FAILED: counts[FAILED]} | {
        PENDING: counts[PENDING] + counts["sending"]
    }
