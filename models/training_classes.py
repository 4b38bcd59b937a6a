"""Officials' side of training classes: scheduling, quotas, the enrolment list, attendance, certificates, ratings."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import audit
from .access import Actor
from .base import LOCAL_TZ, as_utc, today, utcnow
from .enterprises import Enterprise
from .errors import Conflict, Invalid, NotFound
from .training import CANCELLED, CONFIRMED, WAITLISTED, ClassQuota, Enrolment, TrainingClass
from .training_menu import reaches, topic_in_scope

MAX_CAPACITY = 2000


def new_checkin_code() -> str:
    """Return a fresh six-digit check-in code to show at the class."""
    return f"{secrets.randbelow(10**6):06d}"


def _check_class(fields: dict) -> None:
    if fields["starts_on"] > fields["ends_on"]:
        raise Invalid("开班日期应不晚于结业日期", field="ends_on")
    if (fields["ends_on"] - fields["starts_on"]).days > 60:
        raise Invalid("一期培训最长60天", field="ends_on")
    if not 1 <= fields["capacity"] <= MAX_CAPACITY:
        raise Invalid(f"名额应在1到{MAX_CAPACITY}之间", field="capacity")
    if not 1 <= fields["hours"] <= 200:
        raise Invalid("课时应在1到200之间", field="hours")
    closes = fields["registration_closes"]
    if closes.tzinfo is None:
        raise Invalid("报名截止时间须带时区", field="registration_closes")
    first_day = datetime.combine(fields["starts_on"], datetime.min.time(), LOCAL_TZ)
    if closes > first_day:
        raise Invalid("报名截止时间应不晚于开班当天0点", field="registration_closes")
    if not fields["place"].strip():
        raise Invalid("请填写培训地点", field="place")


def schedule_class(
    session: Session,
    actor: Actor,
    *,
    topic_id: int,
    starts_on: date,
    ends_on: date,
    place: str,
    capacity: int,
    registration_closes: datetime,
    title: str | None = None,
    experts: list[str] | None = None,
    hours: int | None = None,
) -> TrainingClass:
    """Open a class of a topic in scope (上菜); experts and hours default to the topic's."""
    actor.require_write()
    topic = topic_in_scope(session, actor, topic_id)
    if starts_on <= today():
        raise Invalid("开班日期应晚于今天", field="starts_on")
    if registration_closes <= utcnow():
        raise Invalid("报名截止时间应晚于现在", field="registration_closes")
    fields = {
        "title": (title or topic.title).strip(),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "place": place.strip(),
        "experts": [e.strip() for e in (experts if experts is not None else topic.experts) if e.strip()],
        "hours": hours or topic.hours,
        "capacity": capacity,
        "registration_closes": registration_closes,
    }
    _check_class(fields)
    fields["registration_closes"] = registration_closes.astimezone(UTC)  # SQLite keeps no offset
    training = TrainingClass(
        topic_id=topic.id, union_id=topic.union_id, official_id=actor.id, checkin_code=new_checkin_code(), **fields
    )
    session.add(training)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="training_class",
        object_id=training.id,
        union_id=topic.union_id,
    )
    return training


def class_in_scope(session: Session, actor: Actor, class_id: int) -> TrainingClass:
    """Return a class of a union in the official's scope, or raise NotFound."""
    training = session.get(TrainingClass, class_id)
    if training is None or training.union_id not in actor.union_ids:
        raise NotFound("未找到该培训班")
    return training


def update_class(session: Session, actor: Actor, class_id: int, **fields) -> TrainingClass:
    """Change a class that has not started: dates, place, experts, hours, capacity (not below the places taken)."""
    actor.require_write()
    training = class_in_scope(session, actor, class_id)
    if training.cancelled_at is not None or training.starts_on <= today():
        raise Conflict("已开班或已取消的培训班不能修改", field="class_id")
    if fields.get("starts_on", training.starts_on) <= today():
        raise Invalid("开班日期应晚于今天", field="starts_on")
    changed = sorted(fields)
    names = ("starts_on", "ends_on", "place", "capacity", "hours", "registration_closes")
    merged = {n: getattr(training, n) for n in names} | fields
    merged["registration_closes"] = as_utc(merged["registration_closes"])
    _check_class(merged)
    if "capacity" in fields:
        # Conditional on the row, like every other change of places: never below what quotas and seats hold.
        resized = session.execute(
            update(TrainingClass)
            .where(
                TrainingClass.id == training.id,
                TrainingClass.quota_seats + TrainingClass.open_taken <= fields["capacity"],
            )
            .values(capacity=fields.pop("capacity"))
            .execution_options(synchronize_session=False)
        ).rowcount
        if not resized:
            raise Conflict("名额不能少于已分配的企业名额和已报名人数", field="capacity")
        session.refresh(training)
    if "registration_closes" in fields:
        fields["registration_closes"] = fields["registration_closes"].astimezone(UTC)
    for name, value in fields.items():
        setattr(training, name, value)
    audit.record(
        session,
        actor=actor,
        action="update",
        object_type="training_class",
        object_id=training.id,
        union_id=training.union_id,
        fields=changed,
    )
    return training


