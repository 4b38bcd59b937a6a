"""The outbound client: one token for all processes, bounded retries, errors callers can act on."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from app.push.send import maybe_delivered
from app.wechat.client import WeChatApi
from app.wechat.errors import (
    NoSubscription,
    OutsideServiceWindow,
    QuotaExceeded,
    TokenRejected,
    WeChatBusy,
    WeChatError,
)
from config import DEV_DEFAULTS

APPID, SECRET = DEV_DEFAULTS["WECHAT_APPID"], DEV_DEFAULTS["WECHAT_SECRET"]


@pytest.fixture
def redis_client(backend):
    return redis.Redis.from_url(backend.redis_url)


@pytest.fixture
def api(simulator, redis_client):
    simulator.state.record_interaction("o-worker")

    def make(**kwargs) -> WeChatApi:
        return WeChatApi(APPID, SECRET, simulator.url, redis_client, **kwargs)

    return make


def _token_fetches(simulator) -> int:
    return simulator.state.call_counts().get("/cgi-bin/token", 0)


def test_processes_share_one_token(api, simulator):
    first, second = api(), api()  # two processes: two clients, one Redis
    first.call("message.send_text", "o-worker", "第一条")
    second.call("message.send_text", "o-worker", "第二条")
    assert _token_fetches(simulator) == 1
    assert [m["payload"]["text"]["content"] for m in simulator.state.sent_messages(openid="o-worker")] == [
        "第一条",
        "第二条",
    ]


def test_concurrent_first_calls_fetch_the_token_once(api, simulator):
    errors = []

    def send(n: int) -> None:
        try:
            api().call("message.send_text", "o-worker", f"并发{n}")
        except Exception as error:  # collected, asserted below
            errors.append(error)

    simulator.state.replies_per_interaction = 100
    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and _token_fetches(simulator) == 1


def test_expired_token_is_refreshed_once_and_the_call_retried(api, simulator):
    client = api()
    client.call("message.send_text", "o-worker", "之前")
    simulator.state.expire_tokens()
    client.call("message.send_text", "o-worker", "之后")
    assert _token_fetches(simulator) == 2 and len(simulator.state.sent_messages(openid="o-worker")) == 2


def test_a_token_storm_is_not_retried_forever(api, simulator):
    client = api()
    client.call("message.send_text", "o-worker", "预热")
    simulator.state.set_faults(errcode=40001, error_rate=1.0, paths=["/cgi-bin/message"])
    with pytest.raises(TokenRejected):
        client.call("message.send_text", "o-worker", "x")
    assert simulator.state.call_counts()["/cgi-bin/message/custom/send"] == 3  # 1 before, then exactly 2


@pytest.mark.parametrize(
    ("errcode", "error"), [(45009, QuotaExceeded), (-1, WeChatBusy), (45015, OutsideServiceWindow)]
)
def test_wechat_errors_become_exceptions_callers_can_act_on(api, simulator, errcode, error):
    simulator.state.set_faults(errcode=errcode, error_rate=1.0, paths=["/cgi-bin/message"])
    with pytest.raises(error) as raised:
        api().call("message.send_text", "o-worker", "x")
    assert raised.value.errcode == errcode


def test_real_refusals_from_the_simulator(api):
    with pytest.raises(OutsideServiceWindow):
        api().call("message.send_text", "o-stranger", "没有48小时内的互动")
    with pytest.raises(NoSubscription):
        api().call("message.send_subscribe_message", "o-worker", "TEMPLATE1", {"thing1": {"value": "x"}})


def test_a_slow_wechat_times_out_instead_of_hanging(api, simulator):
    client = api(timeout=(1.0, 0.3))
    client.call("message.send_text", "o-worker", "预热")
    simulator.state.set_faults(latency_ms=2000, paths=["/cgi-bin/message"])
    started = time.monotonic()
    with pytest.raises(WeChatBusy):
        client.call("message.send_text", "o-worker", "慢")
    assert time.monotonic() - started < 1.5


SUBSCRIBE = "cgi-bin/message/subscribe/send"


def _subscribe(client: WeChatApi, openid: str = "o-mini") -> dict:
    return client.post(SUBSCRIBE, {"touser": openid, "template_id": "TEMPLATE1", "data": {"thing1": {"value": "通知"}}})


def test_the_lean_post_shares_the_token_and_its_refresh(api, simulator):
    simulator.state.grant("o-mini", "TEMPLATE1", count=2)
    client = api()
    client.call("message.send_text", "o-worker", "预热")
    assert _subscribe(client)["errcode"] == 0
    simulator.state.expire_tokens()
    assert _subscribe(client)["errcode"] == 0  # the rejected token was refreshed once and the call retried
    assert _token_fetches(simulator) == 2
    sent = simulator.state.sent_messages(openid="o-mini")
    assert [m["payload"]["data"]["thing1"]["value"] for m in sent] == ["通知", "通知"]
    with pytest.raises(NoSubscription):
        _subscribe(client)  # both grants are spent


@pytest.mark.parametrize(
    ("errcode", "error"), [(45009, QuotaExceeded), (-1, WeChatBusy), (40001, TokenRejected), (40003, WeChatError)]
)
def test_the_lean_post_raises_the_same_errors(api, simulator, errcode, error):
    simulator.state.grant("o-mini", "TEMPLATE1")
    simulator.state.set_faults(errcode=errcode, error_rate=1.0, paths=["/cgi-bin/message"])
    with pytest.raises(error) as raised:
        _subscribe(api())
    assert raised.value.errcode == errcode
    if isinstance(raised.value, WeChatBusy):
        assert not maybe_delivered(raised.value)  # WeChat answered -1: it sent nothing, so the row is retried


def test_the_lean_post_tells_a_lost_answer_from_a_request_never_sent(api, simulator, redis_client):
    client = api(timeout=(1.0, 0.3))
    simulator.state.grant("o-mini", "TEMPLATE1")
    client.call("message.send_text", "o-worker", "预热")
    simulator.state.set_faults(latency_ms=1000, paths=["/cgi-bin/message"])
    with pytest.raises(WeChatBusy) as late:
        _subscribe(client)
    assert maybe_delivered(late.value)  # WeChat had the request: it may have gone out
    closed = WeChatApi(APPID, SECRET, "http://127.0.0.1:9", redis_client)  # the token is shared; the port is closed
    with pytest.raises(WeChatBusy) as refused:
        _subscribe(closed)
    assert not maybe_delivered(refused.value)  # nothing reached WeChat: safe to send again
