"""/wechat with Redis stopped or hung: every message answered within WeChat's 5 s, once, and recovery by itself."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.wechat.parsing import parse_xml
from models.inbound import InboundMessage
from tests.redis_proxy import HANG, PASS, REFUSE

from . import samples
from .conftest import WeChatServer

OPENID = "oDemo-zhangwei"
NEWCOMER = "o-courier-zhaogang"  # not a member yet: 我要入会 starts a dialogue
WECHAT_WAITS = 5.0


@pytest.fixture
def proxy(backend, proxy_to):
    return proxy_to(backend.redis_url)


@pytest.fixture
def server(make_app, simulator, proxy) -> WeChatServer:
    return WeChatServer(make_app(REDIS_URL=proxy.url, WECHAT_API_BASE_URL=simulator.url).test_client())


_ids = iter(range(7_100_000_000_000_000_001, 7_200_000_000_000_000_000))


def _say(server: WeChatServer, text: str, openid: str = OPENID) -> tuple[str, float]:
    """Send a text as WeChat does; return the reply's text ('success' for none) and how long it took."""
    started = time.monotonic()
    response = server.post(samples.TEXT.format(openid=openid, content=text, msg_id=next(_ids)))
    took = time.monotonic() - started
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.plain
    return (parse_xml(body.encode())["Content"] if body.startswith("<xml") else body), took


def _stored(session) -> list[InboundMessage]:
    session.expire_all()
    return list(session.scalars(select(InboundMessage).where(InboundMessage.openid == OPENID)))


@pytest.mark.parametrize("fault", [HANG, REFUSE])
def test_questions_are_answered_in_time_while_redis_is_out_and_once(server, proxy, session, demo, fault):
    proxy.set(fault)
    reply, took = _say(server, "加班费怎么算")
    assert took < WECHAT_WAITS and "加班费" in reply
    retried = server.retry()
    assert retried.status_code == 200 and retried.get_data(as_text=True) != ""
    assert len(_stored(session)) == 1  # the database's unique row stopped the retry


@pytest.mark.parametrize("fault", [HANG, REFUSE])
def test_a_dialogue_cut_by_an_outage_asks_to_start_again_and_recovers_by_itself(server, proxy, session, demo, fault):
    first, _ = _say(server, "我要入会", NEWCOMER)
    assert "请问您的姓名" in first
    proxy.set(fault)
    during, took = _say(server, "赵刚", NEWCOMER)
    assert took < WECHAT_WAITS
    assert "请问" not in during and "重新" in during  # not the next step of a dialogue it cannot remember
    proxy.set(PASS)
    after, _ = _say(server, "重新开始", NEWCOMER)  # as the reply asked
    assert "请问您的姓名" in after  # Redis is back without a restart of the app
    assert "您从事哪类工作" in _say(server, "赵刚", NEWCOMER)[0]