def set_quota(session: Session, actor: Actor, class_id: int, *, enterprise_id: int, seats: int) -> ClassQuota:
    """Reserve places of a class for an enterprise (0 removes what is unused); never beyond capacity or below use."""
    actor.require_write()
    training = class_in_scope(session, actor, class_id)
    if training.cancelled_at is not None:
        raise Conflict("该培训班已取消", field="class_id")
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None or not reaches(session, training.union_id, enterprise):  # nor reveal others' enterprises
        raise NotFound("未找到该企业", field="enterprise_id")
    if training.topic.industry and enterprise.industry != training.topic.industry:
        raise Invalid(f"该培训班面向{training.topic.industry}行业", field="enterprise_id")
    if not 0 <= seats <= MAX_CAPACITY:
        raise Invalid(f"企业名额应在0到{MAX_CAPACITY}之间", field="seats")
    # Lock the class row first: two officials changing quotas of one class take turns, so each reads the
    # seats the other wrote (PostgreSQL; SQLite has a single writer anyway).
    locked = select(TrainingClass).where(TrainingClass.id == training.id).with_for_update()
    training = session.scalars(locked.execution_options(populate_existing=True)).one()
    quota = session.scalar(
        select(ClassQuota)
        .where(ClassQuota.class_id == training.id, ClassQuota.enterprise_id == enterprise.id)
        .execution_options(populate_existing=True)
    )
    if quota is None:
        quota = ClassQuota(class_id=training.id, enterprise_id=enterprise.id, seats=0)
        session.add(quota)
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError as error:
            raise Conflict("该企业的名额刚被设置，请刷新后再试", field="enterprise_id") from error
    shrunk = session.execute(
        update(ClassQuota)
        .where(ClassQuota.id == quota.id, ClassQuota.used <= seats)
        .values(seats=seats)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not shrunk:
        raise Conflict(f"{enterprise.name}已报名{quota.used}人，名额不能少于此数", field="seats")
    delta = seats - quota.seats
    grown = session.execute(
        update(TrainingClass)
        .where(
            TrainingClass.id == training.id,
            TrainingClass.quota_seats + TrainingClass.open_taken + delta <= TrainingClass.capacity,
        )
        .values(quota_seats=TrainingClass.quota_seats + delta)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not grown:
        session.rollback()
        raise Conflict(f"名额不足：该班最多还能分配{training.open_left}个名额", field="seats")
    session.refresh(quota)
    session.refresh(training)
    audit.record(
        session,
        actor=actor,
        action="quota",
        object_type="training_class",
        object_id=training.id,
        union_id=training.union_id,
        enterprise_id=enterprise.id,
        seats=seats,
    )
    return quota


def list_classes(session: Session, actor: Actor, *, topic_id: int | None = None) -> list[tuple[TrainingClass, dict]]:
    """List the classes of the unions in scope, newest first, each with its counts by status."""
    query = select(TrainingClass).where(TrainingClass.union_id.in_(actor.union_ids))
    if topic_id is not None:
        query = query.where(TrainingClass.topic_id == topic_id)
    classes = list(session.scalars(query.order_by(TrainingClass.starts_on.desc(), TrainingClass.id.desc())))
    counts = counts_by_class(session, [c.id for c in classes])
    return [(c, counts.get(c.id, {})) for c in classes]


def counts_by_class(session: Session, class_ids: list[int]) -> dict[int, dict[str, int]]:
    """Count enrolments by status, and attendance, per class."""
    counts: dict[int, dict[str, int]] = {}
    rows = session.execute(
        select(Enrolment.class_id, Enrolment.status, func.count(), func.count(Enrolment.checked_in_at))
        .where(Enrolment.class_id.in_(class_ids))
        .group_by(Enrolment.class_id, Enrolment.status)
    )
    for class_id, status, count, attended in rows:
        mine = counts.setdefault(class_id, {CONFIRMED: 0, WAITLISTED: 0, CANCELLED: 0, "checked_in": 0})
        mine[status] = count
        mine["checked_in"] += attended
    return counts


def enrolment_list(session: Session, actor: Actor, class_id: int, *, export: bool = False) -> list[Enrolment]:
    """Return a class's live enrolments (names and phones), confirmed before waitlisted; viewing is audited."""
    training = class_in_scope(session, actor, class_id)
    query = (
        select(Enrolment)
        .where(Enrolment.class_id == training.id, Enrolment.status != CANCELLED)
        .order_by(Enrolment.status, Enrolment.id)
    )
    enrolments = list(session.scalars(query))
    audit.record(
        session,
        actor=actor,
        action="export" if export else "view",
        object_type="training_enrolments",
        object_id=training.id,
        union_id=training.union_id,
        count=len(enrolments),
    )
    return enrolments


def check_in_for(session: Session, actor: Actor, enrolment_id: int) -> Enrolment:
    """Mark an enrolled worker present at a class, for one who cannot use the code (e.g. no phone)."""
    actor.require_write()
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None:
        raise NotFound("未找到该报名记录")
    training = class_in_scope(session, actor, enrolment.class_id)
    if training.cancelled_at is not None:
        raise Conflict("该培训班已取消", field="class_id")
    if enrolment.status != CONFIRMED:
        raise Conflict("只有正式报名的学员可以签到", field="enrolment_id")
    if not training.starts_on <= today() <= training.ends_on:
        raise Invalid("只能在培训期间签到", field="enrolment_id")
    if enrolment.checked_in_at is None:
        enrolment.checked_in_at = utcnow()
        audit.record(
            session,
            actor=actor,
            action="check_in",
            object_type="training_enrolment",
            object_id=enrolment.id,
            union_id=training.union_id,
        )
    return enrolment


def renew_checkin_code(session: Session, actor: Actor, class_id: int) -> TrainingClass:
    """Give a class a new check-in code, e.g. once the old one has been passed around."""
    actor.require_write()
    training = class_in_scope(session, actor, class_id)
    training.checkin_code = new_checkin_code()
    audit.record(
        session,
        actor=actor,
        action="renew_code",
        object_type="training_class",
        object_id=training.id,
        union_id=training.union_id,
    )
    return training


def issue_certificates(session: Session, actor: Actor, class_id: int) -> list[Enrolment]:
    """Number a certificate for every attendee of a finished class who has none yet; return all certificates."""
    actor.require_write()
    training = class_in_scope(session, actor, class_id)
    if training.cancelled_at is not None or training.ends_on > today():
        raise Conflict("培训班结业后才能发放结业证书", field="class_id")
    attendees = _attendees(session, training.id)
    issued = sum(1 for e in attendees if e.certificate_no)
    prefix = f"PX{training.starts_on:%Y}{training.id:04d}"
    new = 0
    for enrolment in attendees:
        if enrolment.certificate_no is None:
            issued += 1
            new += 1
            enrolment.certificate_no = f"{prefix}{issued:04d}"
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:  # another official issued them at the same moment
        raise Conflict("证书正在由其他人发放，请刷新后查看", field="class_id") from error
    if new:
        audit.record(
            session,
            actor=actor,
            action="certificates",
            object_type="training_class",
            object_id=training.id,
            union_id=training.union_id,
            issued=new,
        )
    return [e for e in attendees if e.certificate_no]


def certificates(session: Session, actor: Actor, class_id: int) -> list[Enrolment]:
    """Return the attendees of a class who hold a certificate, in certificate order."""
    training = class_in_scope(session, actor, class_id)
    return [e for e in _attendees(session, training.id) if e.certificate_no]


def _attendees(session: Session, class_id: int) -> list[Enrolment]:
    query = select(Enrolment).where(
        Enrolment.class_id == class_id, Enrolment.status == CONFIRMED, Enrolment.checked_in_at.is_not(None)
    )
    return list(
        session.scalars(query.order_by(Enrolment.certificate_no.is_(None), Enrolment.certificate_no, Enrolment.id))
    )


@dataclass
class Ratings:
    """What attendees thought of a class (职工评价)."""

    training_class: TrainingClass
    attendees: int
    rated: int
    average: float | None
    distribution: dict[int, int]
    comments: list[tuple[int, str]] = field(default_factory=list)


def ratings(session: Session, actor: Actor, class_id: int) -> Ratings:
    """Summarise a class's ratings; the comments are free text, so reading them is audited."""
    training = class_in_scope(session, actor, class_id)
    attendees = _attendees(session, training.id)
    rated = [e for e in attendees if e.rating is not None]
    distribution = {score: 0 for score in range(1, 6)}
    for enrolment in rated:
        distribution[enrolment.rating] += 1
    comments = [(e.rating, e.comment) for e in sorted(rated, key=lambda e: e.rated_at) if e.comment]
    if comments:
        audit.record(
            session,
            actor=actor,
            action="view",
            object_type="training_comments",
            object_id=training.id,
            union_id=training.union_id,
        )
    average = round(sum(e.rating for e in rated) / len(rated), 2) if rated else None
    return Ratings(training, len(attendees), len(rated), average, distribution, comments)
