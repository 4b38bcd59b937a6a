"""Officials' accounts, their roles, logins and API tokens."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .base import Base, as_utc, utcnow
from .errors import AccountLocked, AuthFailed, Invalid
from .unions import TradeUnion

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10
# Checked against when the username is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class Role(enum.StrEnum):
    """What an official may do within their scope."""

    ADMIN = "admin"
    OFFICIAL = "official"
    VIEWER = "viewer"


ROLE_LABELS = {Role.ADMIN: "管理员", Role.OFFICIAL: "工会干部", Role.VIEWER: "只读"}


class Official(Base):
    """A union official's login."""

    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(50))
    role: Mapped[Role] = mapped_column(String(16))
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    last_login_at: Mapped[datetime | None] = mapped_column()
    # The official's own WeChat (service account openid), for previews and test sends to oneself.
    wechat_openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    union: Mapped[TradeUnion] = relationship()

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password."""
        if len(password.strip()) < MIN_PASSWORD_LENGTH:
            raise Invalid(f"密码至少需要{MIN_PASSWORD_LENGTH}位", field="password")
        self.password_hash = generate_password_hash(password)


class ApiToken(Base):
    """A bearer token for the admin API; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    official: Mapped[Official] = relationship()


def authenticate(session: Session, username: str, password: str) -> Official:
    """Check a login, counting failures and locking the account after too many."""
    official = session.scalar(select(Official).where(Official.username == username.strip()))
    now = utcnow()
    if official is None:
        check_password_hash(_DUMMY_HASH, password)
        raise AuthFailed()
    locked_until = as_utc(official.locked_until)
    if locked_until is not None and locked_until > now:
        raise AccountLocked(locked_until=locked_until.isoformat())
    if not official.active or not check_password_hash(official.password_hash, password):
        official.failed_logins += 1
        if official.failed_logins >= MAX_FAILED_LOGINS:
            official.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            official.failed_logins = 0
        raise AuthFailed()
    official.failed_logins = 0
    official.locked_until = None
    official.last_login_at = now
    return official


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, official: Official, hours: int) -> tuple[str, ApiToken]:
    """Create a bearer token for an official; the clear token is returned once."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(official_id=official.id, token_hash=_token_hash(token), expires_at=utcnow() + timedelta(hours=hours))
    session.add(row)
    session.flush()
    return token, row


def official_for_token(session: Session, token: str) -> Official:
    """Return the active official a valid token belongs to."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= utcnow():
        raise AuthFailed("登录无效或已过期，请重新登录")
    if not row.official.active:
        raise AuthFailed("账号已停用")
    return row.official


def revoke_token(session: Session, token: str) -> None:
    """Make a token unusable from now on."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


def purge_expired_tokens(session: Session) -> int:
    """Delete tokens that expired or were revoked more than a day ago; return how many."""
    cutoff = utcnow() - timedelta(days=1)
    rows = session.scalars(
        select(ApiToken).where((ApiToken.expires_at < cutoff) | (ApiToken.revoked_at < cutoff))
    ).all()
    for row in rows:
        session.delete(row)
    return len(rows)
