"""The append-only audit log: who viewed or changed what, when, from where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, utcnow


class AuditEntry(Base):
    """One action of an official (or of the system) on a record."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[str | None] = mapped_column(String(40))
    union_id: Mapped[int | None] = mapped_column(ForeignKey("unions.id"), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    # Never personal data here: ids and field names only.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class AppendOnly(RuntimeError):
    """Raised on an attempt to change or delete an audit entry."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(mapper, connection, target):
    raise AppendOnly("the audit log is append-only")


def record(
    session: Session,
    *,
    actor,
    action: str,
    object_type: str,
    object_id=None,
    union_id: int | None = None,
    ip: str | None = None,
    **detail,
) -> AuditEntry:
    """Append an audit entry; actor is an Actor, an Official or a plain label such as 'system'."""
    ip = ip or getattr(actor, "ip", None)
    official_id = getattr(actor, "id", None)
    label = getattr(actor, "username", None) or str(actor)
    entry = AuditEntry(
        official_id=official_id,
        actor=label,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        union_id=union_id,
        ip=ip,
        detail=detail,
    )
    session.add(entry)
    return entry
