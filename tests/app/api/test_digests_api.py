"""The 手机报 in the mini-program: the latest issues, and items for 县区动态 sent to the worker's union."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.digests import Suggestion
from models.workers import Worker

from .conftest import log_in


@pytest.fixture
def zhangwei(api, demo) -> dict:
    """张伟 of 获嘉县恒达机械有限公司 (亢村镇), logged in to the mini-program."""
    worker = demo.session.scalars(select(Worker).where(Worker.openid == "oDemo-zhangwei")).one()
    worker.miniapp_openid = "m-zhangwei"
    demo.session.commit()
    return log_in(api, "m-zhangwei")


def test_the_latest_issues_newest_first(api, zhangwei):
    answer = api.get("/api/digests", headers=zhangwei).json
    assert answer["paper"] == "新乡工会手机报"
    assert [i["number"] for i in answer["issues"]] == [31, 30]
    latest = answer["issues"][0]
    assert latest["url"] == "http://127.0.0.1:5000/digest/31"
    assert latest["cover"] == "http://127.0.0.1:5000/digest/static/covers/union_news.svg"
    assert latest["headlines"][0] == "新乡工会重点创新案例发布（2024年第3期）"


def test_a_worker_of_the_hebei_enterprises_has_no_paper_yet(api, demo):
    worker = demo.session.scalars(select(Worker).where(Worker.name == "李建国")).one()
    worker.miniapp_openid = "m-lijianguo"
    demo.session.commit()
    assert api.get("/api/digests", headers=log_in(api, "m-lijianguo")).json == {"paper": None, "issues": []}


def test_an_item_goes_to_the_workers_union(api, demo, zhangwei):
    body = {"title": "亢村镇工会送清凉", "body": "亢村镇工会到工业园区慰问一线职工，送去防暑降温用品。"}
    made = api.post("/api/digest/suggestions", headers=zhangwei, json=body)
    assert made.status_code == 201
    assert (made.json["union"]["name"], made.json["status"], made.json["status_label"]) == (
        "获嘉县亢村镇工会",
        "pending",
        "待处理",
    )
    assert demo.session.get(Suggestion, made.json["id"]).title == "亢村镇工会送清凉"
    short = api.post("/api/digest/suggestions", headers=zhangwei, json={"title": "好", "body": "太短"})
    assert short.status_code == 400 and short.json["error"]["code"] == "invalid_payload"
    for n in range(2):
        api.post("/api/digest/suggestions", headers=zhangwei, json={**body, "title": f"第{n}条"})
    fourth = api.post("/api/digest/suggestions", headers=zhangwei, json=body)
    assert fourth.status_code == 409 and fourth.json["error"]["message"] == "每天最多投稿3条，请明天再来"


def test_someone_unplaced_is_asked_to_say_where_they_work(api, demo):
    headers = log_in(api, "m-stranger")
    body = {"title": "一条新闻", "body": "这里发生了一件值得报道的好事情。"}
    refused = api.post("/api/digest/suggestions", headers=headers, json=body)
    assert refused.status_code == 400 and "工作单位" in refused.json["error"]["message"]
