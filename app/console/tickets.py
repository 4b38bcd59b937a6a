"""Console pages: the handoff inbox — workers who asked for a person, their conversation, and a reply to WeChat."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from models import tickets
from models.errors import Invalid

from .. import replies
from ..extensions import db
from . import blueprint

STATUSES = ((None, "全部"), (tickets.OPEN, "待处理"), (tickets.ANSWERED, "已答复"), (tickets.CLOSED, "已关闭"))


@blueprint.get("/tickets")
def tickets_inbox():
    """List the tickets of the official's scope, open ones first by default."""
    status = request.args.get("status") or None
    if status not in dict(STATUSES):
        raise Invalid("未知的状态")
    rows = tickets.list_tickets(db.session, g.actor, status=status)
    return render_template(
        "console/tickets/list.html", tickets=rows, status=status, statuses=STATUSES, kinds=tickets.KIND_LABELS
    )


@blueprint.get("/tickets/<id:ticket_id>")
def ticket_page(ticket_id: int):
    """Show a ticket: the worker's request, what they had asked the bot, the answers so far, and a reply box."""
    ticket = tickets.view_ticket(db.session, g.actor, ticket_id)
    chat = tickets.chat_before(db.session, ticket)
    db.session.commit()  # the audit entry of the view
    return render_template("console/tickets/ticket.html", ticket=ticket, chat=chat, kinds=tickets.KIND_LABELS)


@blueprint.post("/tickets/<id:ticket_id>/answer")
def answer_ticket(ticket_id: int):
    """Send an answer to the worker in WeChat; say whether it arrived."""
    answered = replies.answer_ticket(g.actor, ticket_id, request.form.get("text", ""))
    if answered.delivered:
        flash("答复已发送到职工的微信。", "success")
    else:
        flash(answered.notice, "error")
    return redirect(url_for("console.ticket_page", ticket_id=ticket_id))


@blueprint.post("/tickets/<id:ticket_id>/approve-membership")
def approve_membership(ticket_id: int):
    """Accept a membership application."""
    worker = tickets.approve_membership(db.session, g.actor, ticket_id)
    db.session.commit()
    flash(f"已批准{worker.name or '该职工'}入会。", "success")
    return redirect(url_for("console.ticket_page", ticket_id=ticket_id))
