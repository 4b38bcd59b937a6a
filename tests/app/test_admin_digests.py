"""The 手机报 in the admin API: compose, approve, schedule, withdraw, preview in one's own WeChat, workers' items."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.base import LOCAL_TZ
from models.digest_publishing import publish_due
from models.digests import Digest, Suggestion

ADMIN = "xinxiang-admin"


def digest(demo, n: int) -> Digest:
    demo.session.expire_all()
    return demo.session.scalars(select(Digest).where(Digest.number == n)).one()


@pytest.fixture
def admin(login) -> dict:
    return login(ADMIN)


@pytest.fixture
def draft(demo) -> Digest:
    return digest(demo, 32)


def url(d: Digest, rest: str = "") -> str:
    return f"/api/admin/digests/{d.id}{rest}"


def test_officials_list_the_issues_of_their_scope(client, demo, admin, login):
    listed = client.get("/api/admin/digests", headers=admin).json
    assert [(d["number"], d["status"]) for d in listed["digests"]] == [
        (32, "draft"),
        (31, "published"),
        (30, "published"),
    ]
    assert listed["schedule"] == "周五18:00" and listed["digests"][1]["url"] == "http://127.0.0.1:5000/digest/31"
    assert listed["digests"][1]["approved_by"]["name"] == "市总工会管理员" and listed["digests"][1]["articles"] == 6
    assert client.get("/api/admin/digests", headers=login("kangcun")).json["digests"] == []
    viewer = login("xinxiang-viewer")
    assert len(client.get("/api/admin/digests?status=published", headers=viewer).json["digests"]) == 2
    bad = client.get("/api/admin/digests?status=sent", headers=admin)
    assert bad.status_code == 400 and "draft" in bad.json["error"]["message"]


def test_an_issue_in_detail_has_its_five_sections(client, demo, admin, draft, login):
    detail = client.get(url(draft), headers=admin).json
    assert [s["label"] for s in detail["sections"]] == ["工会要闻", "新乡新闻", "工会资讯", "县区动态", "维权服务"]
    county = detail["sections"][3]["articles"]
    assert county[0]["title"] == "县职工心理咨询中心走进亢村镇工业园区" and county[0]["suggestion_id"] is not None
    assert detail["publish_at"] == draft.publish_at.isoformat() and detail["url"] is None
    assert client.get(url(draft), headers=login("huojia")).status_code == 404


def test_creating_the_next_issue(client, demo, admin, draft):
    same_week = client.post("/api/admin/digests", headers=admin, json={"issue_date": draft.issue_date.isoformat()})
    assert same_week.status_code == 409 and same_week.json["error"]["message"] == "本周已有第32期，请在该期中编辑"
    next_friday = draft.issue_date + timedelta(days=7)
    made = client.post("/api/admin/digests", headers=admin, json={"issue_date": next_friday.isoformat()})
    assert made.status_code == 201 and made.json["number"] == 33 and made.json["status_label"] == "编辑中"
    assert made.json["title"] == f"新乡工会手机报 {next_friday.year}年第33期"
    assert made.json["publish_at"] == (draft.publish_at + timedelta(weeks=1)).isoformat()
    assert [s["articles"] for s in made.json["sections"]] == [[]] * 5


def test_articles_are_added_changed_reordered_and_removed(client, demo, admin, draft):
    add = client.post(
        url(draft, "/articles"),
        headers=admin,
        json={"section": "rights", "title": "职工法律援助热线12351", "body": "第一段\n第二段", "position": 1},
    )
    assert add.status_code == 201 and add.json["article"]["anchor"] == "rights-1"
    new_id = add.json["article"]["id"]
    rights = [a["title"] for a in add.json["digest"]["sections"][4]["articles"]]
    assert rights == ["职工法律援助热线12351", "“三书一公布”：意见书无反馈的，向有关部门送达建议书"]
    moved = client.patch(
        url(draft, f"/articles/{new_id}"),
        headers=admin,
        json={"section": "union_info", "cover_url": "https://img.example.cn/a.jpg"},
    )
    assert moved.status_code == 200 and moved.json["article"]["anchor"] == "union_info-1"
    assert moved.json["article"]["cover_url"] == "https://img.example.cn/a.jpg"
    first = client.post(url(draft, "/articles"), headers=admin, json={"section": "union_info", "title": "第二篇"})
    second_id = first.json["article"]["id"]
    order = client.put(
        url(draft, "/sections/union_info/order"), headers=admin, json={"article_ids": [second_id, new_id]}
    )
    assert [a["title"] for a in order.json["sections"][2]["articles"]] == ["第二篇", "职工法律援助热线12351"]
    gone = client.delete(url(draft, f"/articles/{second_id}"), headers=admin)
    assert [a["position"] for a in gone.json["sections"][2]["articles"]] == [1]
    elsewhere = client.delete(f"/api/admin/digests/{digest(demo, 31).id}/articles/{new_id}", headers=admin)
    assert elsewhere.status_code == 404 and elsewhere.json["error"]["message"] == "未找到该文章"


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"section": "sport", "title": "x"}, "invalid_payload", None),
        ({"section": "rights", "title": "x" * 101}, "invalid_payload", None),
        ({"section": "rights", "title": "x", "cover_url": "javascript:alert(1)"}, "invalid", "封面图片地址应以"),
        ({"section": "rights", "title": "x", "body": "a\x07b"}, "invalid_payload", None),
        ({"section": "rights", "title": "x", "html": "<b>"}, "invalid_payload", None),
    ],
)
def test_bad_articles_are_refused(client, demo, admin, draft, body, code, message):
    response = client.post(url(draft, "/articles"), headers=admin, json=body)
    assert response.status_code == 400 and response.json["error"]["code"] == code
    assert message is None or response.json["error"]["message"].startswith(message)


def test_approve_schedule_withdraw(client, demo, admin, draft, login):
    viewer = client.post(url(draft, "/approve"), headers=login("xinxiang-viewer"))
    assert viewer.status_code == 403 and viewer.json["error"]["message"] == "只读账号不能修改数据"
    approved = client.post(url(draft, "/approve"), headers=admin).json
    assert approved["status"] == "approved" and approved["approved_by"]["name"] == "市总工会管理员"
    saturday = (draft.publish_at + timedelta(hours=15)).astimezone(LOCAL_TZ)  # 09:00 the next morning
    moved = client.post(url(draft, "/schedule"), headers=admin, json={"publish_at": saturday.isoformat()}).json
    assert moved["status"] == "approved" and moved["issue_date"] == saturday.date().isoformat()
    naive = client.post(url(draft, "/schedule"), headers=admin, json={"publish_at": "2030-01-01T18:00:00"})
    assert naive.status_code == 400
    withdrawn = client.post(url(draft, "/withdraw"), headers=admin, json={"reason": "改期"}).json
    assert withdrawn["status"] == "withdrawn" and withdrawn["status_label"] == "已撤回"
    reopened = client.post(url(draft, "/reopen"), headers=admin).json
    assert reopened["status"] == "draft"
    actions = demo.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(draft.id))).all()
    assert actions[-4:] == ["approve", "schedule", "withdraw", "reopen"]


def test_a_published_issue_shows_its_push(client, demo, admin, draft):
    client.post(url(draft, "/approve"), headers=admin)
    publish_due(demo.session, now=draft.publish_at, base_url="https://gonghui.example.cn")
    detail = client.get(url(draft), headers=admin).json
    assert detail["status"] == "published" and detail["push"]["status"] == "scheduled"
    assert detail["url"] == "http://127.0.0.1:5000/digest/32"
    refused = client.post(url(draft, "/articles"), headers=admin, json={"section": "rights", "title": "晚了"})
    assert refused.status_code == 409 and refused.json["error"]["message"] == "第32期已发布，不能再修改"


@pytest.fixture
def wechat(make_app, simulator, demo):
    """A client of an app whose WeChat is the simulator, logged in as the city union's admin."""
    client = make_app(WECHAT_API_BASE_URL=simulator.url, PUBLIC_BASE_URL="https://gonghui.example.cn").test_client()
    response = client.post("/api/admin/login", json={"username": ADMIN, "password": "gonghui2026"})
    return client, {"Authorization": f"Bearer {response.json['token']}"}


