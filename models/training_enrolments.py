"""Signing up for training classes: workers themselves, enterprises within their quota, the waitlist, attendance."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import audit, notifications, waitlist
from .access import Actor
from .base import as_utc, today, utcnow
from .enterprises import Enterprise
from .errors import Conflict, Forbidden, Invalid, NotFound
from .identity import normalize_phone
from .training import CANCELLED, CONFIRMED, ROLES, WAITLISTED, ClassQuota, Enrolment, Topic, TrainingClass
from .training_classes import class_in_scope
from .training_menu import offered_to
from .workers import Worker, create_worker, find_by_phone

RATING_DAYS = 30  # how long after a class its attendees may rate it
MAX_LIST = 500


class QuotaExceeded(Conflict):
    """An enterprise's list is longer than the places its quota has left."""

    code = "quota_exceeded"


def open_classes_for(session: Session, worker: Worker) -> list[TrainingClass]:
    """Return the classes a worker may sign up for now, starting soonest first."""
    query = (
        select(TrainingClass)
        .join(Topic)
        .where(
            offered_to(session, worker),
            TrainingClass.cancelled_at.is_(None),
            TrainingClass.registration_closes > utcnow(),
        )
        .order_by(TrainingClass.starts_on, TrainingClass.id)
    )
    return list(session.scalars(query))


def class_for(session: Session, worker: Worker, class_id: int) -> TrainingClass:
    """Return a class offered to a worker (open or not), or raise NotFound."""
    query = select(TrainingClass).join(Topic).where(TrainingClass.id == class_id, offered_to(session, worker))
    training = session.scalar(query)
    if training is None:
        raise NotFound("未找到该培训班")
    return training


def _check_open(training: TrainingClass) -> None:
    if training.cancelled_at is not None:
        raise Conflict("该培训班已取消", field="class_id")
    if utcnow() >= as_utc(training.registration_closes):
        raise Invalid("该培训班报名已截止", field="class_id")


