"""A message stored but never answered (its process died) is answered later, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.wechat.parsing import parse_xml, to_incoming
from app.wechat.recovery import answer_abandoned
from models.base import utcnow
from models.inbound import InboundMessage, store_inbound

from . import samples


def _stored(session, openid: str, content: str, msg_id: int, lease_seconds: float) -> InboundMessage:
    """Store a message as the endpoint does; a lease already run out is a handler that died."""
    fields = parse_xml(samples.TEXT.format(openid=openid, content=content, msg_id=msg_id).encode())
    _incoming, key = to_incoming(fields, "mp")
    message_id, _ = store_inbound(
        session,
        channel="mp",
        dedup_key=key,
        openid=openid,
        kind="text",
        event=None,
        fields=fields,
        lease_seconds=lease_seconds,
    )
    return session.get(InboundMessage, message_id)


def test_abandoned_message_is_answered_by_customer_service_once(wechat_app, simulator, session):
    simulator.state.record_interaction("o-crash")
    row = _stored(session, "o-crash", "帮助", 11, lease_seconds=-1)  # its process died
    busy = _stored(session, "o-busy", "正在处理", 12, lease_seconds=60)  # a live process holds it
    session.execute(update(InboundMessage).values(received_at=utcnow() - timedelta(minutes=5)))
    session.commit()
    assert answer_abandoned(wechat_app) == 1
    assert answer_abandoned(wechat_app) == 0
    session.expire_all()
    assert (session.get(InboundMessage, row.id).status, session.get(InboundMessage, row.id).delivery) == (
        "answered",
        "customer_service",
    )
    [sent] = simulator.state.sent_messages(openid="o-crash")
    assert "职工服务平台" in str(sent["payload"])
    assert session.get(InboundMessage, busy.id).status == "handling"


def test_handler_whose_lease_ran_out_is_taken_over(wechat_app, simulator, session):
    simulator.state.record_interaction("o-stalled")
    row = _stored(session, "o-stalled", "卡住的消息", 13, lease_seconds=-1)  # its lease already ran out
    assert answer_abandoned(wechat_app) == 1
    session.expire_all()
    assert session.get(InboundMessage, row.id).attempts == 2
