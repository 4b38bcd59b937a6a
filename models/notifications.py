"""Notifications to workers: queued with the change that causes them, delivered later, kept as an inbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, utcnow
from .crypto import EncryptedText

PENDING, SENDING, DELIVERED = "pending", "sending", "delivered"
# How it reached the worker: a subscribe message, a customer-service message, or only the mini-program inbox.
SUBSCRIBE, CUSTOMER_SERVICE, INBOX = "subscribe", "customer_service", "inbox"


class Notification(Base):
    """One message for a worker, queued in the same transaction as the change it reports."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # Makes queueing idempotent: a job that runs twice does not remind twice.
    dedup_key: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(EncryptedText)  # may name a child
    page: Mapped[str | None] = mapped_column(String(200))  # the mini-program page to open
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # fields of the subscribe-message template
    status: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    channel: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]


class SubscriptionGrant(Base):
    """How many subscribe messages of one template a worker has allowed (one per tap in the mini-program)."""

    __tablename__ = "subscription_grants"
    __table_args__ = (UniqueConstraint("worker_id", "template_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    template_id: Mapped[str] = mapped_column(String(64))
    remaining: Mapped[int] = mapped_column(default=0)


def queue(
    session: Session, *, worker_id: int, kind: str, key: str, title: str, body: str, page=None, data=None
) -> bool:
    """Queue a notification unless one with the same key exists; the caller commits."""
    if session.scalar(select(Notification.id).where(Notification.dedup_key == key)) is not None:
        return False
    session.add(
        Notification(worker_id=worker_id, kind=kind, dedup_key=key, title=title, body=body, page=page, data=data or {})
    )
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        return False  # queued a moment ago by another process
    return True


def grant(session: Session, worker_id: int, template_id: str, count: int = 1) -> int:
    """Record that the worker allowed more subscribe messages of a template; return how many are left."""
    row = session.scalar(
        select(SubscriptionGrant).where(
            SubscriptionGrant.worker_id == worker_id, SubscriptionGrant.template_id == template_id
        )
    )
    if row is None:
        row = SubscriptionGrant(worker_id=worker_id, template_id=template_id, remaining=0)
        session.add(row)
    row.remaining += count
    session.flush()
    return row.remaining


def use_grant(session: Session, worker_id: int, template_id: str) -> bool:
    """Spend one grant if there is one (atomically, as two senders may race)."""
    used = session.execute(
        update(SubscriptionGrant)
        .where(
            SubscriptionGrant.worker_id == worker_id,
            SubscriptionGrant.template_id == template_id,
            SubscriptionGrant.remaining > 0,
        )
        .values(remaining=SubscriptionGrant.remaining - 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    return used == 1


def claim_pending(session: Session, limit: int = 50, lease_seconds: int = 60) -> list[Notification]:
    """Take pending notifications (and ones whose sender died) for delivery; commits the claim."""
    now = utcnow()
    candidates = session.scalars(
        select(Notification.id)
        .where((Notification.status == PENDING) | ((Notification.status == SENDING) & (Notification.lease_until < now)))
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    claimed = []
    for notification_id in candidates:
        taken = session.execute(
            update(Notification)
            .where(
                Notification.id == notification_id,
                (Notification.status == PENDING)
                | ((Notification.status == SENDING) & (Notification.lease_until < now)),
            )
            .values(
                status=SENDING, attempts=Notification.attempts + 1, lease_until=now + timedelta(seconds=lease_seconds)
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken:
            claimed.append(notification_id)
    session.commit()
    return list(session.scalars(select(Notification).where(Notification.id.in_(claimed)).order_by(Notification.id)))


def delivered(session: Session, notification: Notification, channel: str) -> None:
    """Record how a notification reached the worker."""
    notification.status, notification.channel, notification.delivered_at = DELIVERED, channel, utcnow()
    notification.lease_until = None


def inbox(session: Session, worker_id: int, limit: int = 50) -> list[Notification]:
    """Return a worker's notifications, newest first, whatever channel they went out on."""
    query = (
        select(Notification).where(Notification.worker_id == worker_id).order_by(Notification.id.desc()).limit(limit)
    )
    return list(session.scalars(query))
