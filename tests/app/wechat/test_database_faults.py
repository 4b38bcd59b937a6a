"""/wechat with the database out: a message that cannot be stored is not acknowledged, so WeChat's retry brings it.

A PostgreSQL restart cuts every connection in a running app's pool: a proxy in front of the tests' server does the
same (and refuses new connections until the server is "back"), while the server stays up for the test to look at.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import make_url, select

from app.wechat.parsing import parse_xml
from models.inbound import ANSWERED, InboundMessage

from ...conftest import BACKENDS
from ...redis_proxy import PASS, REFUSE
from ..api.conftest import log_in
from . import samples
from .conftest import WeChatServer, without_time

OPENID = "oDemo-zhangwei"
on_postgresql = pytest.mark.parametrize("backend", [b for b in BACKENDS if b == "postgresql"], indirect=True)


def _text(content: str, msg_id: int) -> str:
    return samples.TEXT.format(openid=OPENID, content=content, msg_id=msg_id)


def test_a_message_the_database_could_not_take_is_refused_then_handled_once_on_retry(
    make_app, simulator, session, demo, tmp_path
):
    gone = f"sqlite:///{tmp_path / 'gone' / 'db.sqlite'}"
    down = WeChatServer(make_app(DATABASE_URL=gone, WECHAT_REPLY_SECONDS=1.0).test_client())  # waits 1 s, not 4
    refused = down.post(_text("加班费怎么算", 7_300_000_000_000_000_001))
    assert refused.status_code == 503  # not "success": WeChat sends it again
    assert "Traceback" not in refused.get_data(as_text=True)

    up = WeChatServer(make_app(WECHAT_API_BASE_URL=simulator.url).test_client())
    up.last = down.last  # WeChat's retry: the very same request, a little later
    retried = up.retry()
    assert retried.status_code == 200
    reply = up.pusher().open_reply(retried.get_data(as_text=True), up.last[0])
    assert "加班费" in parse_xml(reply.encode())["Content"]
    assert without_time(up.retry()) == without_time(retried)  # a further retry: the same answer
    stored = session.scalars(select(InboundMessage).where(InboundMessage.openid == OPENID)).all()
    assert len(stored) == 1


@pytest.fixture
def database(backend, proxy_to):
    return proxy_to(backend.database_url)


@pytest.fixture
def proxied_app(make_app, simulator, backend, database):
    url = make_url(backend.database_url).set(port=database.port)
    return make_app(DATABASE_URL=url.render_as_string(hide_password=False), WECHAT_API_BASE_URL=simulator.url)


@on_postgresql
def test_after_a_postgresql_restart_the_pool_recovers_and_no_message_is_lost(proxied_app, database, session, demo):
    client = proxied_app.test_client()
    wechat = WeChatServer(client)
    auth = log_in(client, "o-mini-restart")
    assert wechat.post(_text("你好", 7_400_000_000_000_000_001)).status_code == 200
    assert client.get("/api/me", headers=auth).status_code == 200  # the pool holds live connections now

    database.set(REFUSE)  # the server goes down: every pooled connection is cut
    refused = wechat.post(_text("加班费怎么算", 7_400_000_000_000_000_002))
    assert refused.status_code == 503  # not acknowledged: WeChat sends it again
    during = client.get("/api/me", headers=auth)
    assert during.status_code == 503
    assert during.json["error"]["code"] == "service_unavailable" and "稍后再试" in during.json["error"]["message"]

    database.set(PASS)  # back up: the same app, no restart
    retried = wechat.retry()
    assert retried.status_code == 200
    assert "加班费" in wechat.pusher().open_reply(retried.get_data(as_text=True), wechat.last[0])
    assert wechat.post(_text("手机报", 7_400_000_000_000_000_003)).status_code == 200
    assert client.get("/api/me", headers=auth).status_code == 200
    stored = session.scalars(select(InboundMessage).where(InboundMessage.openid == OPENID)).all()
    assert sorted(row.fields["MsgId"] for row in stored) == [str(7_400_000_000_000_000_000 + n) for n in (1, 2, 3)]
    assert {row.status for row in stored} == {ANSWERED}


@on_postgresql
def test_a_message_that_comes_while_postgresql_restarts_waits_for_it(proxied_app, database, session, demo):
    wechat = WeChatServer(proxied_app.test_client())
    assert wechat.post(_text("你好", 7_500_000_000_000_000_001)).status_code == 200  # the pool is filled
    database.set(REFUSE)
    answers = []
    text = _text("加班费怎么算", 7_500_000_000_000_000_002)
    during = threading.Thread(target=lambda: answers.append(wechat.post(text)))
    during.start()
    time.sleep(1.5)  # the restart takes a second and a half; WeChat's try is still waiting
    database.set(PASS)
    during.join(10)
    [answer] = answers
    assert answer.status_code == 200  # acknowledged: the answer came in the reply or follows by customer service
    stored = session.scalars(select(InboundMessage).where(InboundMessage.openid == OPENID)).all()
    assert sorted(row.fields["MsgId"] for row in stored) == [str(7_500_000_000_000_000_000 + n) for n in (1, 2)]
