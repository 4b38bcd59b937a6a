"""Workers: their WeChat identities, employer, union membership and personal data."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, bindparam, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from . import audit
from .access import Actor
from .base import Base, today, utcnow
from .crypto import EncryptedText, blind_index
from .enterprises import Enterprise
from .errors import Conflict, Invalid, NotFound
from .identity import normalize_id_number, normalize_phone
from .masking import mask_phone
from .unions import TradeUnion, ancestors


class Worker(Base):
    """A worker known to the union through WeChat, the mini-program or an official."""

    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    miniapp_openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(50))
    phone_encrypted: Mapped[str | None] = mapped_column(EncryptedText)
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_number_encrypted: Mapped[str | None] = mapped_column(EncryptedText)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    # Membership: the union the worker belongs to, and since when.
    union_id: Mapped[int | None] = mapped_column(ForeignKey("unions.id"), index=True)
    member_since: Mapped[date | None]
    # Following the service account: unsubscribing marks the worker, never deletes them.
    subscribed: Mapped[bool] = mapped_column(default=False)
    subscribed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    # The last message from the worker opens WeChat's 48-hour customer-service window.
    last_message_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    employer: Mapped[Enterprise | None] = relationship()
    union: Mapped[TradeUnion | None] = relationship()

    @property
    def phone(self) -> str | None:
        """Return the decrypted phone number."""
        return self.phone_encrypted

    @phone.setter
    def phone(self, raw: str | None) -> None:
        phone = normalize_phone(raw) if raw else None
        self.phone_encrypted = phone
        self.phone_hash = blind_index(phone) if phone else None

    @property
    def id_number(self) -> str | None:
        """Return the decrypted resident ID number."""
        return self.id_number_encrypted

    @id_number.setter
    def id_number(self, raw: str | None) -> None:
        number = normalize_id_number(raw) if raw else None
        self.id_number_encrypted = number
        self.id_number_hash = blind_index(number) if number else None

    @property
    def masked_phone(self) -> str | None:
        return mask_phone(self.phone)

    @property
    def is_member(self) -> bool:
        return self.union_id is not None and self.member_since is not None

    @property
    def scope_union_ids(self) -> set[int]:
        """Return the unions whose officials may see this worker."""
        ids = {self.union_id} if self.union_id else set()
        if self.employer is not None:
            ids |= self.employer.scope_union_ids
        return ids


def reach(session: Session, worker: Worker) -> set[int]:
    """Return the unions whose offers (surveys, classes) may reach a worker: theirs, their employer's, those above."""
    mine = worker.scope_union_ids
    if not mine:  # nobody has placed the worker yet: the roots speak to everyone
        return set(session.scalars(select(TradeUnion.id).where(TradeUnion.parent_id.is_(None))))
    return mine | {union.id for union_id in mine for union in ancestors(session, union_id)}


def find_by_phone(session: Session, phone: str) -> Worker | None:
    """Find a worker by phone number through its keyed hash."""
    return session.scalar(select(Worker).where(Worker.phone_hash == blind_index(normalize_phone(phone))))


def _check_unique(session: Session, worker: Worker) -> None:
    for column, value, field in (
        (Worker.phone_hash, worker.phone_hash, "phone"),
        (Worker.id_number_hash, worker.id_number_hash, "id_number"),
        (Worker.openid, worker.openid, "openid"),
        (Worker.miniapp_openid, worker.miniapp_openid, "miniapp_openid"),
        (Worker.unionid, worker.unionid, "unionid"),
    ):
        if value is not None and session.scalar(select(Worker.id).where(column == value, Worker.id != worker.id)):
            raise Conflict("该职工信息已被登记", field=field)


def create_worker(
    session: Session,
    *,
    name: str | None = None,
    phone: str | None = None,
    id_number: str | None = None,
    openid: str | None = None,
    miniapp_openid: str | None = None,
    unionid: str | None = None,
    employer_id: int | None = None,
    union_id: int | None = None,
    member_since: date | None = None,
) -> Worker:
    """Register a worker; phone and ID number are validated and stored encrypted."""
    if employer_id is not None and session.get(Enterprise, employer_id) is None:
        raise NotFound("未找到该企业")
    if union_id is not None and session.get(TradeUnion, union_id) is None:
        raise NotFound("未找到该工会")
    if member_since is not None and (union_id is None or member_since > today()):
        raise Invalid("入会日期须不晚于今天，并同时指定所属工会", field="member_since")
    worker = Worker(
        name=name,
        openid=openid,
        miniapp_openid=miniapp_openid,
        unionid=unionid,
        employer_id=employer_id,
        union_id=union_id,
        member_since=member_since,
    )
    worker.phone = phone
    worker.id_number = id_number
    _check_unique(session, worker)
    session.add(worker)
    session.flush()
    return worker


