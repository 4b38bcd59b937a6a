"""/wechat: signatures, modes, exactly-once, retries, late answers, bad input."""

from __future__ import annotations

import time

import redis
from sqlalchemy import func, select

from app.wechat.parsing import parse_xml
from models.inbound import InboundMessage
from models.workers import Worker

from . import samples
from .conftest import WeChatServer, wait_for, without_time

OPENID = "oDemo-zhangwei"


def _text(openid=OPENID, content="你好", msg_id=6054768590064713728) -> str:
    return samples.TEXT.format(openid=openid, content=content, msg_id=msg_id)


def _reply(response) -> dict:
    return parse_xml(response.plain.encode())


def _rows(session) -> list[InboundMessage]:
    session.expire_all()
    return list(session.scalars(select(InboundMessage)))


def test_server_verification_answers_echostr_only_when_signed(wechat):
    params, _ = wechat.pusher().push("<xml/>")
    good = wechat.client.get("/wechat", query_string={**params, "echostr": "5837397520614211690"})
    assert (good.status_code, good.get_data(as_text=True)) == (200, "5837397520614211690")
    forged = wechat.client.get("/wechat", query_string={**params, "signature": "0" * 40, "echostr": "1"})
    assert forged.status_code == 403


def test_stale_timestamp_is_refused(wechat):
    assert wechat.post(_text(), timestamp=1_000_000_000).status_code == 403


def test_text_message_is_answered_and_stored_once(wechat, session):
    response = wechat.post(_text(content="你好"))
    reply = _reply(response)
    assert response.status_code == 200 and reply["MsgType"] == "text" and "职工服务平台" in reply["Content"]
    assert (reply["ToUserName"], reply["FromUserName"]) == (OPENID, "toUser")
    [row] = _rows(session)
    assert (row.status, row.delivery, row.attempts, row.fields["Content"]) == ("answered", "passive", 1, "你好")


def test_safe_mode_reply_is_encrypted_and_signed(wechat):
    for mode in ("aes", "compat"):
        response = wechat.post(_text(msg_id=hash(mode) % 10**15, content="帮助"), mode=mode)
        assert response.get_data(as_text=True).startswith("<xml><Encrypt>")
        assert "职工服务平台" in _reply(response)["Content"]  # open_reply checked the signature and decrypted


def test_message_encrypted_for_another_account_is_refused(wechat):
    wechat.appid = "wx0000000000000000"
    assert wechat.post(_text(), mode="aes").status_code == 403


def test_forged_msg_signature_is_refused(wechat):
    params, body = wechat.pusher("aes").push(_text())
    params["msg_signature"] = "0" * 40
    assert wechat.client.post("/wechat", query_string=params, data=body).status_code == 403


def test_retry_gets_the_same_reply_and_is_handled_once(wechat, session):
    first = wechat.post(_text(content="查询案件"))
    again = wechat.retry()
    assert without_time(again) == without_time(first)
    [row] = _rows(session)
    assert row.attempts == 1


def test_retry_after_redis_lost_everything_is_answered_from_the_database(wechat, session, backend):
    first = wechat.post(_text(content="查询案件"))
    redis.Redis.from_url(backend.redis_url).flushdb()
    assert _reply(first)["Content"] in wechat.retry().get_data(as_text=True)
    assert len(_rows(session)) == 1


def test_with_redis_down_messages_are_still_handled_exactly_once(make_app, simulator, session):
    server = WeChatServer(make_app(REDIS_URL="redis://127.0.0.1:1/0", WECHAT_API_BASE_URL=simulator.url).test_client())
    first = server.post(_text(content="帮助"))
    assert first.status_code == 200 and "职工服务平台" in _reply(first)["Content"]
    assert without_time(server.retry()) == without_time(first)
    assert len(_rows(session)) == 1


def test_nonce_reused_for_another_message_is_a_replay(wechat):
    params, _ = wechat.pusher().push("<xml/>")
    assert wechat.post(_text(msg_id=1), timestamp=int(params["timestamp"]), nonce=params["nonce"]).status_code == 200
    replay = wechat.post(_text(msg_id=2), timestamp=int(params["timestamp"]), nonce=params["nonce"])
    assert replay.status_code == 403


def test_late_answer_goes_out_as_a_customer_service_message(make_app, simulator, session, late_answers):
    app = make_app(WECHAT_API_BASE_URL=simulator.url, WECHAT_REPLY_SECONDS=0.0)
    server = WeChatServer(app.test_client())
    simulator.state.record_interaction(OPENID)
    response = server.post(_text(content="帮助"))
    assert response.get_data(as_text=True) == "success"
    assert server.retry().get_data(as_text=True) == "success"  # a retry while (or after) it is handled
    sent = wait_for(lambda: simulator.state.sent_messages(openid=OPENID, kind="custom"))
    assert "职工服务平台" in str(sent[0]["payload"])
    row = wait_for(lambda: [r for r in _rows(session) if r.status == "answered"])[0]
    assert (row.delivery, len(simulator.state.sent_messages(openid=OPENID))) == ("customer_service", 1)


