"""Tickets from workers (handoff, suggestions, membership, grievances): read, answer, approve."""

from __future__ import annotations

from flask import g, request

from models import tickets
from models.errors import Invalid

from .. import replies
from ..extensions import db
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
    answered = replies.answer_ticket(g.actor, ticket_id, payload(TicketAnswerIn).text)
    return {
        **serialize.ticket(answered.ticket, full=True),
        "delivered": answered.delivered,
        "notice": answered.notice,
    }, 201


@blueprint.post("/tickets/<id:ticket_id>/approve-membership")
@login_required
def approve_membership(ticket_id: int):
    """Accept a membership application."""
    worker = tickets.approve_membership(db.session, g.actor, ticket_id)
    db.session.commit()
    return serialize.worker(worker)
