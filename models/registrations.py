"""Registering children for childcare: the rules, places that are never overbooked, the waitlist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import audit, notifications, waitlist
from .access import Actor
from .base import as_utc, today, utcnow
from .childcare import CANCELLED, CONFIRMED, WAITLISTED, CareSession, Child, Program, Registration
from .crypto import blind_index
from .errors import Conflict, Forbidden, Invalid, NotFound
from .identity import normalize_phone
from .unions import subtree_ids
from .workers import Worker


@dataclass(frozen=True)
class ChildInfo:
    """What a guardian tells about a child."""

    name: str
    birth_date: date
    gender: str  # 男 | 女
    health_notes: str | None = None


def age_on(born: date, day: date) -> int:
    """Return the age in whole years on a day."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _child(session: Session, guardian: Worker, info: ChildInfo) -> Child:
    name = info.name.strip()
    if not 2 <= len(name) <= 20:
        raise Invalid("请填写孩子的姓名（2到20个字）", field="child.name")
    if info.gender not in ("男", "女"):
        raise Invalid("孩子的性别请填“男”或“女”", field="child.gender")
    if info.birth_date >= today():
        raise Invalid("出生日期应早于今天", field="child.birth_date")
    identity = blind_index(f"{name}|{info.birth_date.isoformat()}")
    child = session.scalar(select(Child).where(Child.guardian_id == guardian.id, Child.identity_hash == identity))
    if child is None:
        child = Child(
            guardian_id=guardian.id, identity_hash=identity, name=name, birth_date=info.birth_date.isoformat()
        )
        session.add(child)
    child.gender, child.health_notes = info.gender, (info.health_notes or "").strip() or None
    session.flush()
    return child


def may_register(session: Session, guardian: Worker, program: Program) -> bool:
    """Whether the worker may register children for the program: any worker, or only members of its union or below."""
    if not program.members_only:
        return True
    return guardian.is_member and guardian.union_id in subtree_ids(session, program.union_id)


def _check_rules(session: Session, guardian: Worker, care: CareSession, child: Child) -> None:
    program = care.program
    now = utcnow()
    if not as_utc(program.registration_opens) <= now <= as_utc(program.registration_closes):
        raise Invalid("不在报名时间内", field="session_id")
    if not may_register(session, guardian, program):
        raise Forbidden(f"该托管班仅面向{program.union.name}及下属工会的会员")
    age = age_on(child.born, care.starts_on)
    if not program.min_age <= age <= program.max_age:
        raise Invalid(
            f"开班时孩子{age}岁，该托管班招收{program.min_age}至{program.max_age}岁", field="child.birth_date"
        )
    same = select(Registration.id).where(
        Registration.child_id == child.id, Registration.session_id == care.id, Registration.status != CANCELLED
    )
    if session.scalar(same) is not None:
        raise Conflict("孩子已报名该托管班", field="session_id")
    overlapping = (
        select(Registration.id)
        .join(CareSession)
        .where(
            Registration.child_id == child.id,
            Registration.status != CANCELLED,
            CareSession.starts_on <= care.ends_on,
            CareSession.ends_on >= care.starts_on,
        )
    )
    if session.scalar(overlapping) is not None:
        raise Conflict("孩子已报名了时间重叠的托管班", field="session_id")


