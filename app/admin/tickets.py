"""Tickets from workers (handoff, suggestions, membership, grievances): read, answer, approve."""

from __future__ import annotations

from flask import g, request

from models import tickets
from models.errors import Invalid

from ..extensions import db
from ..wechat.accounts import runtime
from ..wechat.errors import WeChatError
from . import blueprint, serialize
from .context import login_required, payload
from .schemas import TicketAnswerIn


@blueprint.get("/tickets")
@login_required
def list_tickets():
    """List the tickets of the official's scope (?status=open|answered|closed)."""
    status = request.args.get("status") or None
    if status not in (None, tickets.OPEN, tickets.ANSWERED, tickets.CLOSED):
        raise Invalid("状态应为 open、answered 或 closed", field="status")
    return {"tickets": [serialize.ticket(t) for t in tickets.list_tickets(db.session, g.actor, status=status)]}


@blueprint.get("/tickets/<id:ticket_id>")
@login_required
def get_ticket(ticket_id: int):
    """Show a ticket with its conversation (audited)."""
    ticket = tickets.view_ticket(db.session, g.actor, ticket_id)
    db.session.commit()
    return serialize.ticket(ticket, full=True)


@blueprint.post("/tickets/<id:ticket_id>/answer")
@login_required
def answer_ticket(ticket_id: int):
    """Answer a worker; the answer reaches them in WeChat as a customer-service message."""
    ticket, message = tickets.answer_ticket(db.session, g.actor, ticket_id, payload(TicketAnswerIn).text)
    notice = None
    try:
        runtime().api(ticket.channel).call("message.send_text", _openid(ticket), message.text)
        message.delivery = "sent"
    except WeChatError as error:
        # Kept either way, so that the official sees it did not arrive and can try again or call.
        message.delivery = "undelivered"
        notice = UNDELIVERED.get(type(error).__name__, "微信暂时无法送达，答复已保存，请稍后重试。")
    db.session.commit()
    return {**serialize.ticket(ticket, full=True), "delivered": message.delivery == "sent", "notice": notice}, 201


@blueprint.post("/tickets/<id:ticket_id>/approve-membership")
@login_required
def approve_membership(ticket_id: int):
    """Accept a membership application."""
    worker = tickets.approve_membership(db.session, g.actor, ticket_id)
    db.session.commit()
    return serialize.worker(worker)


UNDELIVERED = {
    "OutsideServiceWindow": "该职工超过48小时没有发消息，微信不允许主动回复；答复已保存，请电话联系。",
    "NoSubscription": "该职工未授权接收通知；答复已保存，请电话联系。",
}


def _openid(ticket: tickets.Ticket) -> str:
    worker = ticket.worker
    return worker.openid if ticket.channel == "mp" else worker.miniapp_openid