def test_preview_goes_to_the_officials_own_wechat(wechat, simulator, demo, draft):
    client, headers = wechat
    unbound = client.post(url(draft, "/preview"), headers=headers)
    assert unbound.status_code == 409 and unbound.json["error"]["field"] == "wechat_openid"
    assert unbound.json["error"]["message"] == "请先绑定您本人的微信（PUT /api/admin/me/wechat），预览会发到那里"
    demo.official(ADMIN).wechat_openid = "o-xinxiang-admin"
    demo.session.commit()
    closed = client.post(url(draft, "/preview"), headers=headers)
    assert closed.status_code == 409 and "48小时" in closed.json["error"]["message"]
    simulator.state.record_interaction("o-xinxiang-admin")
    sent = client.post(url(draft, "/preview"), headers=headers)
    assert sent.status_code == 200 and sent.json["sent"] is True
    [message] = simulator.state.sent_messages(openid="o-xinxiang-admin")
    [card] = message["payload"]["news"]["articles"]
    assert card["title"] == "【预览】" + draft.title and card["url"] == "https://gonghui.example.cn/digest/32"
    assert card["description"].startswith("本期要闻：工会会客厅推出“劳模助力乡村振兴”专题访谈")
    assert digest(demo, 32).status == "draft"  # a preview publishes nothing
    previews = demo.session.scalars(select(AuditEntry).where(AuditEntry.action == "preview")).all()
    assert len(previews) == 1


def test_officials_take_or_decline_workers_items(client, demo, admin, draft, login):
    pending = client.get("/api/admin/digests/suggestions?status=pending", headers=admin).json["suggestions"]
    assert [(s["worker"]["name"], s["union"]["name"]) for s in pending] == [("刘洋", "新乡县七里营镇工会")]
    assert client.get("/api/admin/digests/suggestions", headers=login("kangcun")).json["suggestions"][0]["status"] == (
        "accepted"
    )
    taken = client.post(
        f"/api/admin/digests/suggestions/{pending[0]['id']}/accept",
        headers=admin,
        json={"digest_id": draft.id, "summary": "职工来稿"},
    )
    assert taken.status_code == 200 and taken.json["suggestion"]["status_label"] == "已采用"
    assert (taken.json["article"]["section_label"], taken.json["article"]["summary"]) == ("县区动态", "职工来稿")
    twice = client.post(f"/api/admin/digests/suggestions/{pending[0]['id']}/decline", headers=admin, json={})
    assert twice.status_code == 409 and twice.json["error"]["message"] == "该投稿已经处理过了"
    other = Suggestion(
        worker_id=demo.worker("李娜").id, union_id=demo.union("获嘉县城关镇工会").id, title="来稿", body="内容"
    )
    demo.session.add(other)
    demo.session.commit()
    out_of_scope = client.post(f"/api/admin/digests/suggestions/{other.id}/decline", headers=login("kangcun"), json={})
    assert out_of_scope.status_code == 404
    declined = client.post(
        f"/api/admin/digests/suggestions/{other.id}/decline", headers=login("chengguan"), json={"reason": "内容太短"}
    )
    assert declined.status_code == 200 and declined.json["status"] == "declined"
    assert declined.json["reviewed_by"]["name"] == "城关镇工会干部"