def register_child(
    session: Session,
    *,
    guardian: Worker,
    session_id: int,
    child: ChildInfo,
    guardian_phone: str,
    emergency_contact: str,
    consent: bool,
) -> Registration:
    """Register a child: a place if one is left, else the waitlist; commits, so that the place is held."""
    if not consent:
        raise Invalid("需要监护人同意采集和使用孩子的信息", field="consent")
    if not emergency_contact.strip():
        raise Invalid("请填写紧急联系人和电话", field="emergency_contact")
    phone = normalize_phone(guardian_phone)
    care = session.get(CareSession, session_id)
    if care is None:
        raise NotFound("未找到该托管班")
    kid = _child(session, guardian, child)
    _check_rules(session, guardian, care, kid)
    # Take a place atomically: the UPDATE only succeeds while places are left, on SQLite and PostgreSQL alike.
    took = session.execute(
        update(CareSession)
        .where(CareSession.id == care.id, CareSession.taken < CareSession.capacity)
        .values(taken=CareSession.taken + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    registration = Registration(
        session_id=care.id,
        child_id=kid.id,
        guardian_id=guardian.id,
        status=CONFIRMED if took else WAITLISTED,
        guardian_phone=phone,
        emergency_contact=emergency_contact.strip(),
        consent_at=utcnow(),
    )
    session.add(registration)
    try:
        session.flush()
    except IntegrityError as error:
        session.rollback()
        raise Conflict("孩子已报名该托管班", field="session_id") from error
    if registration.status == CONFIRMED:
        _tell(session, registration, "registered", "托管报名成功", "已报名")
    else:
        position = waitlist_position(session, registration)
        _tell(
            session, registration, "waitlisted", "托管候补登记", f"名额已满，排在候补第{position}位，有名额时自动递补"
        )
    session.commit()
    session.refresh(care)  # places left, for the caller's answer
    return registration


def _tell(session: Session, registration: Registration, kind: str, title: str, what: str) -> bool:
    """Queue a notification about a registration for its guardian, in the same transaction."""
    care, child = registration.session, registration.child
    program = care.program
    body = (
        f"{child.name}：{program.title}·{care.name}（{care.starts_on:%m月%d日}—{care.ends_on:%m月%d日}，"
        f"{program.daily_hours}，{program.place}）{what}。"
    )
    data = {
        "thing1": {"value": program.title[:20]},
        "thing2": {"value": child.name[:20]},
        "date3": {"value": care.starts_on.isoformat()},
        "phrase4": {"value": what[:5]},
    }
    return notifications.queue(
        session,
        worker_id=registration.guardian_id,
        kind=f"childcare_{kind}",
        key=f"childcare-{kind}:{registration.id}",
        title=title,
        body=body,
        page=f"pages/childcare/registration?id={registration.id}",
        data=data,
    )


def queue_reminders(session: Session, day: date) -> int:
    """Queue a reminder for every child whose session starts on a day; safe to run again."""
    registrations = session.scalars(
        select(Registration).join(CareSession).where(CareSession.starts_on == day, Registration.status == CONFIRMED)
    ).all()
    queued = sum(_tell(session, r, "reminder", "托管明天开班", "明天开班，请按时送孩子到班") for r in registrations)
    session.commit()
    return queued


def waitlist_position(session: Session, registration: Registration) -> int | None:
    """Return the place in the queue of a waitlisted registration (1 is next)."""
    return waitlist.position(session, registration, Registration.session_id == registration.session_id)


def cancel_registration(session: Session, *, guardian: Worker, registration_id: int) -> Registration | None:
    """Cancel a registration; a freed place goes to the first child waiting. Returns that child's registration."""
    registration = session.get(Registration, registration_id)
    if registration is None or registration.guardian_id != guardian.id:
        raise NotFound("未找到该报名记录")
    promoted = _withdraw(session, registration)
    session.commit()
    session.refresh(registration)
    return promoted


def cancel_for_guardian(session: Session, actor: Actor, registration_id: int) -> Registration | None:
    """Cancel a registration for a guardian who asked the union (by phone, in person); audited, the guardian told.

    The freed place goes to the first child waiting, as when the guardian cancels; returns that child's registration.
    """
    actor.require_write()
    registration = session.get(Registration, registration_id)
    if registration is None or registration.session.program.union_id not in actor.union_ids:
        raise NotFound("未找到该报名记录")
    union_id = registration.session.program.union_id
    promoted = _withdraw(session, registration)
    _tell(session, registration, "cancelled", "托管报名已由工会按您的要求取消", "已取消")
    audit.record(
        session,
        actor=actor,
        action="cancel",
        object_type="childcare_registration",
        object_id=registration.id,
        union_id=union_id,
        ip=actor.ip,
        promoted=promoted.id if promoted else None,
    )
    session.commit()
    session.refresh(registration)
    return promoted


def _withdraw(session: Session, registration: Registration) -> Registration | None:
    """Cancel a live registration; a freed place goes to the first child waiting, who is told. The caller commits."""
    was = waitlist.withdraw(session, registration)
    if was is None:
        raise Conflict("该报名已取消", field="registration_id")
    promoted = None
    if was == CONFIRMED:
        give_back = update(CareSession).where(CareSession.id == registration.session_id)
        promoted = waitlist.promote_first(
            session,
            Registration,
            Registration.session_id == registration.session_id,
            give_back.values(taken=CareSession.taken - 1),
        )
    if promoted is not None:
        _tell(session, promoted, "promoted", "托管候补递补成功", "已从候补转为正式报名")
    return promoted