def enrol(session: Session, *, worker: Worker, class_id: int) -> Enrolment:
    """Sign a worker up for an open place, else the waitlist; commits, so that the place is held."""
    training = class_for(session, worker, class_id)
    _check_open(training)
    if _live(session, training.id, worker.id) is not None:
        raise Conflict("您已报名该培训班", field="class_id")
    # Take an open place atomically: only while quotas and open places taken leave one.
    took = session.execute(
        update(TrainingClass)
        .where(
            TrainingClass.id == training.id,
            TrainingClass.quota_seats + TrainingClass.open_taken < TrainingClass.capacity,
        )
        .values(open_taken=TrainingClass.open_taken + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    enrolment = Enrolment(
        class_id=training.id,
        worker_id=worker.id,
        enterprise_id=worker.employer_id,
        status=CONFIRMED if took else WAITLISTED,
    )
    session.add(enrolment)
    try:
        session.flush()
    except IntegrityError as error:
        session.rollback()  # gives the place back too
        raise Conflict("您已报名该培训班", field="class_id") from error
    if enrolment.status == CONFIRMED:
        _tell(session, enrolment, "enrolled", "培训报名成功", "报名成功")
    else:
        position = waitlist_position(session, enrolment)
        _tell(session, enrolment, "waitlisted", "培训候补登记", f"名额已满，候补第{position}位")
    session.commit()
    session.refresh(training)
    return enrolment


def _live(session: Session, class_id: int, worker_id: int) -> Enrolment | None:
    query = select(Enrolment).where(
        Enrolment.class_id == class_id, Enrolment.worker_id == worker_id, Enrolment.status != CANCELLED
    )
    return session.scalar(query)


def waitlist_position(session: Session, enrolment: Enrolment) -> int | None:
    """Return the place in the queue of a waitlisted enrolment (1 is next)."""
    return waitlist.position(session, enrolment, Enrolment.class_id == enrolment.class_id)


@dataclass(frozen=True)
class Trainee:
    """One person on an enterprise's list."""

    name: str
    phone: str
    role: str | None = None


@dataclass
class ListResult:
    """What signing up an enterprise's list did."""

    enrolled: list[Enrolment]
    already: list[Enrolment]
    quota: ClassQuota


def enrol_list(
    session: Session, actor: Actor, class_id: int, *, enterprise_id: int, trainees: list[Trainee]
) -> ListResult:
    """Sign up an enterprise's workers within its quota, all or none; people already enrolled are left as they are."""
    actor.require_write()
    training = session.get(TrainingClass, class_id)
    enterprise = session.get(Enterprise, enterprise_id)
    # The enterprise's own union (or one above it) fills its list; the organising union may do it for them.
    if enterprise is None or not (
        actor.sees(*enterprise.scope_union_ids) or (training is not None and actor.sees(training.union_id))
    ):
        raise NotFound("未找到该企业", field="enterprise_id")
    quota = None if training is None else _quota(session, training.id, enterprise.id)
    if quota is None:
        raise NotFound("该企业在这个培训班没有名额", field="class_id")
    _check_open(training)
    if not 1 <= len(trainees) <= MAX_LIST:
        raise Invalid(f"名单应有1到{MAX_LIST}人", field="trainees")
    workers = _workers_of(session, enterprise, trainees)
    roles = {w.id: t.role for w, t in zip(workers, trainees, strict=True)}
    already = [e for w in workers if (e := _live(session, training.id, w.id)) is not None]
    known = {e.worker_id for e in already}
    new = [w for w in workers if w.id not in known]
    if new:
        took = session.execute(
            update(ClassQuota)
            .where(ClassQuota.id == quota.id, ClassQuota.used + len(new) <= ClassQuota.seats)
            .values(used=ClassQuota.used + len(new))
            .execution_options(synchronize_session=False)
        ).rowcount
        if not took:
            session.rollback()
            left = session.get(ClassQuota, quota.id).left
            raise QuotaExceeded(
                f"{enterprise.name}的名额还剩{left}个，本次名单新增{len(new)}人，超出名额", field="trainees", left=left
            )
    enrolled = [
        Enrolment(
            class_id=training.id,
            worker_id=w.id,
            enterprise_id=enterprise.id,
            quota_id=quota.id,
            enrolled_by=actor.id,
            role=roles[w.id],
            status=CONFIRMED,
        )
        for w in new
    ]
    session.add_all(enrolled)
    try:
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise Conflict("名单中有人刚刚报了名，请刷新后重新提交", field="trainees") from error
    for enrolment in enrolled:
        _tell(session, enrolment, "enrolled", "培训报名成功", f"{enterprise.name}工会已为您报名")
    audit.record(
        session,
        actor=actor,
        action="enrol_list",
        object_type="training_class",
        object_id=training.id,
        union_id=training.union_id,
        enterprise_id=enterprise.id,
        enrolled=len(enrolled),
        already=len(already),
    )
    session.commit()
    session.refresh(quota)
    return ListResult(enrolled, already, quota)


def _quota(session: Session, class_id: int, enterprise_id: int) -> ClassQuota | None:
    query = select(ClassQuota).where(ClassQuota.class_id == class_id, ClassQuota.enterprise_id == enterprise_id)
    quota = session.scalar(query)
    return quota if quota is not None and quota.seats > 0 else None


def _workers_of(session: Session, enterprise: Enterprise, trainees: list[Trainee]) -> list[Worker]:
    """Find (or register) each person on a list as a worker of the enterprise."""
    workers, phones = [], set()
    for row, trainee in enumerate(trainees, start=1):
        where = {"field": "trainees", "row": row}
        name = trainee.name.strip()
        if not 2 <= len(name) <= 20:
            raise Invalid(f"第{row}行：请填写姓名（2到20个字）", **where)
        if trainee.role is not None and trainee.role not in ROLES:
            raise Invalid(f"第{row}行：岗位应为{'、'.join(ROLES)}之一", **where)
        try:
            phone = normalize_phone(trainee.phone)
        except Invalid as error:
            raise Invalid(f"第{row}行：{error.message}", **where) from error
        if phone in phones:
            raise Invalid(f"第{row}行：手机号与前面重复", **where)
        phones.add(phone)
        worker = find_by_phone(session, phone)
        if worker is None:
            worker = create_worker(session, name=name, phone=phone, employer_id=enterprise.id)
        elif worker.employer_id != enterprise.id:
            raise Forbidden(f"第{row}行：{name}不是{enterprise.name}的职工", **where)
        workers.append(worker)
    return workers


def cancel_enrolment(session: Session, *, worker: Worker, enrolment_id: int) -> Enrolment | None:
    """Withdraw from a class before it starts; returns the enrolment promoted from the waitlist, if any."""
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.worker_id != worker.id:
        raise NotFound("未找到该报名记录")
    return _cancel(session, enrolment)


def cancel_for(session: Session, actor: Actor, enrolment_id: int) -> Enrolment | None:
    """Take someone off a class on behalf of their enterprise or the organising union."""
    actor.require_write()
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None or not (
        actor.sees(enrolment.training_class.union_id)
        or (enrolment.enterprise is not None and actor.sees(*enrolment.enterprise.scope_union_ids))
    ):
        raise NotFound("未找到该报名记录")
    promoted = _cancel(session, enrolment)  # commits: the audit entry follows the cancellation it records
    audit.record(
        session,
        actor=actor,
        action="cancel",
        object_type="training_enrolment",
        object_id=enrolment.id,
        union_id=enrolment.training_class.union_id,
    )
    session.commit()
    return promoted


def _cancel(session: Session, enrolment: Enrolment) -> Enrolment | None:
    if enrolment.training_class.starts_on <= today():
        raise Conflict("培训已开班，不能取消报名", field="enrolment_id")
    was = waitlist.withdraw(session, enrolment)
    if was is None:
        raise Conflict("该报名已取消", field="enrolment_id")
    promoted = None
    if was == CONFIRMED and enrolment.quota_id is not None:
        session.execute(
            update(ClassQuota)
            .where(ClassQuota.id == enrolment.quota_id)
            .values(used=ClassQuota.used - 1)
            .execution_options(synchronize_session=False)
        )
    elif was == CONFIRMED:
        give_back = update(TrainingClass).where(TrainingClass.id == enrolment.class_id)
        promoted = waitlist.promote_first(
            session,
            Enrolment,
            Enrolment.class_id == enrolment.class_id,
            give_back.values(open_taken=TrainingClass.open_taken - 1),
        )
    if promoted is not None:
        _tell(session, promoted, "promoted", "培训候补递补成功", "已从候补转为正式报名")
    session.commit()
    session.refresh(enrolment)
    return promoted


def cancel_class(session: Session, actor: Actor, class_id: int, *, reason: str) -> int:
    """Call off a class that has not ended and tell everyone enrolled; returns how many were told."""
    actor.require_write()
    training = class_in_scope(session, actor, class_id)
    if training.cancelled_at is not None:
        raise Conflict("该培训班已取消", field="class_id")
    if training.ends_on < today():
        raise Conflict("已结业的培训班不能取消", field="class_id")
    if not 2 <= len(reason.strip()) <= 200:
        raise Invalid("请说明取消原因（2到200个字）", field="reason")
    training.cancelled_at = utcnow()
    live = session.scalars(select(Enrolment).where(Enrolment.class_id == training.id, Enrolment.status != CANCELLED))
    told = sum(_tell(session, e, "cancelled", "培训班取消", f"已取消：{reason.strip()}") for e in live)
    audit.record(
        session,
        actor=actor,
        action="cancel",
        object_type="training_class",
        object_id=training.id,
        union_id=training.union_id,
        reason=reason.strip(),
    )
    return told


def quotas_for(session: Session, actor: Actor) -> list[ClassQuota]:
    """Return the quotas of the enterprises in an official's scope, in classes not yet over, soonest first."""
    ids = actor.union_ids
    query = (
        select(ClassQuota)
        .join(TrainingClass)
        .join(Enterprise, ClassQuota.enterprise_id == Enterprise.id)
        .where(
            (Enterprise.union_id.in_(ids)) | (Enterprise.local_union_id.in_(ids)),
            ClassQuota.seats > 0,
            TrainingClass.ends_on >= today(),
        )
        .order_by(TrainingClass.starts_on, ClassQuota.id)
    )
    return list(session.scalars(query))


def enterprise_list(session: Session, actor: Actor, class_id: int, enterprise_id: int) -> list[Enrolment]:
    """Return an enterprise's live enrolments in a class, for its union or the organiser; viewing is audited."""
    training = session.get(TrainingClass, class_id)
    enterprise = session.get(Enterprise, enterprise_id)
    if (
        training is None
        or enterprise is None
        or not (actor.sees(*enterprise.scope_union_ids) or actor.sees(training.union_id))
    ):
        raise NotFound("未找到该企业的报名名单")
    query = select(Enrolment).where(
        Enrolment.class_id == training.id, Enrolment.enterprise_id == enterprise.id, Enrolment.status != CANCELLED
    )
    enrolments = list(session.scalars(query.order_by(Enrolment.id)))
    audit.record(
        session,
        actor=actor,
        action="view",
        object_type="training_enrolments",
        object_id=training.id,
        union_id=training.union_id,
        enterprise_id=enterprise.id,
        count=len(enrolments),
    )
    return enrolments


def my_enrolments(session: Session, worker: Worker) -> list[Enrolment]:
    """Return a worker's enrolments, the coming classes first."""
    query = select(Enrolment).join(TrainingClass).where(Enrolment.worker_id == worker.id)
    return list(session.scalars(query.order_by(TrainingClass.starts_on.desc(), Enrolment.id.desc())))


def check_in(session: Session, *, worker: Worker, class_id: int, code: str) -> tuple[Enrolment, bool]:
    """Check in at a class with the code shown there; returns (enrolment, first time). Commits."""
    enrolment = _live(session, class_id, worker.id)
    if enrolment is None or enrolment.status != CONFIRMED:
        raise NotFound("您没有正式报名该培训班", field="class_id")
    training = enrolment.training_class
    if training.cancelled_at is not None:
        raise Conflict("该培训班已取消", field="class_id")
    if not training.starts_on <= today() <= training.ends_on:
        raise Invalid(
            f"请在培训期间（{training.starts_on:%m月%d日}至{training.ends_on:%m月%d日}）签到", field="class_id"
        )
    if not hmac.compare_digest(code.strip().encode(), training.checkin_code.encode()):
        raise Invalid("签到码不正确，请核对现场公布的6位签到码", field="code")
    if enrolment.checked_in_at is not None:
        return enrolment, False
    enrolment.checked_in_at = utcnow()
    session.commit()
    return enrolment, True


class AlreadyRated(Conflict):
    """An attendee rates a class once."""

    code = "already_rated"
    message = "您已评价过该培训班"


def rate(session: Session, *, worker: Worker, class_id: int, score: int, comment: str = "") -> Enrolment:
    """Rate a class one attended, from its last day on, once (职工评价). Commits."""
    enrolment = _live(session, class_id, worker.id)
    if enrolment is None or enrolment.checked_in_at is None:
        raise Forbidden("只有签到参加培训的学员可以评价")
    training = enrolment.training_class
    if today() < training.ends_on:
        raise Invalid("培训最后一天起可以评价", field="class_id")
    if today() > training.ends_on + timedelta(days=RATING_DAYS):
        raise Invalid(f"评价已截止（结业后{RATING_DAYS}天内）", field="class_id")
    if not 1 <= score <= 5:
        raise Invalid("评分应为1到5分", field="score")
    comment = comment.strip()
    if len(comment) > 500:
        raise Invalid("评价内容最多500字", field="comment")
    rated = session.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id, Enrolment.rating.is_(None))
        .values(rating=score, comment=comment or None, rated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not rated:
        session.rollback()
        raise AlreadyRated(field="class_id")
    session.commit()
    session.refresh(enrolment)
    return enrolment


def _tell(session: Session, enrolment: Enrolment, kind: str, title: str, what: str) -> bool:
    """Queue a notification about an enrolment for its worker, in the same transaction."""
    training = enrolment.training_class
    body = (
        f"{training.title}（{training.starts_on:%m月%d日}—{training.ends_on:%m月%d日}，{training.hours}课时，"
        f"{training.place}）：{what}。"
    )
    data = {
        "thing1": {"value": training.title[:20]},
        "date2": {"value": training.starts_on.isoformat()},
        "thing3": {"value": training.place[:20]},
        "phrase4": {"value": what[:5]},
    }
    return notifications.queue(
        session,
        worker_id=enrolment.worker_id,
        kind=f"training_{kind}",
        key=f"training-{kind}:{enrolment.id}",
        title=title,
        body=body,
        page=f"pages/training/class?id={training.id}",
        data=data,
    )


def queue_reminders(session: Session, day: date) -> int:
    """Remind everyone enrolled in a class starting the day after `day`, and ask attendees of classes that
    ended on `day` to rate them; safe to run again."""
    starting = session.scalars(
        select(Enrolment)
        .join(TrainingClass)
        .where(
            TrainingClass.starts_on == day + timedelta(days=1),
            TrainingClass.cancelled_at.is_(None),
            Enrolment.status == CONFIRMED,
        )
    )
    queued = sum(_tell(session, e, "reminder", "培训明天开班", "明天开班，请按时报到签到") for e in starting)
    ended = session.scalars(
        select(Enrolment)
        .join(TrainingClass)
        .where(
            TrainingClass.ends_on == day,
            TrainingClass.cancelled_at.is_(None),
            Enrolment.checked_in_at.is_not(None),
            Enrolment.rating.is_(None),
        )
    )
    queued += sum(_tell(session, e, "rate", "请评价本期培训", "请为本期培训打分") for e in ended)
    session.commit()
    return queued
