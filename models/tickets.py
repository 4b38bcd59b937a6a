"""Tickets: a worker's request that a person in the union answers (handoff, suggestion, membership, grievance)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from . import audit
from .access import Actor
from .base import Base, today, utcnow
from .crypto import EncryptedText
from .enterprises import find_enterprise
from .errors import Invalid, NotFound
from .inbound import InboundMessage
from .unions import TradeUnion, union_for_place
from .workers import Worker, worker_for_openid

KINDS = {"handoff": "RG", "suggestion": "JD", "membership": "RH", "grievance": "WQ"}
KIND_LABELS = {"handoff": "转人工", "suggestion": "金点子", "membership": "入会申请", "grievance": "维权求助"}
OPEN, ANSWERED, CLOSED = "open", "answered", "closed"


class Ticket(Base):
    """A request from a worker, routed to a union, answered by its officials."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    # What the worker asked or proposed, with the details a dialogue collected: personal, so encrypted.
    summary: Mapped[str] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(16), default=OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    worker: Mapped[Worker] = relationship()
    union: Mapped[TradeUnion] = relationship()
    messages: Mapped[list[TicketMessage]] = relationship(order_by="TicketMessage.id", cascade="all, delete-orphan")


class TicketMessage(Base):
    """One message of the conversation on a ticket, from the worker or an official."""

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    text: Mapped[str] = mapped_column(EncryptedText)
    delivery: Mapped[str | None] = mapped_column(String(20))  # for officials' answers: sent, undelivered
    at: Mapped[datetime] = mapped_column(default=utcnow)


def union_for_request(session: Session, worker: Worker, employer: str | None = None, place: str | None = None):
    """Route a request: the named employer's union, else the worker's union, else the union of the place."""
    enterprise = find_enterprise(session, employer) if employer else None
    if enterprise is not None:
        return session.get(TradeUnion, enterprise.union_id or enterprise.local_union_id)
    if worker.union_id is not None:
        return worker.union
    if worker.employer is not None:
        return worker.employer.union or worker.employer.local_union
    return union_for_place(session, address=place or "").union


def open_ticket(
    session: Session, *, openid: str, channel: str, kind: str, summary: str, employer: str | None = None, place=None
) -> Ticket:
    """Open a ticket for a worker and give it a number they can quote."""
    if kind not in KINDS:
        raise Invalid("未知的工单类型", field="kind")
    if not summary.strip():
        raise Invalid("请说明需要办理的事项", field="summary")
    worker = worker_for_openid(session, openid, channel=channel)
    union = union_for_request(session, worker, employer, place)
    ticket = Ticket(kind=kind, worker_id=worker.id, union_id=union.id, channel=channel, summary=summary.strip())
    session.add(ticket)
    session.flush()
    ticket.number = f"{KINDS[kind]}{today():%Y%m%d}{ticket.id:04d}"
    return ticket


def list_tickets(session: Session, actor: Actor, *, status: str | None = None, limit: int = 200) -> list[Ticket]:
    """List the tickets of the official's scope, oldest open first."""
    query = select(Ticket).where(Ticket.union_id.in_(actor.union_ids)).order_by(Ticket.id).limit(limit)
    if status:
        query = query.where(Ticket.status == status)
    return list(session.scalars(query))


def view_ticket(session: Session, actor: Actor, ticket_id: int) -> Ticket:
    """Return a ticket in scope, leaving an audit entry (it holds personal data)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.union_id not in actor.union_ids:
        raise NotFound("未找到该工单")
    audit.record(
        session,
        actor=actor,
        action="view",
        object_type="ticket",
        object_id=ticket.id,
        union_id=ticket.union_id,
        ip=actor.ip,
    )
    return ticket


def answer_ticket(session: Session, actor: Actor, ticket_id: int, text: str) -> tuple[Ticket, TicketMessage]:
    """Record an official's answer on a ticket; the caller sends it to the worker and records the delivery."""
    actor.require_write()
    ticket = view_ticket(session, actor, ticket_id)
    if not text.strip():
        raise Invalid("回复内容不能为空", field="text")
    message = TicketMessage(ticket_id=ticket.id, official_id=actor.id, text=text.strip())
    ticket.messages.append(message)
    ticket.status = ANSWERED
    audit.record(
        session,
        actor=actor,
        action="answer",
        object_type="ticket",
        object_id=ticket.id,
        union_id=ticket.union_id,
        ip=actor.ip,
    )
    session.flush()
    return ticket, message


def approve_membership(session: Session, actor: Actor, ticket_id: int) -> Worker:
    """Accept a membership application: the worker becomes a member of the ticket's union from today."""
    actor.require_write()
    ticket = view_ticket(session, actor, ticket_id)
    if ticket.kind != "membership":
        raise Invalid("该工单不是入会申请", field="kind")
    worker = ticket.worker
    worker.union_id, worker.member_since, ticket.status = ticket.union_id, today(), CLOSED
    audit.record(
        session,
        actor=actor,
        action="approve",
        object_type="ticket",
        object_id=ticket.id,
        union_id=ticket.union_id,
        ip=actor.ip,
    )
    return worker


KIND_TEXTS = {"image": "［图片］", "voice": "［语音］", "location": "［位置］", "event": "［菜单操作］"}


@dataclass(frozen=True)
class ChatLine:
    """One message a worker sent the bot before asking for a person, with what the bot answered."""

    at: datetime
    text: str
    reply: str | None


def chat_before(session: Session, ticket: Ticket, limit: int = 20) -> list[ChatLine]:
    """Return the worker's last messages to the bot up to the ticket, oldest first: what they had already tried."""
    worker = ticket.worker
    openid = worker.openid if ticket.channel == "mp" else worker.miniapp_openid
    if not openid:
        return []
    rows = session.scalars(
        select(InboundMessage)
        .where(InboundMessage.openid == openid, InboundMessage.received_at <= ticket.created_at + timedelta(minutes=1))
        .order_by(InboundMessage.id.desc())
        .limit(limit)
    )
    return [_line(row) for row in reversed(list(rows))]


def _line(row: InboundMessage) -> ChatLine:
    fields = row.fields
    text = fields.get("Content") or fields.get("Recognition") or KIND_TEXTS.get(row.kind, f"［{row.kind}］")
    reply = row.reply_data
    if reply is None:
        answer = None
    elif reply.get("type") == "text":
        answer = reply["content"]
    else:
        answer = "［图文］" + "、".join(a.get("title", "") for a in reply.get("articles", []))
    return ChatLine(row.received_at, text, answer)
