"""Mini-program logins: workers' bearer tokens, and what a logged-in worker changes about themself."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import Base, as_utc, utcnow
from .crypto import EncryptedText
from .errors import AuthFailed, Conflict
from .masking import mask_phone
from .workers import Worker, find_by_phone, normalize_phone, worker_for_openid

log = logging.getLogger(__name__)

SESSION_DAYS = 7


class WorkerToken(Base):
    """A worker's bearer token for the mini-program API; only its hash is stored."""

    __tablename__ = "worker_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # WeChat's session_key decrypts what the mini-program signs with it; it never leaves the server.
    session_key: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    worker: Mapped[Worker] = relationship()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token_row(session: Session, token: str) -> WorkerToken | None:
    return session.scalar(select(WorkerToken).where(WorkerToken.token_hash == _token_hash(token)))


def start_session(
    session: Session, worker: Worker, session_key: str, days: int = SESSION_DAYS
) -> tuple[str, WorkerToken]:
    """Create a bearer token for a worker; the clear token is returned once."""
    token = secrets.token_urlsafe(32)
    row = WorkerToken(
        worker_id=worker.id,
        token_hash=_token_hash(token),
        session_key=session_key,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return token, row


def worker_for_token(session: Session, token: str) -> Worker:
    """Return the worker a valid, unexpired, unrevoked token belongs to."""
    row = _token_row(session, token)
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= utcnow():
        raise AuthFailed("登录已失效，请重新登录")
    return row.worker


def end_session(session: Session, token: str) -> None:
    """Make a token unusable from now on."""
    row = _token_row(session, token)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


def miniapp_login(
    session: Session, openid: str, unionid: str | None, session_key: str, days: int = SESSION_DAYS
) -> tuple[str, WorkerToken]:
    """Log a mini-program user in as their worker record, created on first login; return the token."""
    worker = session.scalar(select(Worker).where(Worker.miniapp_openid == openid))
    if worker is None and unionid:
        # The same person may already be known through the service account: unionid is theirs on both.
        known = session.scalar(select(Worker).where(Worker.unionid == unionid))
        if known is not None and known.miniapp_openid is None:
            known.miniapp_openid = openid
            worker = known
    if worker is None:
        worker = worker_for_openid(session, openid, channel="miniapp")
    if unionid and worker.unionid is None and not _taken(session, Worker.unionid, unionid, worker):
        worker.unionid = unionid
    return start_session(session, worker, session_key, days)


def update_profile(session: Session, worker: Worker, *, name: str) -> Worker:
    """Change what a worker may change about themself."""
    worker.name = name
    session.flush()
    return worker


def bind_phone(session: Session, worker: Worker, raw_phone: str) -> Worker:
    """Bind a phone number WeChat vouched for; return the record the login now belongs to.

    When an official registered the number before the worker used the mini-program, the login
    moves to that record, so that the worker finds what the union already knows about them.
    """
    phone = normalize_phone(raw_phone)
    holder = find_by_phone(session, phone)
    if holder is None or holder.id == worker.id:
        worker.phone = phone
        session.flush()
        log.info("worker %s bound phone %s", worker.id, mask_phone(phone))
        return worker
    if holder.miniapp_openid is not None:
        raise Conflict("该手机号已被其他微信账号绑定，如有疑问请联系工会", field="phone")
    _merge_login(session, worker, holder)
    log.info("worker %s bound phone %s held by worker %s; login moved there", worker.id, mask_phone(phone), holder.id)
    return holder


def _taken(session: Session, column, value: str, worker: Worker) -> bool:
    return session.scalar(select(Worker.id).where(column == value, Worker.id != worker.id)) is not None


def _merge_login(session: Session, login: Worker, holder: Worker) -> None:
    """Move a mini-program login onto the record that holds its phone, then drop the empty record."""
    if login.unionid and holder.unionid and login.unionid != holder.unionid:
        raise Conflict("该手机号已登记在其他微信用户名下，如有疑问请联系工会", field="phone")
    if login.openid or login.phone or login.id_number or _referenced(session, login):
        # Records with a life of their own are merged by an official, not silently here.
        raise Conflict("您的账号已有其他登记信息，无法自动关联该手机号，请联系工会", field="phone")
    miniapp_openid, unionid = login.miniapp_openid, login.unionid
    # Clear first: the identities are unique and must never be on two rows at once.
    login.miniapp_openid = login.unionid = None
    session.flush()
    holder.miniapp_openid = miniapp_openid
    holder.unionid = holder.unionid or unionid
    holder.name = holder.name or login.name
    session.execute(update(WorkerToken).where(WorkerToken.worker_id == login.id).values(worker_id=holder.id))
    session.delete(login)
    session.flush()


def _referenced(session: Session, worker: Worker) -> bool:
    """Tell whether any row other than a login token points at the worker."""
    for table in Base.metadata.sorted_tables:
        if table.name == WorkerToken.__tablename__:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == Worker.__tablename__ and session.scalar(
                select(func.count()).select_from(table).where(fk.parent == worker.id)
            ):
                return True
    return False