def test_a_push_that_waited_past_all_its_tries_is_answered_by_customer_service(make_app, simulator, session):
    # Stamped 16 s ago: it waited in the listen queue while every worker was busy or restarting.
    server = WeChatServer(make_app(WECHAT_API_BASE_URL=simulator.url).test_client())
    simulator.state.record_interaction(OPENID)
    response = server.post(_text(content="帮助"), timestamp=int(time.time()) - 16)
    assert response.get_data(as_text=True) == "success"
    sent = wait_for(lambda: simulator.state.sent_messages(openid=OPENID, kind="custom"))
    assert len(sent) == 1 and "职工服务平台" in str(sent[0]["payload"])
    row = wait_for(lambda: [r for r in _rows(session) if r.status == "answered"])[0]
    assert row.delivery == "customer_service"
    fresh = server.post(_text(content="帮助", msg_id=6054768590064713729))
    assert "职工服务平台" in _reply(fresh)["Content"]  # one stamped now still gets its passive reply


def test_late_answer_outside_the_48_hour_window_is_recorded_undelivered(make_app, simulator, session, late_answers):
    server = WeChatServer(make_app(WECHAT_API_BASE_URL=simulator.url, WECHAT_REPLY_SECONDS=0.0).test_client())
    server.post(_text(openid="o-never-seen", content="窗口外"))
    row = wait_for(lambda: [r for r in _rows(session) if r.status == "answered"])[0]
    assert row.delivery == "undelivered" and simulator.state.sent_messages(openid="o-never-seen") == []


def test_subscribe_creates_or_reactivates_the_worker_and_unsubscribe_keeps_it(wechat, session):
    def event(name, at):
        return samples.EVENT.format(openid="o-new-follower", event=name, key="", at=at)

    welcome = _reply(wechat.post(event("subscribe", 1700000000)))
    assert "欢迎关注新乡市总工会" in welcome["Content"]
    assert wechat.post(event("unsubscribe", 1700000100)).get_data(as_text=True) == "success"
    worker = session.scalars(select(Worker).where(Worker.openid == "o-new-follower")).one()
    assert (worker.subscribed, worker.unsubscribed_at is not None) == (False, True)
    wechat.post(event("subscribe", 1700000200))
    session.refresh(worker)
    assert worker.subscribed and worker.unsubscribed_at is None
    assert session.scalar(select(func.count()).select_from(Worker).where(Worker.openid == "o-new-follower")) == 1


def test_menu_click_view_voice_image_and_location(wechat):
    view = samples.EVENT.format(openid=OPENID, event="VIEW", key="https://example.org/", at=1700000001)
    assert wechat.post(view).get_data(as_text=True) == "success"
    assert "托管" in _reply(wechat.post(samples.VOICE.format(openid=OPENID)))["Content"]
    assert "图片已收到" in _reply(wechat.post(samples.IMAGE.format(openid=OPENID)))["Content"]
    assert "获嘉县亢村镇" in _reply(wechat.post(samples.LOCATION.format(openid=OPENID)))["Content"]
    click = samples.EVENT.format(openid=OPENID, event="CLICK", key="GRIEVANCE_FILE", at=1700000000)
    assert "【维权求助 1/7】遇到了什么问题" in _reply(wechat.post(click))["Content"]


def test_a_text_takes_the_dialogue_lock_with_its_claim_and_leaves_it_free(wechat, backend):
    client = redis.Redis.from_url(backend.redis_url)
    assert "请问您的姓名" in _reply(wechat.post(_text(openid="o-locked", content="我要入会", msg_id=31)))["Content"]
    assert "哪类工作" in _reply(wechat.post(_text(openid="o-locked", content="王小明", msg_id=32)))["Content"]
    assert not client.exists("gonghui:bot:lock:o-locked")


def test_a_retry_whose_claim_redis_lost_frees_the_lock_it_took(wechat, backend, session):
    client = redis.Redis.from_url(backend.redis_url)
    first = wechat.post(_text(openid="o-lost", content="帮助", msg_id=33))
    for name in client.scan_iter("gonghui:wx:mp:claim:*"):
        client.delete(name)  # the claim is gone; the stored row is not
    assert without_time(wechat.retry()) == without_time(first)
    assert not client.exists("gonghui:bot:lock:o-lost")
    assert len(_rows(session)) == 1


def test_a_worker_busy_with_a_message_holds_the_next_one_back(wechat, backend):
    client = redis.Redis.from_url(backend.redis_url)
    client.set("gonghui:bot:lock:o-busy", "another message", px=300)  # its previous message is being handled
    reply = _reply(wechat.post(_text(openid="o-busy", content="我要入会", msg_id=34)))
    assert "请问您的姓名" in reply["Content"]  # answered once the lock was free
    assert not client.exists("gonghui:bot:lock:o-busy")
