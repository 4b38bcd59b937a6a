"""Officials' answers to workers: recorded by the domain, then sent through WeChat, the delivery kept either way."""

from __future__ import annotations

from dataclasses import dataclass

from models import tickets
from models.access import Actor

from .extensions import db
from .wechat.accounts import runtime
from .wechat.errors import WeChatError

UNDELIVERED = {
    "OutsideServiceWindow": "该职工超过48小时没有发消息，微信不允许主动回复；答复已保存，请电话联系。",
    "NoSubscription": "该职工未授权接收通知；答复已保存，请电话联系。",
}
UNDELIVERED_OTHERWISE = "微信暂时无法送达，答复已保存，请稍后重试。"


@dataclass(frozen=True)
class Answered:
    """A ticket after an answer, whether WeChat took the answer and, if not, what to tell the official."""

    ticket: tickets.Ticket
    delivered: bool
    notice: str | None


def answer_ticket(actor: Actor, ticket_id: int, text: str) -> Answered:
    """Record an official's answer and send it to the worker as a customer-service message; commit."""
    ticket, message = tickets.answer_ticket(db.session, actor, ticket_id, text)
    notice = None
    try:
        runtime().api(ticket.channel).call("message.send_text", _openid(ticket), message.text)
        message.delivery = "sent"
    except WeChatError as error:
        # Kept either way, so that the official sees it did not arrive and can try again or call.
        message.delivery = "undelivered"
        notice = UNDELIVERED.get(type(error).__name__, UNDELIVERED_OTHERWISE)
    db.session.commit()
    return Answered(ticket, message.delivery == "sent", notice)


def _openid(ticket: tickets.Ticket) -> str:
    worker = ticket.worker
    return worker.openid if ticket.channel == "mp" else worker.miniapp_openid
