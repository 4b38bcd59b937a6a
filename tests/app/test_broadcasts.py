"""Broadcasts through the simulated WeChat: every recipient once, through crashes, timeouts and each WeChat error."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.push import send, tick
from app.push.send import next_china_midnight
from app.wechat.accounts import runtime
from models import push_delivery as ledger
from models.base import utcnow
from models.notifications import Notification, SubscriptionGrant
from models.push_audience import NEWS_TEMPLATE
from models.push_ledger import create_push, progress, start_push
from models.pushes import DONE, FAILED, INBOX, MASS, PAUSED, PENDING, SENT, SKIPPED, SUBSCRIBE, Push, WorkerTag
from tests.pushing import add_workers, rows, run, sent_per_openid, status

HOSPITAL = "新乡医学院第一附属医院工会"
TEXT = {"type": "text", "text": "本周六上午在工人文化宫举办职工义诊，欢迎参加。"}
ARTICLE = {
    "type": "article",
    "title": "新乡工会手机报 第32期",
    "description": "工会要闻、县区动态、维权服务",
    "url": "https://gonghui.example.cn/digest/32",
}
SUBSCRIBE_PATH = "/cgi-bin/message/subscribe/send"
MASS_PATH = "/cgi-bin/message/mass/send"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(send, "BACKOFF", (0, 0, 0))


@pytest.fixture
def wechat_app(make_app, simulator):
    return make_app(WECHAT_API_BASE_URL=simulator.url, PUSH_THREADS=4, PUSH_LEASE_SECONDS=30)


def _broadcast(demo, message=TEXT, tags=None) -> Push:
    audience = {"tags": tags} if tags else {"unions": [demo.union(HOSPITAL).id]}
    push = create_push(
        demo.session, demo.actor("xinyi-fy"), kind="broadcast", title="职工义诊", message=message, audience=audience
    )
    start_push(demo.session, push.id)
    demo.session.commit()
    return push


def _expanded(demo, app, message=TEXT) -> Push:
    """A push whose recipients are listed, with nothing sent yet (the queue is not worked)."""
    push = _broadcast(demo, message)
    tick.start_due(app)
    with app.app_context():
        ledger.expand(db.session, push.id)
    return push


def _audience(demo, simulator, followers=0, subscribers=0, others=0, prefix=""):
    union = demo.union(HOSPITAL)
    return (
        add_workers(demo.session, union, f"{prefix}粉丝", followers, follow=True, simulator=simulator),
        add_workers(demo.session, union, f"{prefix}订阅", subscribers, grant=True, simulator=simulator),
        add_workers(demo.session, union, f"{prefix}小程序", others, mini=True),
    )


def _progress(demo, push) -> dict:
    demo.session.expire_all()
    return progress(demo.session, push.id)


def _once_each(*groups) -> dict[str, int]:
    return {w.openid or w.miniapp_openid: 1 for group in groups for w in group}


def test_a_broadcast_reaches_everyone_once_by_the_best_channel(demo, wechat_app, simulator):
    followers, subscribers, others = _audience(demo, simulator, followers=3, subscribers=9, others=2)
    push = _broadcast(demo, ARTICLE)
    run(wechat_app)
    assert status(demo.session, push.id) == DONE
    assert sent_per_openid(simulator) == _once_each(followers, subscribers)
    mass = simulator.state.sent_messages(kind="mass")[0]["payload"]
    assert mass["clientmsgid"].startswith(f"gh{push.id}-") and "阅读全文" in mass["text"]["content"]
    listed = rows(demo.session, push.id)
    assert {row.status for row in listed} == {SENT}
    inbox = {row.worker_id for row in listed if row.channel == INBOX}
    assert {w.id for w in others} < inbox  # and 王芳, a member without WeChat
    ours = Notification.dedup_key.startswith(f"push:{push.id}:")  # the demo's broadcasts filled inboxes too
    notes = demo.session.scalars(select(Notification.worker_id).where(Notification.kind == "push_broadcast", ours))
    assert set(notes) == inbox
    grants = select(SubscriptionGrant.remaining).where(
        SubscriptionGrant.template_id == NEWS_TEMPLATE, SubscriptionGrant.worker_id.in_(w.id for w in subscribers)
    )
    assert list(demo.session.scalars(grants)) == [0] * len(subscribers)  # each message spent the grant it used
    report = _progress(demo, push)
    assert report["counts"][SENT] == report["recipients"] == len(listed)
    assert report["by_channel"][MASS][SENT] == 3 and report["by_channel"][SUBSCRIBE][SENT] == 9


def test_rows_a_dead_sender_only_claimed_are_sent_once_by_the_next(demo, wechat_app, simulator):
    _, subscribers, _ = _audience(demo, simulator, subscribers=8)
    push = _expanded(demo, wechat_app)
    abandoned = ledger.claim(demo.session, push.id, limit=5, lease_seconds=30)  # then its sender was killed -9
    assert len(abandoned) == 5
    run(wechat_app)
    assert status(demo.session, push.id) != DONE  # the abandoned rows wait for their lease
    assert len(sent_per_openid(simulator)) == 3
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        run(wechat_app)
    assert status(demo.session, push.id) == DONE
    assert sent_per_openid(simulator) == _once_each(subscribers)


def test_rows_a_dead_sender_attempted_are_never_sent_twice(demo, wechat_app, simulator):
    _, subscribers, _ = _audience(demo, simulator, subscribers=6)
    push = _expanded(demo, wechat_app)
    attempted = ledger.claim(demo.session, push.id, limit=2, lease_seconds=30, attempt=True)
    with wechat_app.app_context():  # WeChat took the first, then the sender died before writing it down
        runtime().api("miniapp").call("wxa.send_subscribe_message", attempted[0].openid, NEWS_TEMPLATE, {}, None)
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        run(wechat_app)
    assert status(demo.session, push.id) == DONE
    lost = attempted[1].openid
    assert sent_per_openid(simulator) == {o: n for o, n in _once_each(subscribers).items() if o != lost}
    settled = {row.worker_id: (row.status, row.reason) for row in rows(demo.session, push.id)}
    # At most once: the second was on its way too and may have arrived; it is not resent.
    assert settled[attempted[0].worker_id] == settled[attempted[1].worker_id] == (SKIPPED, ledger.IN_DOUBT)


def test_a_mass_batch_sent_again_after_a_crash_is_not_doubled(demo, wechat_app, simulator):
    followers, _, _ = _audience(demo, simulator, followers=4)
    push = _expanded(demo, wechat_app)
    [batch] = {row.batch for row in rows(demo.session, push.id) if row.channel == MASS}
    with wechat_app.app_context():  # the batch went out, then its sender was killed before marking it sent
        claimed = ledger.claim_batch(db.session, db.session.get(Push, push.id), batch, 30)
        openids = [row.openid for row in claimed]
        runtime().api("mp").call("message.send_mass_text", "义诊", openids, client_msg_id=batch)
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        run(wechat_app)
    assert status(demo.session, push.id) == DONE
    assert sent_per_openid(simulator) == _once_each(followers)
    assert simulator.state.call_counts()[MASS_PATH] == 2  # sent again with the same clientmsgid: 45065


def test_quota_45009_pauses_the_push_until_tomorrow_then_it_resumes(demo, wechat_app, simulator):
    _, subscribers, _ = _audience(demo, simulator, subscribers=6)
    simulator.state.set_quota(SUBSCRIBE_PATH, 2)
    push = _broadcast(demo)
    run(wechat_app)
    demo.session.expire_all()
    paused = demo.session.get(Push, push.id)
    assert paused.status == PAUSED and paused.paused_until == next_china_midnight()
    assert len(sent_per_openid(simulator)) == 2
    assert {row.status for row in rows(demo.session, push.id) if row.channel == SUBSCRIBE} == {SENT, PENDING}
    run(wechat_app)
    assert status(demo.session, push.id) == PAUSED  # nothing moves before its time
    with time_machine.travel(paused.paused_until + timedelta(seconds=1), tick=False):
        run(wechat_app)  # the simulator, like WeChat, gives the quota back the next day
    assert status(demo.session, push.id) == DONE
    assert sent_per_openid(simulator) == _once_each(subscribers)


def test_43101_and_45015_skip_the_recipient_with_the_reason(demo, wechat_app, simulator):
    [ours_only] = add_workers(demo.session, demo.union(HOSPITAL), "本地授权", 1, grant=True)  # WeChat: no grant
    _, subscribers, _ = _audience(demo, simulator, subscribers=2)
    push = _broadcast(demo)
    run(wechat_app)
    report = _progress(demo, push)
    assert report["status"] == DONE and report["skipped"] == {"43101 未授权订阅消息": 1}
    assert sent_per_openid(simulator) == _once_each(subscribers)

    _, later, _ = _audience(demo, simulator, subscribers=2, prefix="再")
    demo.session.add_all(WorkerTag(worker_id=w.id, tag="义诊志愿者") for w in later)
    demo.session.commit()
    simulator.state.set_faults(errcode=45015, error_rate=1.0, count=1, paths=[SUBSCRIBE_PATH])
    again = _broadcast(demo, tags=["义诊志愿者"])
    run(wechat_app)
    report = _progress(demo, again)
    assert report["status"] == DONE and report["skipped"] == {"45015 不在可发送时限内": 1}
    assert report["by_channel"][SUBSCRIBE] == {PENDING: 0, "sending": 0, SENT: 1, SKIPPED: 1, FAILED: 0}
    assert ours_only.miniapp_openid not in sent_per_openid(simulator)


def test_a_busy_wechat_is_retried_with_backoff_then_the_row_fails(demo, wechat_app, simulator):
    _, subscribers, _ = _audience(demo, simulator, subscribers=3)
    simulator.state.set_faults(errcode=-1, error_rate=1.0, count=2, paths=[SUBSCRIBE_PATH])
    push = _broadcast(demo)
    run(wechat_app)
    assert _progress(demo, push)["status"] == DONE and _progress(demo, push)["failed"] == {}
    assert sent_per_openid(simulator) == _once_each(subscribers)

    _, [unlucky], _ = _audience(demo, simulator, subscribers=1, prefix="又")
    simulator.state.set_faults(errcode=-1, error_rate=1.0, count=4, paths=[SUBSCRIBE_PATH])  # 1 try + 3 retries
    again = _broadcast(demo)
    run(wechat_app)
    assert _progress(demo, again)["failed"] == {"-1 微信繁忙，重试后仍失败": 1}
    assert unlucky.miniapp_openid not in sent_per_openid(simulator)


def test_a_timed_out_mass_send_is_retried_with_its_clientmsgid(demo, wechat_app, simulator, monkeypatch):
    followers, _, _ = _audience(demo, simulator, followers=3)
    monkeypatch.setattr(send, "SEND_TIMEOUT", (1.0, 0.2))
    simulator.state.set_faults(latency_ms=500, count=1, paths=[MASS_PATH])  # WeChat handles it, answers too late
    push = _broadcast(demo)
    run(wechat_app)
    time.sleep(0.5)  # the first, slow request is done by now too
    assert status(demo.session, push.id) == DONE
    assert sent_per_openid(simulator) == _once_each(followers)
    assert simulator.state.call_counts()[MASS_PATH] == 2


def test_a_timed_out_subscribe_message_is_not_resent(demo, wechat_app, simulator, monkeypatch):
    _, subscribers, _ = _audience(demo, simulator, subscribers=3)
    monkeypatch.setattr(send, "SEND_TIMEOUT", (1.0, 0.2))
    simulator.state.set_faults(latency_ms=500, count=1, paths=[SUBSCRIBE_PATH])
    push = _broadcast(demo)
    run(wechat_app)
    time.sleep(0.5)
    assert status(demo.session, push.id) == DONE
    assert sent_per_openid(simulator) == _once_each(subscribers)  # the slow one arrived, once
    assert _progress(demo, push)["skipped"] == {ledger.IN_DOUBT: 1}


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_a_rejected_token_is_refreshed_once_for_all_senders(demo, wechat_app, simulator, how):
    _, first, _ = _audience(demo, simulator, subscribers=4)
    _broadcast(demo)
    run(wechat_app)
    assert simulator.state.call_counts()["/cgi-bin/token"] == 1
    if how == "expired":
        simulator.state.expire_tokens()  # 42001
    else:
        simulator.state.tokens.clear()  # 40001
    _, second, _ = _audience(demo, simulator, subscribers=8, prefix="后")
    push = _broadcast(demo)
    run(wechat_app)
    assert status(demo.session, push.id) == DONE and _progress(demo, push)["failed"] == {}
    assert sent_per_openid(simulator) == _once_each(first, second)
    assert simulator.state.call_counts()["/cgi-bin/token"] == 2


def test_a_template_push_goes_as_a_subscribe_message_or_to_the_inbox(demo, wechat_app, simulator):
    union = demo.union(HOSPITAL)
    template = "TPL-union-activity"
    [granted] = add_workers(demo.session, union, "活动", 1, grant=template, simulator=simulator)
    [follower] = add_workers(demo.session, union, "粉丝", 1, follow=True, simulator=simulator)
    message = {"type": "template", "template_id": template, "data": {"thing1": {"value": "职工运动会"}}, "page": "p/x"}
    push = _broadcast(demo, message)
    run(wechat_app)
    [record] = simulator.state.sent_messages(kind="subscribe")
    assert record["openid"] == granted.miniapp_openid and record["payload"]["template_id"] == template
    assert {row.worker_id: row.channel for row in rows(demo.session, push.id)}[follower.id] == INBOX


def test_an_article_with_a_cover_goes_to_followers_as_a_draft(demo, wechat_app, simulator):
    followers, _, _ = _audience(demo, simulator, followers=2)
    push = _broadcast(demo, {**ARTICLE, "thumb_media_id": "thumb-32"})
    run(wechat_app)
    assert status(demo.session, push.id) == DONE
    [mass] = [r for r in simulator.state.sent_messages(kind="mass") if r["openid"] == followers[0].openid]
    assert mass["payload"]["msgtype"] == "mpnews" and mass["payload"]["mpnews"]["media_id"]


# -- the admin API -----------------------------------------------------------------------------------------


def _login(client, username: str) -> dict:
    response = client.post("/api/admin/login", json={"username": username, "password": "gonghui2026"})
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_an_official_drafts_tries_on_themselves_sends_and_follows_the_count(demo, wechat_app, simulator):
    followers, subscribers, _ = _audience(demo, simulator, followers=2, subscribers=3)
    client = wechat_app.test_client()
    me = _login(client, "xinyi-fy")
    body = {"title": "职工义诊", "message": ARTICLE, "audience": {"unions": [demo.union(HOSPITAL).id]}}
    created = client.post("/api/admin/broadcasts", json=body, headers=me)
    assert created.status_code == 201 and created.json["status"] == "draft"
    push_id = created.json["id"]

    assert client.post(f"/api/admin/broadcasts/{push_id}/test", headers=me).status_code == 409  # no WeChat bound
    bound = client.put("/api/admin/me/wechat", json={"openid": "o-official-xinyi"}, headers=me)
    assert bound.json == {"wechat_openid": "o-official-xinyi"}
    assert client.post(f"/api/admin/broadcasts/{push_id}/test", headers=me).status_code == 409  # no message in 48 h
    simulator.state.record_interaction("o-official-xinyi")
    tried = client.post(f"/api/admin/broadcasts/{push_id}/test", headers=me)
    assert tried.status_code == 200 and tried.json["channel"] == "customer_service"
    [preview] = simulator.state.sent_messages(openid="o-official-xinyi")
    assert preview["payload"]["news"]["articles"][0]["title"] == "【预览】新乡工会手机报 第32期"

    sent = client.post(f"/api/admin/broadcasts/{push_id}/send", headers=me)
    assert sent.status_code == 202 and sent.json["status"] == "expanding"
    run(wechat_app)
    detail = client.get(f"/api/admin/broadcasts/{push_id}", headers=me).json
    assert detail["status"] == "done" and detail["finished_at"]
    counts = detail["progress"]["counts"]
    assert counts["sent"] == detail["recipients"] == detail["progress"]["recipients"] >= 5
    assert detail["progress"]["by_channel"]["mass"]["sent"] == 2
    assert sent_per_openid(simulator) == _once_each(followers, subscribers)
    listed = client.get("/api/admin/broadcasts?status=done", headers=me).json["broadcasts"]
    assert [b["id"] for b in listed] == [push_id]


def test_scheduling_moving_and_cancelling(demo, wechat_app, simulator):
    _audience(demo, simulator, followers=2)
    client = wechat_app.test_client()
    me = _login(client, "xinyi-fy")
    body = {"title": "工会活动", "message": TEXT, "audience": {"everyone": True}}
    push_id = client.post("/api/admin/broadcasts", json=body, headers=me).json["id"]
    assert client.post(f"/api/admin/broadcasts/{push_id}/schedule", json={}, headers=me).status_code == 400
    at = (utcnow() + timedelta(hours=3)).isoformat()
    scheduled = client.post(f"/api/admin/broadcasts/{push_id}/schedule", json={"send_at": at}, headers=me)
    assert scheduled.json["status"] == "scheduled" and scheduled.json["send_at"] == at
    kept = client.post("/api/admin/broadcasts", json={**body, "send_at": at}, headers=me).json
    moved = client.post(f"/api/admin/broadcasts/{kept['id']}/schedule", json={}, headers=me).json
    assert moved["status"] == "scheduled" and moved["send_at"] == at
    client.post(f"/api/admin/broadcasts/{kept['id']}/cancel", headers=me)
    run(wechat_app)
    assert simulator.state.sent_messages() == []  # not yet
    cancelled = client.post(f"/api/admin/broadcasts/{push_id}/cancel", headers=me)
    assert cancelled.json["status"] == "cancelled" and cancelled.json["progress"]["recipients"] == 0
    assert client.post(f"/api/admin/broadcasts/{push_id}/cancel", headers=me).status_code == 409
    assert client.post(f"/api/admin/broadcasts/{push_id}/send", headers=me).status_code == 409
    with time_machine.travel(utcnow() + timedelta(hours=4), tick=False):
        run(wechat_app)
    assert simulator.state.sent_messages() == []


def test_the_api_keeps_officials_within_their_scope_and_role(demo, wechat_app):
    client = wechat_app.test_client()
    hospital = demo.union(HOSPITAL).id
    body = {"title": "职工义诊", "message": TEXT, "audience": {"unions": [hospital]}}
    push_id = client.post("/api/admin/broadcasts", json=body, headers=_login(client, "xinyi-fy")).json["id"]
    kangcun = _login(client, "kangcun")
    assert client.get(f"/api/admin/broadcasts/{push_id}", headers=kangcun).status_code == 404
    assert client.post(f"/api/admin/broadcasts/{push_id}/cancel", headers=kangcun).status_code == 404
    assert client.post("/api/admin/broadcasts", json=body, headers=kangcun).status_code == 404  # not their union
    viewer = _login(client, "xinxiang-viewer")
    assert client.get(f"/api/admin/broadcasts/{push_id}", headers=viewer).status_code == 200  # the city sees below
    everyone = {**body, "audience": {"everyone": True}}
    assert client.post("/api/admin/broadcasts", json=everyone, headers=viewer).status_code == 403
    bad = client.post("/api/admin/broadcasts", json={**body, "message": {"type": "voice"}}, headers=kangcun)
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid"
    extra = client.post("/api/admin/broadcasts", json={**body, "urgent": True}, headers=kangcun)
    assert extra.status_code == 400
    assert client.get("/api/admin/broadcasts?status=nonsense", headers=kangcun).status_code == 400
