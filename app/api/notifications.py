"""The worker's inbox of notifications, and the subscribe-message grants the mini-program reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from flask import g
from pydantic import Field, StringConstraints

from models import notifications
from models.base import as_utc, utcnow
from models.errors import NotFound
from models.notifications import Notification

from ..extensions import db
from . import blueprint
from .endpoints import endpoint
from .schemas import Answer, Body

TemplateId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class NotificationOut(Answer):
    id: int
    kind: str
    title: str
    body: str
    page: str | None
    channel: str | None
    created_at: datetime
    read: bool

    @classmethod
    def of(cls, row: Notification) -> NotificationOut:
        return cls(
            id=row.id,
            kind=row.kind,
            title=row.title,
            body=row.body,
            page=row.page,
            channel=row.channel,
            created_at=as_utc(row.created_at),
            read=row.read_at is not None,
        )


class Inbox(Answer):
    notifications: list[NotificationOut]
    unread: int


class GrantsIn(Body):
    """The templates the worker accepted in wx.requestSubscribeMessage (one message each)."""

    accepted: list[TemplateId] = Field(min_length=1, max_length=10)


class GrantsOut(Answer):
    remaining: dict[str, int]


@blueprint.get("/notifications")
@endpoint(Inbox)
def my_notifications() -> Inbox:
    """List the worker's notifications, newest first."""
    rows = notifications.inbox(db.session, g.worker.id)
    return Inbox(notifications=[NotificationOut.of(r) for r in rows], unread=sum(r.read_at is None for r in rows))


@blueprint.post("/notifications/<id:notification_id>/read")
@endpoint(NotificationOut, errors=(404,))
def mark_read(notification_id: int) -> NotificationOut:
    """Mark one notification read."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.worker_id != g.worker.id:
        raise NotFound("未找到该通知")
    row.read_at = row.read_at or utcnow()
    db.session.commit()
    return NotificationOut.of(row)


@blueprint.post("/me/subscriptions")
@endpoint(GrantsOut, body=GrantsIn)
def record_grants(body: GrantsIn) -> GrantsOut:
    """Count one more allowed subscribe message for each accepted template."""
    remaining = {t: notifications.grant(db.session, g.worker.id, t) for t in body.accepted}
    db.session.commit()
    return GrantsOut(remaining=remaining)
