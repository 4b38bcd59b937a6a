"""Notices to a union's officials (a case escalated to them, an issue not sent): their inbox in the console."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .access import Actor
from .base import Base, utcnow
from .errors import NotFound


class OfficialNotice(Base):
    """Something the officials of a union should act on; read once by any of them."""

    __tablename__ = "official_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # grievance_escalated, digest_not_sent…
    text: Mapped[str] = mapped_column(String(300))
    object_type: Mapped[str | None] = mapped_column(String(30))
    object_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]
    read_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))


def notify_union(
    session: Session, union_id: int, kind: str, text: str, object_type: str | None = None, object_id=None
) -> OfficialNotice:
    """Leave a notice for the officials of a union; the caller commits."""
    notice = OfficialNotice(union_id=union_id, kind=kind, text=text[:300], object_type=object_type, object_id=object_id)
    session.add(notice)
    return notice


def notices_for(session: Session, actor: Actor, *, unread: bool = False, limit: int = 100) -> list[OfficialNotice]:
    """Return the notices of the official's own union, newest first."""
    query = select(OfficialNotice).where(OfficialNotice.union_id == actor.official.union_id)
    if unread:
        query = query.where(OfficialNotice.read_at.is_(None))
    return list(session.scalars(query.order_by(OfficialNotice.id.desc()).limit(limit)))


def mark_read(session: Session, actor: Actor, notice_id: int) -> OfficialNotice:
    """Mark a notice of the official's union read (once: the first reader is kept)."""
    notice = session.get(OfficialNotice, notice_id)
    if notice is None or notice.union_id != actor.official.union_id:
        raise NotFound("未找到该通知")
    session.execute(
        update(OfficialNotice)
        .where(OfficialNotice.id == notice.id, OfficialNotice.read_at.is_(None))
        .values(read_at=utcnow(), read_by=actor.id)
        .execution_options(synchronize_session=False)
    )
    session.refresh(notice)
    return notice
