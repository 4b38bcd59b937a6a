"""Inbound WeChat messages: stored before they are handled, each handled once, answers kept."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import Engine, Index, String, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, utcnow
from .crypto import EncryptedText

RECEIVED, HANDLING, ANSWERED = "received", "handling", "answered"
# How the answer went out: in the HTTP reply, as a customer-service message, not at all (none needed),
# or it could not be delivered (e.g. outside the 48-hour window).
PASSIVE, CUSTOMER_SERVICE, NO_ANSWER, UNDELIVERED = "passive", "customer_service", "none", "undelivered"


class InboundMessage(Base):
    """One message or event a worker sent, unique by WeChat's identity of it."""

    __tablename__ = "inbound_messages"
    __table_args__ = (Index("ix_inbound_messages_status_lease", "status", "lease_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    # (FromUserName, MsgId) or (FromUserName, CreateTime, Event, EventKey): the claim of exactly-once.
    dedup_key: Mapped[str] = mapped_column(String(400), unique=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    event: Mapped[str | None] = mapped_column(String(40))
    # Workers write phone numbers, names and grievances: the whole message is encrypted.
    payload: Mapped[str] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(16), default=RECEIVED)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    reply: Mapped[str | None] = mapped_column(EncryptedText)
    delivery: Mapped[str | None] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    @property
    def fields(self) -> dict:
        return json.loads(self.payload)

    @property
    def reply_data(self) -> dict | None:
        return None if self.reply is None else json.loads(self.reply)


def find_inbound(session: Session, dedup_key: str) -> InboundMessage | None:
    """Return the stored message with this identity, if any."""
    return session.scalar(select(InboundMessage).where(InboundMessage.dedup_key == dedup_key))


_table = InboundMessage.__table__
_STORE = insert(_table).returning(_table.c.id)


def store_inbound(
    bind: Session | Engine,
    *,
    channel: str,
    dedup_key: str,
    openid: str,
    kind: str,
    event: str | None,
    fields: dict,
    lease_seconds: float = 60,
) -> tuple[int, InboundMessage | None]:
    """Store a message, taken for handling by the caller, and commit.

    `bind` is a session (committed here) or an engine (a transaction of its own, no session: this
    runs for every message). Returns (its id, None), or (the id, the earlier row) when WeChat's retry
    finds it stored before.
    """
    now = utcnow()
    values = {
        "status": HANDLING,
        "attempts": 1,
        "lease_until": now + timedelta(seconds=lease_seconds),
        "received_at": now,
        "channel": channel,
        "dedup_key": dedup_key,
        "openid": openid,
        "kind": kind,
        "event": event,
        "payload": json.dumps(fields, ensure_ascii=False),
    }
    if isinstance(bind, Engine):
        try:
            # A Core INSERT: the ORM's unit of work costs more than the insert.
            with bind.begin() as connection:
                return connection.execute(_STORE, values).scalar_one(), None
        except IntegrityError:
            with Session(bind) as session:
                earlier = find_inbound(session, dedup_key)
                return earlier.id, earlier
    try:
        message_id = bind.connection().execute(_STORE, values).scalar_one()
        bind.commit()
    except IntegrityError:
        bind.rollback()
        earlier = find_inbound(bind, dedup_key)
        return earlier.id, earlier
    return message_id, None


def take_for_handling(session: Session, message_id: int, lease_seconds: float) -> bool:
    """Take a message for handling unless another process holds a live lease on it."""
    now = utcnow()
    taken = session.execute(
        update(InboundMessage)
        .where(
            InboundMessage.id == message_id,
            (InboundMessage.status == RECEIVED)
            | ((InboundMessage.status == HANDLING) & (InboundMessage.lease_until < now)),
        )
        .values(
            status=HANDLING, attempts=InboundMessage.attempts + 1, lease_until=now + timedelta(seconds=lease_seconds)
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return taken == 1


# Built once: these run for every message, and building ORM statements costs more than executing them.
_RECORD_ANSWER = update(_table).where(_table.c.id == bindparam("message_id")).values(status=ANSWERED, lease_until=None)


def record_answer(session: Session, message_id: int, reply: dict | None, delivery: str) -> None:
    """Keep the answer given to a message and how it went out; the caller commits."""
    session.connection().execute(
        _RECORD_ANSWER,
        {
            "message_id": message_id,
            "reply": None if reply is None else json.dumps(reply, ensure_ascii=False),
            "delivery": delivery,
            "answered_at": utcnow(),
        },
    )


def unanswered(session: Session, older_than_seconds: float, limit: int = 100) -> list[InboundMessage]:
    """Return messages left unanswered (e.g. by a crashed process), oldest first."""
    now = utcnow()
    cutoff = now - timedelta(seconds=older_than_seconds)
    query = (
        select(InboundMessage)
        .where(
            ((InboundMessage.status == RECEIVED) & (InboundMessage.received_at < cutoff))
            | ((InboundMessage.status == HANDLING) & (InboundMessage.lease_until < now))
        )
        .order_by(InboundMessage.id)
        .limit(limit)
    )
    return list(session.scalars(query))
