"""The mini-program API: wx.login codes for bearer tokens, the worker's profile, phone binding."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select, text

from models.base import as_utc, utcnow
from models.worker_sessions import WorkerToken
from models.workers import Worker, create_worker, find_by_phone

from .conftest import log_in


def bind(api, headers: dict, phone: str):
    return api.post("/api/me/phone", json={"code": f"sim:{phone}"}, headers=headers)


def test_first_login_creates_the_worker_and_gives_a_token(api, session):
    response = api.post("/api/login", json={"code": "sim:o-worker-1"})
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer" and len(body["token"]) >= 40
    assert body["worker"] == {
        "id": body["worker"]["id"],
        "name": None,
        "phone": None,
        "employer": None,
        "union": None,
        "is_member": False,
        "member_since": None,
    }
    worker = session.get(Worker, body["worker"]["id"])
    assert (worker.miniapp_openid, worker.unionid, worker.openid) == ("o-worker-1", "u-o-worker-1", None)
    row = session.scalars(select(WorkerToken)).one()
    assert row.token_hash != body["token"] and body["token"] not in row.token_hash
    assert timedelta(days=7, minutes=-1) < as_utc(row.expires_at) - utcnow() <= timedelta(days=7)
    stored = session.execute(text("SELECT session_key FROM worker_tokens")).scalar_one()
    assert row.session_key.encode() not in bytes(stored)  # encrypted at rest


def test_a_used_or_invalid_code_is_refused_in_chinese(api, session):
    log_in(api)
    used = api.post("/api/login", json={"code": "sim:o-worker-1"})
    assert used.status_code == 401
    assert used.json["error"] == {"code": "code_used", "message": "登录凭证已使用，请重新登录"}
    assert used.headers["WWW-Authenticate"].startswith("Bearer")
    invalid = api.post("/api/login", json={"code": "not-a-code"})
    assert invalid.status_code == 400 and invalid.json["error"]["code"] == "invalid_code"
    assert session.scalar(select(Worker.id).where(Worker.miniapp_openid.is_not(None))) is not None


def test_a_second_login_finds_the_same_worker(api, simulator):
    first = api.get("/api/me", headers=log_in(api)).json
    simulator.state.used_codes.clear()  # wx.login hands out a fresh code each time
    assert api.get("/api/me", headers=log_in(api)).json["id"] == first["id"]


def test_busy_wechat_is_503(api, simulator):
    simulator.state.set_faults(errcode=-1, error_rate=1.0, paths=["/sns/jscode2session"])
    response = api.post("/api/login", json={"code": "sim:o-worker-1"})
    assert response.status_code == 503
    assert response.json["error"] == {"code": "wechat_unavailable", "message": "微信服务繁忙，请稍后再试"}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({}, "missing"),
        ({"code": ""}, "string_too_short"),
        ({"code": "x" * 129}, "string_too_long"),
        ({"code": "sim:o 1"}, "string_pattern_mismatch"),
        ({"code": 12345}, "string_type"),
        ({"code": "sim:o-1", "openid": "o-admin"}, "extra_forbidden"),
        ([], "model_type"),
    ],
)
def test_bad_login_payloads_are_400(api, body, problem):
    response = api.post("/api/login", json=body)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_payload"
    assert response.json["error"]["fields"][0]["problem"] == problem


def test_login_needs_json(api):
    response = api.post("/api/login", data="code=sim:o-worker-1")
    assert response.status_code == 415 and response.json["error"]["message"] == "请以 JSON 格式提交"


def test_token_opens_me_until_it_expires_or_is_revoked(api):
    headers = log_in(api)
    assert api.get("/api/me", headers=headers).status_code == 200
    with time_machine.travel(utcnow() + timedelta(days=7, minutes=1), tick=False):
        expired = api.get("/api/me", headers=headers)
    assert expired.status_code == 401 and expired.json["error"]["message"] == "登录已失效，请重新登录"
    assert api.get("/api/me", headers=headers).status_code == 200
    assert api.post("/api/logout", headers={**headers, "Content-Type": "application/json"}).status_code == 204
    revoked = api.get("/api/me", headers=headers)
    assert revoked.status_code == 401 and revoked.json["error"]["code"] == "auth_failed"


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwdw=="])
def test_me_without_a_valid_token_is_401(api, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = api.get("/api/me", headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == 'Bearer realm="gonghui"'
    assert response.json["error"]["code"] == "auth_failed"


def test_logout_needs_json_or_nothing(api):
    headers = log_in(api)
    assert api.post("/api/logout", headers=headers, data="x=1").status_code == 415
    assert api.post("/api/logout", headers=headers, json={"all": True}).status_code == 400
    assert api.post("/api/logout", headers=headers, json={}).status_code == 204


def test_patch_me_changes_the_name(api):
    headers = log_in(api)
    response = api.patch("/api/me", json={"name": "  王小明 "}, headers=headers)
    assert response.status_code == 200 and response.json["name"] == "王小明"
    assert api.get("/api/me", headers=headers).json["name"] == "王小明"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "王\x00明"},
        {"name": "王" * 51},
        {"name": 7},
        {"name": None},
        {"name": "王明", "phone": "13900000000"},
        {"name": "王明", "union_id": 1},
    ],
)
def test_patch_me_refuses_bad_payloads(api, body):
    response = api.patch("/api/me", json=body, headers=log_in(api))
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload"


def test_patch_me_needs_a_token_and_json(api):
    assert api.patch("/api/me", json={"name": "王明"}).status_code == 401
    assert api.patch("/api/me", data="name=王明", headers=log_in(api)).status_code == 415


def test_bind_a_new_phone(api, session, caplog):
    headers = log_in(api)
    with caplog.at_level(logging.INFO):
        response = bind(api, headers, "13900000001")
    assert response.status_code == 200 and response.json["phone"] == "139****0001"
    assert find_by_phone(session, "13900000001").miniapp_openid == "o-worker-1"
    assert "13900000001" not in caplog.text and "139****0001" in caplog.text
    again = bind(api, headers, "13900000001")  # the code was spent
    assert again.status_code == 400 and again.json["error"]["code"] == "invalid_code"


def test_a_phone_an_official_registered_becomes_the_workers_record(api, demo, session):
    zhang = demo.worker("张伟")
    headers = log_in(api)
    api.patch("/api/me", json={"name": "小张"}, headers=headers)
    login_id = api.get("/api/me", headers=headers).json["id"]
    response = bind(api, headers, "13837310001")
    assert response.status_code == 200
    assert (response.json["id"], response.json["name"], response.json["phone"]) == (zhang.id, "张伟", "138****0001")
    assert response.json["employer"]["name"] == "获嘉县恒达机械有限公司" and response.json["is_member"] is True
    assert api.get("/api/me", headers=headers).json["id"] == zhang.id  # the same token, now on 张伟's record
    session.expire_all()
    merged = session.get(Worker, zhang.id)
    assert (merged.openid, merged.miniapp_openid, merged.unionid) == ("oDemo-zhangwei", "o-worker-1", "u-o-worker-1")
    assert session.get(Worker, login_id) is None


def test_a_record_without_any_wechat_identity_is_taken_over(api, session):
    walk_in = create_worker(session, name="李四", phone="13900000009")
    session.commit()
    response = bind(api, log_in(api), "13900000009")
    assert response.status_code == 200 and response.json["id"] == walk_in.id


def test_a_login_with_a_phone_of_its_own_is_not_merged_silently(api, demo):
    headers = log_in(api)
    assert bind(api, headers, "13900000004").status_code == 200
    response = bind(api, headers, "13837310001")
    assert response.status_code == 409 and "联系工会" in response.json["error"]["message"]
    assert api.get("/api/me", headers=headers).json["phone"] == "139****0004"


def test_a_phone_of_another_mini_program_user_is_409(api, session, simulator):
    assert bind(api, log_in(api, "o-worker-2"), "13900000002").status_code == 200
    simulator.state.used_codes.clear()  # the same number, vouched for again to another WeChat user
    headers = log_in(api)
    response = bind(api, headers, "13900000002")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict" and "其他微信账号" in response.json["error"]["message"]
    assert api.get("/api/me", headers=headers).json["phone"] is None
    assert find_by_phone(session, "13900000002").miniapp_openid == "o-worker-2"


def test_session_key_never_leaves_the_server(api, session):
    headers = log_in(api)
    api.get("/api/me", headers=headers)
    api.patch("/api/me", json={"name": "王明"}, headers=headers)
    bind(api, headers, "13900000003")
    api.get("/api/openapi.json")
    api.post("/api/logout", headers=headers, json={})
    session_key = session.scalars(select(WorkerToken)).one().session_key
    assert len(session_key) >= 16 and len(api.responses) == 6
    for response in api.responses:
        assert session_key not in response.get_data(as_text=True)
        assert "session_key" not in response.get_data(as_text=True)


def test_a_follower_of_the_service_account_logs_in_as_themself(api, session):
    follower = create_worker(session, openid="o-mp-1", unionid="u-o-worker-1")  # unionid: one person, two apps
    session.commit()
    assert api.get("/api/me", headers=log_in(api)).json["id"] == follower.id
    session.expire_all()
    assert session.get(Worker, follower.id).miniapp_openid == "o-worker-1"


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 13900000001}, {"code": "sim:1", "phone": "13900000001"}])
def test_bad_phone_payloads_are_400(api, body):
    response = api.post("/api/me/phone", json=body, headers=log_in(api))
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload"
