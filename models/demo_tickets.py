"""Demo tickets: a worker who asked for a person after talking to the bot, a membership application, a 金点子."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .base import utcnow
from .inbound import ANSWERED, PASSIVE, InboundMessage
from .tickets import Ticket, open_ticket
from .workers import Worker

# (openid, kind, summary, [(what the worker wrote, what the bot answered)])
TICKETS = [
    (
        "oDemo-lina",
        "handoff",
        "车间这个月每周六都加班，说是调休但一直没安排，想问工会能不能帮忙跟厂里说说。",
        [
            ("周六加班不给加班费合法吗", "休息日安排加班又不能安排补休的，应支付不低于工资200%的加班费……"),
            ("厂里说以后调休，可一直没调", "调休应在合理期限内安排；没有安排补休的，可以要求支付加班费……"),
            ("转人工", "已为您转接工会工作人员，工作时间内会尽快回复，编号见下条消息。"),
        ],
    ),
    ("oDemo-yanglei", "membership", "申请加入工会：获嘉县宏远建材有限公司，装卸工，入职两年。", []),
    ("oDemo-zhouting", "suggestion", "建议暑期托管班增加防溺水和游泳安全课，双职工家长都很需要。", []),
]


def load_tickets(session: Session) -> int:
    """Add the demo tickets (and the chat before the handoff) once; return how many were created."""
    created = 0
    for openid, kind, summary, chat in TICKETS:
        worker = session.scalar(select(Worker).where(Worker.openid == openid))
        if session.scalar(select(Ticket.id).where(Ticket.worker_id == worker.id, Ticket.kind == kind)) is not None:
            continue
        start = utcnow() - timedelta(hours=3)
        for number, (text, reply) in enumerate(chat):
            at = start + timedelta(minutes=2 * number)
            session.add(
                InboundMessage(
                    channel="mp",
                    dedup_key=f"{openid}|demo-{kind}-{number}",
                    openid=openid,
                    kind="text",
                    payload=json.dumps({"MsgType": "text", "Content": text}, ensure_ascii=False),
                    status=ANSWERED,
                    reply=json.dumps({"type": "text", "content": reply}, ensure_ascii=False),
                    delivery=PASSIVE,
                    received_at=at,
                    answered_at=at,
                )
            )
        ticket = open_ticket(session, openid=openid, channel="mp", kind=kind, summary=summary)
        ticket.created_at = start + timedelta(minutes=2 * len(chat))
        created += 1
    return created