def add_worker(session: Session, actor: Actor, **values) -> Worker:
    """Register a worker on behalf of an official, within the official's scope."""
    actor.require_write()
    if values.get("employer_id") is None and values.get("union_id") is None:
        values["union_id"] = actor.official.union_id  # a walk-in is attached to the official's own union
    if values.get("union_id") is not None:
        actor.require_union(session, values["union_id"])
    if values.get("employer_id") is not None:
        employer = session.get(Enterprise, values["employer_id"])
        actor.require_sees(*(employer.scope_union_ids if employer else ()), what="企业")
    created = create_worker(session, **values)
    audit.record(session, actor=actor, action="create", object_type="worker", object_id=created.id, ip=actor.ip)
    return created


def seen_by(union_ids: set[int]):
    """Workers the officials of these unions see: their members, and the workers of enterprises in their care."""
    enterprises = select(Enterprise.id).where(
        or_(Enterprise.union_id.in_(union_ids), Enterprise.local_union_id.in_(union_ids))
    )
    return or_(Worker.union_id.in_(union_ids), Worker.employer_id.in_(enterprises))


def list_workers(session: Session, actor: Actor, *, phone: str | None = None, limit: int = 200) -> list[Worker]:
    """List the workers in the official's scope, newest first."""
    query = select(Worker).where(seen_by(actor.union_ids)).order_by(Worker.id.desc()).limit(limit)
    if phone:
        query = query.where(Worker.phone_hash == blind_index(normalize_phone(phone)))
    return list(session.scalars(query))


def view_worker(session: Session, actor: Actor, worker_id: int) -> Worker:
    """Return a worker's full record to an official in scope, leaving an audit entry."""
    worker = session.get(Worker, worker_id)
    if worker is None:
        raise NotFound("未找到该职工")
    actor.require_sees(*worker.scope_union_ids, what="职工")
    audit.record(
        session,
        actor=actor,
        action="view",
        object_type="worker",
        object_id=worker.id,
        union_id=worker.union_id,
        ip=actor.ip,
    )
    return worker


def worker_for_openid(session: Session, openid: str, *, channel: str = "mp") -> Worker:
    """Return the worker behind a WeChat openid, creating the record on first contact."""
    column = Worker.openid if channel == "mp" else Worker.miniapp_openid
    worker = session.scalar(select(Worker).where(column == openid))
    if worker is None:
        worker = Worker(**{column.key: openid})
        session.add(worker)
        session.flush()
    return worker


_SEEN = (
    update(Worker.__table__)
    .where(Worker.__table__.c.openid == bindparam("who"))
    .values(last_message_at=bindparam("at"))
)
_SEEN_MINIAPP = (
    update(Worker.__table__)
    .where(Worker.__table__.c.miniapp_openid == bindparam("who"))
    .values(last_message_at=bindparam("at"))
)


def seen(session: Session, openid: str, *, channel: str = "mp") -> None:
    """Note that a worker just wrote (it opens WeChat's 48-hour window), creating the record on first contact."""
    # A prebuilt Core UPDATE: this runs for every message a worker sends.
    statement = _SEEN if channel == "mp" else _SEEN_MINIAPP
    if session.connection().execute(statement, {"who": openid, "at": utcnow()}).rowcount == 0:
        worker_for_openid(session, openid, channel=channel).last_message_at = utcnow()


def follow(session: Session, openid: str) -> Worker:
    """Record that a worker followed (or followed again) the service account."""
    worker = worker_for_openid(session, openid)
    worker.subscribed, worker.subscribed_at, worker.unsubscribed_at = True, utcnow(), None
    return worker


def unfollow(session: Session, openid: str) -> Worker:
    """Record that a worker unfollowed; their record and history stay."""
    worker = worker_for_openid(session, openid)
    worker.subscribed, worker.unsubscribed_at = False, utcnow()
    return worker
