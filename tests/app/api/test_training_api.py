"""The mini-program's menu-style training: the menu and orders, wishes, classes, sign-up and the waitlist,
check-in, rating and certificates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models.base import today, utcnow
from models.demo_calendar import moved_by
from models.demo_training import PAST
from models.notifications import Notification
from models.training import Enrolment, Topic, TopicOrder, TopicRequest, TrainingClass
from models.training_classes import issue_certificates
from models.workers import Worker, create_worker

from .conftest import log_in

COAL = "煤炭行业“菜单式”劳动保护知识培训班（第二期）"
COAL_TOPIC = "劳动保护知识（煤炭行业）"
TEXTILES = "常山纺织集团安全生产知识专题培训班"
XINXIANG_MENU = ["新版安全规程", "职业病防治", "劳动保护法律法规", "应急救护", "事故隐患排查", "群监员工作实务"]


@pytest.fixture
def api(make_app, simulator, demo):  # overrides conftest's: the demo's coming classes open for sign-up
    """A client of an app whose WeChat is the simulator, on the demo data with sign-up open for five more days."""
    for training in demo.session.scalars(select(TrainingClass).where(TrainingClass.title != PAST[1])):
        training.registration_closes = utcnow() + timedelta(days=5)
    demo.session.commit()
    return make_app(WECHAT_API_BASE_URL=simulator.url).test_client()


def as_demo(api, demo, openid: str) -> dict:
    """Log in to the mini-program as a demo worker known so far only through the service account."""
    worker = demo.session.scalars(select(Worker).where(Worker.openid == openid)).one()
    worker.miniapp_openid = f"m-{openid}"
    demo.session.commit()
    return log_in(api, worker.miniapp_openid)


def newcomer(api, demo, openid: str, employer: str) -> dict:
    """Log in as a new worker of an enterprise."""
    create_worker(demo.session, name="新职工", miniapp_openid=openid, employer_id=demo.enterprise(employer).id)
    demo.session.commit()
    return log_in(api, openid)


def topic(demo, title: str) -> Topic:
    return demo.session.scalars(select(Topic).where(Topic.title == title)).one()


def klass(demo, title: str = COAL) -> TrainingClass:
    """A class as the database holds it now."""
    demo.session.expire_all()
    return demo.session.scalars(select(TrainingClass).where(TrainingClass.title == title)).one()


def move(demo, training: TrainingClass, starts: int, ends: int) -> None:
    """Hold a class from `starts` to `ends` days from today."""
    training.starts_on, training.ends_on = today() + timedelta(days=starts), today() + timedelta(days=ends)
    demo.session.commit()


def enrol(api, headers: dict, class_id: int):
    return api.post(f"/api/training/classes/{class_id}/enrolment", json={}, headers=headers)


def mine(api, headers: dict) -> list[dict]:
    response = api.get("/api/training/enrolments", headers=headers)
    assert response.status_code == 200, response.json
    assert response.headers["Cache-Control"] == "no-store"
    return response.json["enrolments"]


def error(response, status: int) -> tuple[str, str]:
    assert response.status_code == status, response.json
    return response.json["error"]["code"], response.json["error"]["message"]


def test_the_menu_is_the_workers_own_with_their_orders_and_everyones(api, demo):
    zhangwei = api.get("/api/training/menu", headers=as_demo(api, demo, "oDemo-zhangwei"))
    assert zhangwei.status_code == 200, zhangwei.json
    topics = {t["title"]: t for t in zhangwei.json["topics"]}
    assert list(topics) == XINXIANG_MENU  # 新乡's menu is for every industry; 河北's is not his
    city = {"id": demo.union("新乡市总工会").id, "name": "新乡市总工会"}
    assert topics["应急救护"] == {
        "id": topic(demo, "应急救护").id,
        "union": city,
        "title": "应急救护",
        "industry": None,
        "description": "心肺复苏、AED使用、创伤止血包扎，现场实操。",
        "experts": ["市红十字会急救培训师"],
        "days": 1,
        "hours": 4,
        "audience": "全体职工",
        "ordered": True,
        "order_count": 2,  # 张伟 and 刘洋
    }
    # 赵敏 ordered it, and her enterprise for 20 people: only workers count here.
    assert (topics["职业病防治"]["ordered"], topics["职业病防治"]["order_count"]) == (False, 1)
    [coal] = api.get("/api/training/menu", headers=as_demo(api, demo, "oDemo-lijianguo")).json["topics"]
    assert (coal["title"], coal["industry"], coal["union"]["name"]) == (COAL_TOPIC, "煤炭", "河北省总工会")
    assert (coal["days"], coal["hours"], coal["audience"]) == (3, 6, "从事劳动保护工作的工会干部、一线群监员")
    assert len(coal["experts"]) == 6 and (coal["ordered"], coal["order_count"]) == (True, 1)
    textiles = api.get("/api/training/menu", headers=as_demo(api, demo, "oDemo-liuxiuying")).json["topics"]
    assert [(t["title"], t["ordered"]) for t in textiles] == [("安全生产知识（纺织企业）", False)]
    assert api.get("/api/training/menu").status_code == 401


def test_ordering_is_idempotent_and_can_be_taken_back(api, demo):
    headers = as_demo(api, demo, "oDemo-zhangwei")
    dish = topic(demo, "事故隐患排查")
    url = f"/api/training/topics/{dish.id}/order"
    first = api.post(url, json={}, headers=headers)
    assert first.status_code == 201, first.json
    assert (first.json["id"], first.json["title"], first.json["ordered"], first.json["order_count"]) == (
        dish.id,
        "事故隐患排查",
        True,
        1,
    )
    again = api.post(url, json={}, headers=headers)
    assert again.status_code == 200 and again.json == first.json
    worker = demo.worker("张伟")
    orders = select(TopicOrder).where(TopicOrder.topic_id == dish.id, TopicOrder.worker_id == worker.id)
    assert len(demo.session.scalars(orders).all()) == 1
    others = api.post(url, json={}, headers=as_demo(api, demo, "oDemo-zhaomin"))
    assert (others.status_code, others.json["order_count"]) == (201, 2)
    withdrawn = api.delete(url, json={}, headers=headers)
    assert withdrawn.status_code == 204 and withdrawn.get_data() == b""
    listed = {t["title"]: t for t in api.get("/api/training/menu", headers=headers).json["topics"]}
    assert (listed["事故隐患排查"]["ordered"], listed["事故隐患排查"]["order_count"]) == (False, 1)
    assert error(api.delete(url, json={}, headers=headers), 404) == ("not_found", "您没有点过这个科目")
    coal = f"/api/training/topics/{topic(demo, COAL_TOPIC).id}/order"
    assert error(api.post(coal, json={}, headers=headers), 404) == ("not_found", "菜单上没有该科目")
    assert error(api.post("/api/training/topics/999999/order", json={}, headers=headers), 404)[0] == "not_found"
    dish.active = False  # off the menu
    demo.session.commit()
    assert error(api.post(url, json={}, headers=headers), 404)[1] == "菜单上没有该科目"
    assert api.post(url, json={"headcount": 3}, headers=headers).status_code == 400
    assert api.post(url, json={}).status_code == 401


def test_a_wish_is_recorded_and_says_whether_the_menu_has_it(api, demo):
    headers = as_demo(api, demo, "oDemo-zhangwei")
    matched = api.post("/api/training/requests", json={"text": " 想学应急救护知识 "}, headers=headers)
    assert matched.status_code == 201, matched.json
    rescue = topic(demo, "应急救护")
    assert (matched.json["text"], matched.json["matched"], matched.json["topic"]) == (
        "想学应急救护知识",
        True,
        {"id": rescue.id, "name": "应急救护"},
    )
    unmatched = api.post("/api/training/requests", json={"text": "叉车安全驾驶"}, headers=headers)
    assert (unmatched.status_code, unmatched.json["matched"], unmatched.json["topic"]) == (201, False, None)
    rows = demo.session.scalars(select(TopicRequest).where(TopicRequest.worker_id == demo.worker("张伟").id))
    assert sorted((r.text, r.topic_id, r.industry) for r in rows) == [
        ("叉车安全驾驶", None, "制造业"),
        ("想学应急救护知识", rescue.id, "制造业"),
        ("电工安全操作", None, "制造业"),  # the demo's
    ]
    empty = api.post("/api/training/requests", json={"text": "我想学习培训"}, headers=headers)
    assert error(empty, 400) == ("invalid", "请说说具体想学什么内容，例如“电工安全操作”")
    assert empty.json["error"]["field"] == "text"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "电"},
        {"text": "电" * 201},
        {"text": 5},
        {"text": "电工\x00"},
        {"text": "电工", "x": 1},
    ],
)
def test_bad_wishes_are_400_invalid_payload(api, demo, body):
    response = api.post("/api/training/requests", json=body, headers=log_in(api, "o-anyone"))
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload"


def test_the_classes_open_to_the_worker_and_nobody_else(api, demo):
    lijianguo = as_demo(api, demo, "oDemo-lijianguo")
    coal = klass(demo)
    response = api.get("/api/training/classes", headers=lijianguo)
    assert response.status_code == 200, response.json
    [listed] = response.json["classes"]  # the first class, held in June, is over
    assert listed == {
        "id": coal.id,
        "title": COAL,
        "topic": {"id": coal.topic_id, "name": COAL_TOPIC},
        "union": {"id": demo.union("河北省总工会").id, "name": "河北省总工会"},
        "industry": "煤炭",
        "description": coal.topic.description,
        "audience": "从事劳动保护工作的工会干部、一线群监员",
        "starts_on": str(date(2026, 12, 14) + moved_by()),
        "ends_on": str(date(2026, 12, 16) + moved_by()),
        "days": 3,
        "place": "秦皇岛市北戴河区 河北省总工会职工培训基地",
        "experts": coal.topic.experts,
        "hours": 6,
        "capacity": 120,
        "open_places_left": 7,  # 开滦 83 and 冀中能源 30 hold the rest
        "registration_closes": listed["registration_closes"],
        "registration_open": True,
        "cancelled": False,
        "my_enrolment": None,
    }
    detail = api.get(f"/api/training/classes/{coal.id}", headers=lijianguo)
    assert detail.status_code == 200 and detail.json == listed
    assert "checkin_code" not in detail.json and coal.checkin_code not in detail.get_data(as_text=True)
    past = klass(demo, PAST[1])
    held = api.get(f"/api/training/classes/{past.id}", headers=lijianguo).json
    assert (held["title"], held["registration_open"], held["starts_on"]) == (PAST[1], False, "2026-06-14")
    zhangwei = as_demo(api, demo, "oDemo-zhangwei")
    titles = [c["title"] for c in api.get("/api/training/classes", headers=zhangwei).json["classes"]]
    assert titles == ["应急救护培训班（第一期）", "化工企业职业病防治培训班"]
    liuxiuying = as_demo(api, demo, "oDemo-liuxiuying")
    [textiles] = api.get("/api/training/classes", headers=liuxiuying).json["classes"]
    assert (textiles["title"], textiles["capacity"], textiles["open_places_left"]) == (TEXTILES, 100, 20)
    for outsider in (zhangwei, liuxiuying):  # another province, another industry
        assert error(api.get(f"/api/training/classes/{coal.id}", headers=outsider), 404) == (
            "not_found",
            "未找到该培训班",
        )
        assert error(enrol(api, outsider, coal.id), 404)[1] == "未找到该培训班"
    assert api.get("/api/training/classes/999999", headers=zhangwei).status_code == 404
    assert mine(api, zhangwei) == mine(api, liuxiuying) == []
    assert api.get("/api/training/classes").status_code == 401


def test_a_full_class_waitlists_and_a_cancellation_promotes_the_first_waiting(api, demo):
    coal = klass(demo)
    coal.capacity = coal.quota_seats + 1  # one open place
    move(demo, coal, 10, 12)
    first, second = as_demo(api, demo, "oDemo-lijianguo"), as_demo(api, demo, "oDemo-wanghaitao")
    third = newcomer(api, demo, "o-kailuan-3", "开滦集团")
    answers = [enrol(api, h, coal.id) for h in (first, second, third)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [(a.json["status"], a.json["status_label"], a.json["waitlist_position"]) for a in answers] == [
        ("confirmed", "已报名", None),
        ("waitlisted", "候补中", 1),
        ("waitlisted", "候补中", 2),
    ]
    assert answers[0].json["training_class"] == {
        "id": coal.id,
        "title": COAL,
        "starts_on": coal.starts_on.isoformat(),
        "ends_on": coal.ends_on.isoformat(),
        "place": coal.place,
        "hours": 6,
        "cancelled": False,
    }
    assert answers[0].json["by_enterprise"] is False and answers[0].headers["Cache-Control"] == "no-store"
    assert error(enrol(api, first, coal.id), 409) == ("conflict", "您已报名该培训班")
    [seen] = api.get("/api/training/classes", headers=third).json["classes"]
    assert seen["open_places_left"] == 0
    assert (seen["my_enrolment"]["status"], seen["my_enrolment"]["waitlist_position"]) == ("waitlisted", 2)

    enrolment = answers[0].json["id"]
    assert error(api.post(f"/api/training/enrolments/{enrolment}/cancel", json={}, headers=third), 404) == (
        "not_found",
        "未找到该报名记录",
    )
    cancelled = api.post(f"/api/training/enrolments/{enrolment}/cancel", json={}, headers=first)
    assert cancelled.status_code == 200, cancelled.json
    assert (cancelled.json["status"], cancelled.json["status_label"]) == ("cancelled", "已取消")
    assert cancelled.json["id"] == enrolment and cancelled.json["cancelled_at"] is not None
    [promoted] = mine(api, second)
    assert (promoted["status"], promoted["waitlist_position"]) == ("confirmed", None)
    assert promoted["promoted_at"] is not None
    [waiting] = mine(api, third)
    assert (waiting["status"], waiting["waitlist_position"]) == ("waitlisted", 1)
    [told] = demo.session.scalars(
        select(Notification).where(
            Notification.worker_id == demo.worker("王海涛").id, Notification.kind == "training_promoted"
        )
    )
    assert (told.status, told.title, told.page) == ("pending", "培训候补递补成功", f"pages/training/class?id={coal.id}")
    assert "已从候补转为正式报名" in told.body
    again = api.post(f"/api/training/enrolments/{enrolment}/cancel", json={}, headers=first)
    assert error(again, 409) == ("conflict", "该报名已取消")
    back = enrol(api, first, coal.id)  # the freed place is gone: to the back of the queue
    assert (back.status_code, back.json["status"], back.json["waitlist_position"]) == (201, "waitlisted", 2)
    assert [e["status"] for e in mine(api, first)] == ["waitlisted", "cancelled"]
    move(demo, klass(demo), 0, 2)
    started = api.post(f"/api/training/enrolments/{promoted['id']}/cancel", json={}, headers=second)
    assert error(started, 409)[1] == "培训已开班，不能取消报名"


def test_sign_up_closes_at_the_deadline(api, demo):
    coal = klass(demo)
    coal.registration_closes = utcnow() - timedelta(minutes=1)
    demo.session.commit()
    headers = as_demo(api, demo, "oDemo-lijianguo")
    assert error(enrol(api, headers, coal.id), 400) == ("invalid", "该培训班报名已截止")
    assert api.get("/api/training/classes", headers=headers).json == {"classes": []}
    assert api.get(f"/api/training/classes/{coal.id}", headers=headers).json["registration_open"] is False


def test_check_in_rating_once_and_the_certificate(api, demo):
    coal = klass(demo)
    move(demo, coal, 10, 12)
    attendee, absent = as_demo(api, demo, "oDemo-lijianguo"), as_demo(api, demo, "oDemo-wanghaitao")
    assert enrol(api, attendee, coal.id).status_code == enrol(api, absent, coal.id).status_code == 201
    url = f"/api/training/classes/{coal.id}"
    code = coal.checkin_code
    early = api.post(f"{url}/check-in", json={"code": code}, headers=attendee)
    assert error(early, 400)[1].startswith("请在培训期间")
    move(demo, klass(demo), 0, 2)  # the class is on today
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert error(api.post(f"{url}/check-in", json={"code": wrong}, headers=attendee), 400) == (
        "invalid",
        "签到码不正确，请核对现场公布的6位签到码",
    )
    checked = api.post(f"{url}/check-in", json={"code": code}, headers=attendee)
    assert checked.status_code == 200, checked.json
    assert (checked.json["first_time"], checked.json["status"]) == (True, "confirmed")
    assert checked.json["checked_in_at"] is not None and code not in checked.get_data(as_text=True)
    twice = api.post(f"{url}/check-in", json={"code": code}, headers=attendee)
    assert (twice.status_code, twice.json["first_time"]) == (200, False)
    assert twice.json["checked_in_at"] == checked.json["checked_in_at"]
    stranger = as_demo(api, demo, "oDemo-zhangwei")
    assert error(api.post(f"{url}/check-in", json={"code": code}, headers=stranger), 404)[1] == "您没有正式报名该培训班"
    [listed] = api.get("/api/training/classes", headers=attendee).json["classes"]
    assert listed["my_enrolment"]["checked_in_at"] == checked.json["checked_in_at"]

    rating = {"score": 5, "comment": "  专家结合事故案例讲，很实用。 "}
    too_soon = api.post(f"{url}/rating", json=rating, headers=attendee)
    assert error(too_soon, 400) == ("invalid", "培训最后一天起可以评价")
    move(demo, klass(demo), -2, 0)  # the last day
    assert error(api.post(f"{url}/rating", json=rating, headers=absent), 403) == (
        "forbidden",
        "只有签到参加培训的学员可以评价",
    )
    rated = api.post(f"{url}/rating", json=rating, headers=attendee)
    assert rated.status_code == 201, rated.json
    assert (rated.json["rating"], rated.json["comment"]) == (5, "专家结合事故案例讲，很实用。")
    assert rated.json["rated_at"] is not None and rated.json["certificate_no"] is None
    again = api.post(f"{url}/rating", json={"score": 1}, headers=attendee)
    assert error(again, 409) == ("already_rated", "您已评价过该培训班")

    issue_certificates(demo.session, demo.actor("hebei-admin"), coal.id)
    demo.session.commit()
    training = klass(demo)
    [held] = mine(api, attendee)
    assert held["certificate_no"] == f"PX{training.starts_on:%Y}{training.id:04d}0001"
    assert (held["rating"], held["checked_in_at"]) == (5, checked.json["checked_in_at"])
    [missed] = mine(api, absent)
    assert (missed["certificate_no"], missed["checked_in_at"], missed["rating"]) == (None, None, None)
    assert demo.session.get(Enrolment, held["id"]).comment == "专家结合事故案例讲，很实用。"


def test_a_waitlisted_worker_cannot_check_in(api, demo):
    coal = klass(demo)
    coal.capacity = coal.quota_seats  # no open place at all
    move(demo, coal, 0, 2)
    headers = as_demo(api, demo, "oDemo-lijianguo")
    assert enrol(api, headers, coal.id).json["waitlist_position"] == 1
    response = api.post(f"/api/training/classes/{coal.id}/check-in", json={"code": coal.checkin_code}, headers=headers)
    assert error(response, 404) == ("not_found", "您没有正式报名该培训班")


def test_guessing_the_check_in_code_is_stopped_after_ten_tries(api, demo):
    coal = klass(demo)
    move(demo, coal, 0, 2)
    headers = as_demo(api, demo, "oDemo-lijianguo")
    assert enrol(api, headers, coal.id).status_code == 201
    url = f"/api/training/classes/{coal.id}/check-in"
    wrong = [f"{(int(coal.checkin_code) + n) % 10**6:06d}" for n in range(1, 11)]
    assert [api.post(url, json={"code": c}, headers=headers).status_code for c in wrong] == [400] * 10
    blocked = api.post(url, json={"code": coal.checkin_code}, headers=headers)
    assert error(blocked, 429) == ("too_many_requests", "请求过于频繁，请稍后再试")


@pytest.mark.parametrize(
    "body",
    [{}, {"code": "12345"}, {"code": "1234567"}, {"code": "12a456"}, {"code": 123456}, {"code": "123456", "x": 1}],
)
def test_bad_check_in_codes_are_400_invalid_payload(api, demo, body):
    headers = as_demo(api, demo, "oDemo-lijianguo")
    response = api.post(f"/api/training/classes/{klass(demo).id}/check-in", json=body, headers=headers)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "score"),
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({"score": "5"}, "score"),
        ({"score": 4.5}, "score"),
        ({"score": True}, "score"),
        ({"score": 5, "comment": "好" * 501}, "comment"),
        ({"score": 5, "comment": "好\x07"}, "comment"),
        ({"score": 5, "anonymous": True}, "anonymous"),
    ],
)
def test_bad_ratings_are_400_invalid_payload(api, demo, body, field):
    headers = as_demo(api, demo, "oDemo-lijianguo")
    response = api.post(f"/api/training/classes/{klass(demo).id}/rating", json=body, headers=headers)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload"
    assert response.json["error"]["fields"][0]["field"] == field


def test_training_changes_need_json(api, demo):
    headers = as_demo(api, demo, "oDemo-lijianguo")
    form = api.post(f"/api/training/classes/{klass(demo).id}/enrolment", data="x=1", headers=headers)
    assert form.status_code == 415
    assert api.post("/api/training/requests", data="text=电工", headers=headers).status_code == 415


def test_the_training_endpoints_are_documented(api):
    document = api.get("/api/openapi.json").json
    paths = document["paths"]
    order = paths["/api/training/topics/{topic_id}/order"]
    assert set(order) == {"post", "delete"} and "204" in order["delete"]["responses"]
    assert "201" in order["post"]["responses"] and "200 when" in order["post"]["summary"]
    enrolment = paths["/api/training/classes/{class_id}/enrolment"]["post"]
    assert enrolment["tags"] == ["training"] and {"201", "400", "401", "404", "409"} <= set(enrolment["responses"])
    rating = paths["/api/training/classes/{class_id}/rating"]["post"]
    assert {"201", "400", "403", "409"} <= set(rating["responses"])
    assert {"/api/training/menu", "/api/training/classes", "/api/training/enrolments"} <= set(paths)
    schemas = document["components"]["schemas"]
    assert "checkin_code" not in schemas["ClassOut"]["properties"]
    assert schemas["RatingIn"]["properties"]["comment"]["maxLength"] == 500
    assert schemas["CheckInIn"]["properties"]["code"]["pattern"] == "^[0-9]{6}$"
