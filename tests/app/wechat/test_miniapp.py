"""/wechat/miniapp: the mini-program's customer-service push, in XML or JSON, answered by customer service."""

from __future__ import annotations

import json

from sqlalchemy import select

from models.workers import Worker

from .conftest import WeChatServer, wait_for

PUSH = {
    "ToUserName": "gh_miniapp",
    "FromUserName": "o-mini-worker",
    "CreateTime": 1482048670,
    "MsgType": "text",
    "Content": "帮助",
    "MsgId": 1234567890123456,
}


def test_json_push_is_answered_by_a_customer_service_message(wechat_app, simulator, session):
    server = WeChatServer(wechat_app.test_client(), channel="miniapp")
    simulator.state.record_interaction("o-mini-worker")
    params, body = server.pusher().push_json(PUSH)
    response = server.client.post("/wechat/miniapp", query_string=params, data=body, content_type="application/json")
    assert response.get_data(as_text=True) == "success"
    [sent] = wait_for(lambda: simulator.state.sent_messages(openid="o-mini-worker"))
    assert "职工服务平台" in str(sent["payload"])
    assert session.scalars(select(Worker.miniapp_openid).where(Worker.miniapp_openid == "o-mini-worker")).one()


def test_encrypted_json_push(wechat_app, simulator):
    server = WeChatServer(wechat_app.test_client(), channel="miniapp")
    simulator.state.record_interaction("o-mini-worker")
    params, body = server.pusher("aes").push_json({**PUSH, "MsgId": 99})
    response = server.client.post("/wechat/miniapp", query_string=params, data=body, content_type="application/json")
    assert response.get_data(as_text=True) == "success"
    assert wait_for(lambda: simulator.state.sent_messages(openid="o-mini-worker"))


def test_json_is_not_accepted_by_the_service_account(wechat):
    params, _ = wechat.pusher().push("<xml/>")
    response = wechat.client.post(
        "/wechat", query_string=params, data=json.dumps(PUSH), content_type="application/json"
    )
    assert response.status_code == 400
