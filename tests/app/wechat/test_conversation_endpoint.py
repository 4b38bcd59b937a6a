"""A whole conversation through /wechat, signed as WeChat sends it; an official answers by the API."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from app.wechat.parsing import parse_xml
from models.tickets import Ticket
from models.workers import Worker

from . import samples
from .conftest import WeChatServer

_msg_ids = itertools.count(7_000_000_000_000_000_001)


def _say(server: WeChatServer, text: str, openid: str = "oDemo-zhangwei", mode: str = "aes") -> str:
    xml = samples.TEXT.format(openid=openid, content=text, msg_id=next(_msg_ids))
    return parse_xml(server.post(xml, mode=mode).plain.encode())["Content"]


def _newest_ticket(session) -> Ticket:
    """Return the ticket the test's dialogue opened (the demo data has older ones)."""
    return session.scalars(select(Ticket).order_by(Ticket.id.desc()).limit(1)).one()


def test_membership_dialogue_over_safe_mode(wechat, session, demo):
    assert "无需重复申请" in _say(wechat, "我想加入工会")  # 张伟 is a member already
    assert "请问您的姓名" in _say(wechat, "我想加入工会", openid="o-courier")
    assert "哪类工作" in _say(wechat, "王小明", openid="o-courier")
    assert "单位或所在平台" in _say(wechat, "3", openid="o-courier")
    assert "手机号码" in _say(wechat, "顺丰速运", openid="o-courier")
    assert "请核对" in _say(wechat, "13937310123", openid="o-courier")
    assert "编号 RH" in _say(wechat, "1", openid="o-courier")
    assert session.scalars(select(Ticket.kind).join(Ticket.worker).where(Worker.openid == "o-courier")).all() == [
        "membership"
    ]


def test_official_answers_a_handoff_and_the_worker_gets_it(wechat, simulator, session, login, demo):
    simulator.state.record_interaction("oDemo-zhangwei")
    assert "已为您转接工会工作人员" in _say(wechat, "转人工")
    ticket = _newest_ticket(session)
    headers = login("kangcun")  # 张伟 works in 亢村镇: his union answers
    answered = wechat.client.post(
        f"/api/admin/tickets/{ticket.id}/answer", headers=headers, json={"text": "您好，请讲。"}
    )
    assert answered.status_code == 201 and answered.json["delivered"] is True
    [sent] = simulator.state.sent_messages(openid="oDemo-zhangwei", kind="custom")
    assert sent["payload"]["text"]["content"] == "您好，请讲。"
    other = wechat.client.get(f"/api/admin/tickets/{ticket.id}", headers=login("chengguan"))
    assert other.status_code == 404


def test_answer_outside_the_48_hour_window_is_kept_and_flagged(wechat, session, login, demo):
    _say(wechat, "转人工", openid="oDemo-sunqiang")
    ticket = _newest_ticket(session)
    answered = wechat.client.post(
        f"/api/admin/tickets/{ticket.id}/answer", headers=login("huojia"), json={"text": "请来电"}
    ).json
    assert answered["delivered"] is False and "48小时" in answered["notice"]
    assert answered["messages"][0]["delivery"] == "undelivered"


def test_membership_approval_makes_a_member(wechat, session, login, demo):
    for text in ("我要入会", "杨磊", "1", "获嘉县宏远建材有限公司", "13837310006", "确认"):
        _say(wechat, text, openid="oDemo-yanglei")
    ticket = _newest_ticket(session)
    assert ticket.union.name == "获嘉县照镜镇工会"
    approved = wechat.client.post(
        f"/api/admin/tickets/{ticket.id}/approve-membership", headers=login("huojia"), json={}
    )
    assert approved.status_code == 200 and approved.json["is_member"] is True
