"""The admin JSON API: login, scope (404 outside it), clear errors, audit."""

from __future__ import annotations

import pytest


def test_login_gives_a_token_that_opens_the_api(client, demo, login):
    headers = login("kangcun")
    me = client.get("/api/admin/me", headers=headers).json
    assert (me["username"], me["role"], me["union"]["name"]) == ("kangcun", "official", "获嘉县亢村镇工会")
    assert me["scope_union_ids"] == [demo.union("获嘉县亢村镇工会").id]


def test_wrong_password_is_refused_in_chinese(client, demo):
    response = client.post("/api/admin/login", json={"username": "kangcun", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.json["error"] == {"code": "auth_failed", "message": "用户名或密码错误"}
    unknown = client.post("/api/admin/login", json={"username": "nobody", "password": "wrong-password"})
    assert unknown.status_code == 401 and unknown.json["error"]["code"] == "auth_failed"


def test_five_failures_lock_the_account_even_for_the_right_password(client, demo):
    for _ in range(5):
        client.post("/api/admin/login", json={"username": "huojia", "password": "guess-guess"})
    response = client.post("/api/admin/login", json={"username": "huojia", "password": "gonghui2026"})
    assert response.status_code == 423 and response.json["error"]["code"] == "account_locked"
    assert "锁定" in response.json["error"]["message"]


def test_api_without_login_answers_401_json(client, demo):
    response = client.get("/api/admin/workers")
    assert response.status_code == 401 and response.json["error"]["message"] == "请先登录"
    bad = client.get("/api/admin/workers", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


def test_worker_of_another_township_is_404(client, demo, login):
    headers = login("kangcun")
    other = client.get(f"/api/admin/workers/{demo.worker('李娜').id}", headers=headers)
    assert other.status_code == 404 and other.json["error"]["code"] == "not_found"
    own = client.get(f"/api/admin/workers/{demo.worker('张伟').id}", headers=headers)
    assert own.status_code == 200 and own.json["phone"] == "13837310001"
    listed = client.get("/api/admin/workers", headers=headers).json["workers"]
    assert {w["phone"] for w in listed} == {"138****0001", "138****0008"}


def test_find_a_worker_by_phone(client, demo, login):
    headers = login("huojia")
    found = client.get("/api/admin/workers?phone=138 3731 0002", headers=headers).json["workers"]
    assert [w["name"] for w in found] == ["李娜"]
    bad = client.get("/api/admin/workers?phone=12345", headers=headers)
    assert bad.status_code == 400 and bad.json["error"] == {
        "code": "invalid",
        "message": "请输入正确的11位手机号码",
        "field": "phone",
    }


def test_register_a_worker_and_refuse_bad_payloads(client, demo, login):
    headers = login("kangcun")
    employer = demo.enterprise("获嘉县恒达机械有限公司").id
    made = client.post(
        "/api/admin/workers", headers=headers, json={"name": "周涛", "phone": "13937310009", "employer_id": employer}
    )
    assert made.status_code == 201 and made.json["phone"] == "139****0009"
    again = client.post("/api/admin/workers", headers=headers, json={"name": "周涛", "phone": "13937310009"})
    assert again.status_code == 409 and again.json["error"]["field"] == "phone"
    extra = client.post("/api/admin/workers", headers=headers, json={"name": "x", "salary": 1})
    assert extra.status_code == 400 and extra.json["error"]["code"] == "invalid_payload"
    assert extra.json["error"]["fields"][0]["field"] == "salary"
    not_json = client.post("/api/admin/workers", headers=headers, data="name=x")
    assert not_json.status_code == 415 and not_json.json["error"]["message"] == "请以 JSON 格式提交"
    elsewhere = demo.enterprise("获嘉县鑫源纺织有限公司").id
    outside = client.post("/api/admin/workers", headers=headers, json={"name": "钱七", "employer_id": elsewhere})
    assert outside.status_code == 404


def test_session_cookie_login_works_and_needs_json_for_changes(client, demo):
    client.post("/api/admin/login", json={"username": "kangcun", "password": "gonghui2026"})
    assert client.get("/api/admin/me").status_code == 200
    form = client.post("/api/admin/workers", data={"name": "x"})
    assert form.status_code == 415
    client.post("/api/admin/logout", json={})
    assert client.get("/api/admin/me").status_code == 401


def test_logout_revokes_the_token(client, demo, login):
    headers = login("kangcun")
    assert client.post("/api/admin/logout", headers=headers, json={}).status_code == 200
    assert client.get("/api/admin/me", headers=headers).status_code == 401


def test_unions_enterprises_and_place_match(client, demo, login):
    headers = login("huojia")
    names = {u["name"] for u in client.get("/api/admin/unions", headers=headers).json["unions"]}
    assert len(names) == 12 and "获嘉县亢村镇工会" in names and "新乡市总工会" not in names
    township = client.get(f"/api/admin/unions/{demo.union('获嘉县亢村镇工会').id}", headers=headers).json
    assert [a["name"] for a in township["ancestors"]] == ["获嘉县总工会", "新乡市总工会"]
    assert client.get(f"/api/admin/unions/{demo.union('凤泉区总工会').id}", headers=headers).status_code == 404
    match = client.get("/api/admin/unions/match?address=获嘉县亢村镇工业园区8号", headers=headers).json
    assert match == {
        "union": {"id": demo.union("获嘉县亢村镇工会").id, "name": "获嘉县亢村镇工会"},
        "reason": "属地：亢村镇",
    }
    enterprises = client.get("/api/admin/enterprises", headers=headers).json["enterprises"]
    assert {e["name"] for e in enterprises} == {
        "获嘉县恒达机械有限公司",
        "获嘉县鑫源纺织有限公司",
        "获嘉县宏远建材有限公司",
    }


@pytest.mark.parametrize(("username", "status"), [("xinxiang-admin", 201), ("huojia", 403), ("xinxiang-viewer", 403)])
def test_only_admins_found_unions_through_the_api(client, demo, login, username, status):
    body = {
        "parent_id": demo.union("新乡市总工会").id,
        "name": "新乡市交通运输产业工会",
        "kind": "industry",
        "industries": ["交通运输"],
    }
    response = client.post("/api/admin/unions", headers=login(username), json=body)
    assert response.status_code == status


def test_admin_reads_the_audit_log_of_views_and_logins(client, demo, login):
    client.get(f"/api/admin/workers/{demo.worker('张伟').id}", headers=login("kangcun"))
    entries = client.get("/api/admin/audit", headers=login("xinxiang-admin")).json["entries"]
    assert [(e["actor"], e["action"]) for e in entries[:3]] == [
        ("xinxiang-admin", "login"),
        ("kangcun", "view"),
        ("kangcun", "login"),
    ]
    assert client.get("/api/admin/audit", headers=login("kangcun")).status_code == 403


def test_unknown_paths_and_methods_answer_json(client):
    assert client.get("/api/admin/nothing").json["error"]["code"] == "not_found"
    assert client.delete("/healthz").status_code == 405


def test_worker_cannot_be_put_in_a_union_outside_scope(client, demo, login):
    body = {"name": "越权甲", "employer_id": demo.enterprise("获嘉县恒达机械有限公司").id}
    outside = client.post(
        "/api/admin/workers", headers=login("kangcun"), json={**body, "union_id": demo.union("获嘉县城关镇工会").id}
    )
    assert outside.status_code == 404
    assert client.post("/api/admin/workers", headers=login("kangcun"), json=body).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "employer_id": True},
        {"name": "x", "employer_id": "1"},
        {"name": "x", "employer_id": 99999999999999999999},
        {"name": "x\u0000y"},
        {"name": "x", "member_since": "yesterday"},
        {
            "name": "x",
            "member_since": [
                [
                    [
                        [
                            [
                                [
                                    [
                                        [
                                            [
                                                [
                                                    [
                                                        [
                                                            [
                                                                [
                                                                    [
                                                                        [
                                                                            [
                                                                                [
                                                                                    [
                                                                                        [
                                                                                            [
                                                                                                [
                                                                                                    [
                                                                                                        [
                                                                                                            [
                                                                                                                [
                                                                                                                    [
                                                                                                                        [
                                                                                                                            [
                                                                                                                                [
                                                                                                                                    [
                                                                                                                                        [
                                                                                                                                            [
                                                                                                                                                [
                                                                                                                                                    [
                                                                                                                                                        [
                                                                                                                                                            [
                                                                                                                                                                [
                                                                                                                                                                    [
                                                                                                                                                                        [
                                                                                                                                                                            [
                                                                                                                                                                                [
                                                                                                                                                                                    [
                                                                                                                                                                                        [
                                                                                                                                                                                            [
                                                                                                                                                                                                [
                                                                                                                                                                                                    [
                                                                                                                                                                                                        [
                                                                                                                                                                                                            [
                                                                                                                                                                                                                [
                                                                                                                                                                                                                    [
                                                                                                                                                                                                                        [
                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                        [
                                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                                        [
                                                                                                                                                                                                                                                            [
                                                                                                                                                                                                                                                                [
                                                                                                                                                                                                                                                                    [
                                                                                                                                                                                                                                                                        []
                                                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                                ]
                                                                                                                                                                                                                            ]
                                                                                                                                                                                                                        ]
                                                                                                                                                                                                                    ]
                                                                                                                                                                                                                ]
                                                                                                                                                                                                            ]
                                                                                                                                                                                                        ]
                                                                                                                                                                                                    ]
                                                                                                                                                                                                ]
                                                                                                                                                                                            ]
                                                                                                                                                                                        ]
                                                                                                                                                                                    ]
                                                                                                                                                                                ]
                                                                                                                                                                            ]
                                                                                                                                                                        ]
                                                                                                                                                                    ]
                                                                                                                                                                ]
                                                                                                                                                            ]
                                                                                                                                                        ]
                                                                                                                                                    ]
                                                                                                                                                ]
                                                                                                                                            ]
                                                                                                                                        ]
                                                                                                                                    ]
                                                                                                                                ]
                                                                                                                            ]
                                                                                                                        ]
                                                                                                                    ]
                                                                                                                ]
                                                                                                            ]
                                                                                                        ]
                                                                                                    ]
                                                                                                ]
                                                                                            ]
                                                                                        ]
                                                                                    ]
                                                                                ]
                                                                            ]
                                                                        ]
                                                                    ]
                                                                ]
                                                            ]
                                                        ]
                                                    ]
                                                ]
                                            ]
                                        ]
                                    ]
                                ]
                            ]
                        ]
                    ]
                ]
            ],
        },
    ],
)
def test_loose_or_hostile_payloads_are_400(client, demo, login, body):
    response = client.post("/api/admin/workers", headers=login("kangcun"), json=body)
    assert response.status_code == 400 and response.json["error"]["code"] in ("invalid_payload", "invalid")


def test_deeply_nested_json_is_400_not_a_crash(client, demo, login):
    deep = '{"name": "x", "member_since": ' + "[" * 5000 + "]" * 5000 + "}"
    headers = {**login("kangcun"), "Content-Type": "application/json"}
    assert client.post("/api/admin/workers", headers=headers, data=deep).status_code == 400


def test_future_membership_and_blank_passwords_are_refused(client, demo, login):
    union = demo.union("获嘉县亢村镇工会").id
    future = client.post(
        "/api/admin/workers",
        headers=login("kangcun"),
        json={"name": "x", "union_id": union, "member_since": "2099-01-01"},
    )
    assert future.status_code == 400 and future.json["error"]["field"] == "member_since"
    blank = {"username": "blank-pw", "password": " " * 12, "name": "x", "role": "official", "union_id": union}
    assert client.post("/api/admin/officials", headers=login("xinxiang-admin"), json=blank).status_code == 400


@pytest.mark.parametrize(
    "path", ["/api/admin/workers/99999999999999999999999", "/api/admin/unions/0", "/api/admin/enterprises/-1"]
)
def test_out_of_range_ids_are_404(client, demo, login, path):
    assert client.get(path, headers=login("xinxiang-admin")).status_code == 404


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "limit=-1", "limit=501", "before=abc", "before=99999999999"])
def test_bad_audit_paging_is_400(client, demo, login, query):
    response = client.get(f"/api/admin/audit?{query}", headers=login("xinxiang-admin"))
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid"


def test_second_union_for_the_same_township_is_refused(client, demo, login):
    body = {
        "parent_id": demo.union("新乡县总工会").id,
        "name": "翟坡镇二号工会",
        "kind": "township",
        "region": "翟坡镇",
    }
    response = client.post("/api/admin/unions", headers=login("xinxiang-admin"), json=body)
    assert response.status_code == 409 and response.json["error"]["field"] == "region"


def test_enterprise_place_is_read_from_its_address(client, demo, login):
    body = {"name": "获嘉县徐营镇某纸箱厂", "address": "获嘉县徐营镇南街12号", "industry": "制造业"}
    made = client.post("/api/admin/enterprises", headers=login("huojia"), json=body).json
    assert (made["county"], made["township"], made["local_union"]["name"]) == ("获嘉县", "徐营镇", "获嘉县徐营镇工会")


def test_unknown_ticket_status_is_400(client, demo, login):
    response = client.get("/api/admin/tickets?status=bogus", headers=login("kangcun"))
    assert response.status_code == 400 and response.json["error"] == {
        "code": "invalid",
        "message": "状态应为 open、answered 或 closed",
        "field": "status",
    }
