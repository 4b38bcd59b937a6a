"""The mini-program's childcare: programs to browse, registrations with places and a waitlist, cancellation."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models.base import utcnow
from models.childcare import CONFIRMED, CareSession, Program, Registration
from models.demo_calendar import moved_by
from models.workers import create_worker

from .conftest import log_in

PRESCHOOL = "新乡县总工会2027年寒假爱心托管（幼托）"
CHILD = {"name": "李小朵", "birth_date": "2022-06-01", "gender": "女", "health_notes": "花生过敏"}


@pytest.fixture
def api(make_app, simulator, demo):  # overrides conftest's: every window open
    """A client of an app whose WeChat is the simulator, on the demo data with every registration window open."""
    for program in demo.session.scalars(select(Program)):
        program.registration_opens, program.registration_closes = utcnow() - timedelta(days=1), utcnow() + timedelta(30)
    demo.session.commit()
    return make_app(WECHAT_API_BASE_URL=simulator.url).test_client()


def guardian(api, demo, n: int, union: str = "新乡县七里营镇工会") -> dict:
    """Log in as a member of a union (below 新乡县总工会 by default)."""
    openid = f"o-parent-{n}"
    union_id = demo.union(union).id
    create_worker(
        demo.session, name=f"家长{n}", miniapp_openid=openid, union_id=union_id, member_since=date(2020, 1, 1)
    )
    demo.session.commit()
    return log_in(api, openid)


def care(demo, title: str = PRESCHOOL) -> CareSession:
    return demo.session.scalars(select(Program).where(Program.title == title)).one().sessions[0]


def register(api, headers: dict, session_id: int, /, **changes):
    body = {
        "session_id": session_id,
        "child": CHILD,
        "guardian_phone": "13937310001",
        "emergency_contact": "外婆 13937310033",
        "consent": True,
    }
    return api.post("/api/registrations", json=body | changes, headers=headers)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [p["title"] for p in response.json["programs"]]


def test_programs_are_listed_with_everything_a_parent_asks(api, demo):
    headers = log_in(api, "o-anyone")
    assert len(titles(api.get("/api/programs", headers=headers))) == 6
    [preschool] = api.get("/api/programs?age=4", headers=headers).json["programs"]
    assert (preschool["title"], preschool["union"]["name"]) == (PRESCHOOL, "新乡县总工会")
    assert (preschool["kind"], preschool["kind_label"], preschool["season_label"]) == ("preschool", "幼托", "寒假")
    assert (preschool["min_age"], preschool["max_age"], preschool["fee_yuan"]) == (3, 5, 0)
    assert preschool["place"] == "新乡县职工服务中心" and preschool["daily_hours"] == "8:30-17:00"
    assert "绘本阅读" in preschool["courses"] and "午睡" in preschool["meals"] and "2+1+N" in preschool["staff"]
    assert preschool["registration_open"] is True and preschool["members_only"] is True
    confirmed = select(func.count()).where(Registration.session_id == care(demo).id, Registration.status == CONFIRMED)
    taken = demo.session.scalar(confirmed)  # the demo's children registered already
    assert preschool["sessions"] == [
        {
            "id": care(demo).id,
            "name": "寒假班",
            "starts_on": str(date(2027, 1, 25) + moved_by()),
            "ends_on": str(date(2027, 2, 26) + moved_by()),
            "capacity": 20,
            "places_left": 20 - taken,
        }
    ]
    summer = titles(api.get("/api/programs?season=summer", headers=headers))
    assert summer == ["凤泉区总工会2027年暑期职工子女爱心托管班"]
    week = titles(api.get("/api/programs?kind=week&year=2027", headers=headers))
    assert week == ["新乡县总工会2027年寒假爱心托管（周托）"]
    xinxiang = api.get(f"/api/programs?union_id={demo.union('新乡县总工会').id}&age=7", headers=headers)
    assert len(titles(xinxiang)) == 2
    assert titles(api.get("/api/programs?year=2030", headers=headers)) == []


def test_one_program_in_detail(api, demo):
    headers = log_in(api, "o-anyone")
    program_id = care(demo).program_id
    response = api.get(f"/api/programs/{program_id}", headers=headers)
    assert response.status_code == 200 and response.json["title"] == PRESCHOOL
    missing = api.get("/api/programs/999999", headers=headers)
    assert missing.status_code == 404 and missing.json["error"]["message"] == "未找到该托管项目"
    assert api.get("/api/programs/0", headers=headers).status_code == 404
    assert api.get(f"/api/programs/{program_id}").status_code == 401


@pytest.mark.parametrize(
    "query", ["age=17", "age=-1", "age=four", "age=4&age=5", "kind=monthly", "season=spring", "year=1999", "city=新乡"]
)
def test_bad_program_filters_are_400(api, query):
    response = api.get(f"/api/programs?{query}", headers=log_in(api, "o-anyone"))
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload"


def test_register_a_child_for_a_place(api, demo, caplog):
    headers = guardian(api, demo, 1)
    left = care(demo).places_left
    with caplog.at_level(logging.DEBUG):
        response = register(api, headers, care(demo).id)
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["status"], body["status_label"], body["waitlist_position"]) == ("confirmed", "已报名", None)
    assert body["child"] == {"name": "李小朵", "age": 4} and body["program"]["name"] == PRESCHOOL
    assert body["session"]["places_left"] == left - 1 and body["cancelled_at"] is None
    assert response.headers["Cache-Control"] == "no-store"
    assert "李小朵" not in caplog.text and "花生过敏" not in caplog.text and "13937310001" not in caplog.text
    [mine] = api.get("/api/registrations", headers=headers).json["registrations"]
    assert mine["id"] == body["id"] and mine["child"]["name"] == "李小朵"
    assert api.get("/api/registrations", headers=guardian(api, demo, 2)).json == {"registrations": []}


def test_a_full_session_waitlists_in_order_and_a_cancellation_promotes(api, demo):
    session = care(demo)
    session.capacity = session.taken + 1  # one place left, after the demo's children
    demo.session.commit()
    parents = [guardian(api, demo, n) for n in range(3)]
    children = [{**CHILD, "name": name} for name in ("王一一", "王二二", "王三三")]
    answers = [register(api, p, session.id, child=c).json for p, c in zip(parents, children, strict=True)]
    assert [(a["status"], a["waitlist_position"]) for a in answers] == [
        ("confirmed", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    assert answers[2]["status_label"] == "候补中" and answers[2]["session"]["places_left"] == 0
    cancelled = api.post(f"/api/registrations/{answers[0]['id']}/cancel", json={}, headers=parents[0])
    assert cancelled.status_code == 200
    assert (cancelled.json["status"], cancelled.json["status_label"]) == ("cancelled", "已取消")
    assert cancelled.json["cancelled_at"] is not None
    [promoted] = api.get("/api/registrations", headers=parents[1]).json["registrations"]
    assert (promoted["status"], promoted["waitlist_position"]) == ("confirmed", None)
    [waiting] = api.get("/api/registrations", headers=parents[2]).json["registrations"]
    assert (waiting["status"], waiting["waitlist_position"]) == ("waitlisted", 1)
    again = api.post(f"/api/registrations/{answers[0]['id']}/cancel", json={}, headers=parents[0])
    assert again.status_code == 409 and again.json["error"]["message"] == "该报名已取消"


def test_my_registrations_are_newest_first(api, demo):
    headers = guardian(api, demo, 1)
    register(api, headers, care(demo).id)
    second = register(api, headers, care(demo).id, child={**CHILD, "name": "李小果", "birth_date": "2021-03-01"}).json
    newest = api.get("/api/registrations", headers=headers).json["registrations"]
    assert [r["child"]["name"] for r in newest] == ["李小果", "李小朵"] and newest[0]["id"] == second["id"]


def test_only_members_of_the_organising_union_tree(api, demo):
    stranger = register(api, log_in(api, "o-anyone"), care(demo).id)
    assert stranger.status_code == 403 and "新乡县总工会" in stranger.json["error"]["message"]
    elsewhere = register(api, guardian(api, demo, 1, union="获嘉县亢村镇工会"), care(demo).id)
    assert elsewhere.status_code == 403 and elsewhere.json["error"]["code"] == "forbidden"
    hospital = register(api, guardian(api, demo, 2, union="新乡医学院第一附属医院工会"), care(demo).id)
    assert hospital.status_code == 403


def test_age_window_twice_and_unknown_session(api, demo):
    headers = guardian(api, demo, 1)
    young = register(api, headers, care(demo).id, child={**CHILD, "birth_date": "2024-06-01"})
    assert young.status_code == 400 and young.json["error"]["field"] == "child.birth_date"
    assert "招收3至5岁" in young.json["error"]["message"]
    assert register(api, headers, care(demo).id).status_code == 201
    twice = register(api, headers, care(demo).id)
    assert twice.status_code == 409 and twice.json["error"]["code"] == "conflict"
    missing = register(api, headers, 999999)
    assert missing.status_code == 404 and missing.json["error"]["message"] == "未找到该托管班"
    session = care(demo)
    session.program.registration_closes = utcnow() - timedelta(hours=1)
    demo.session.commit()
    closed = register(api, headers, session.id, child={**CHILD, "name": "李小果"})
    assert closed.status_code == 400 and closed.json["error"]["message"] == "不在报名时间内"


def test_consent_is_required(api, demo):
    response = register(api, guardian(api, demo, 1), care(demo).id, consent=False)
    assert response.status_code == 400 and response.json["error"]["field"] == "consent"
    assert "监护人同意" in response.json["error"]["message"]


def test_someone_elses_registration_cannot_be_cancelled(api, demo):
    own = register(api, guardian(api, demo, 1), care(demo).id).json
    other = guardian(api, demo, 2)
    response = api.post(f"/api/registrations/{own['id']}/cancel", json={}, headers=other)
    assert response.status_code == 404 and response.json["error"]["message"] == "未找到该报名记录"
    assert api.post("/api/registrations/999999/cancel", json={}, headers=other).status_code == 404
    assert api.post(f"/api/registrations/{own['id']}/cancel", json={"why": "x"}, headers=other).status_code == 400


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"session_id": "1"}, "session_id"),
        ({"session_id": 0}, "session_id"),
        ({"child": {**CHILD, "name": "李"}}, "child.name"),
        ({"child": {**CHILD, "name": "李" * 21}}, "child.name"),
        ({"child": {**CHILD, "name": "李\x00朵"}}, "child.name"),
        ({"child": {**CHILD, "birth_date": "2022-02-30"}}, "child.birth_date"),
        ({"child": {**CHILD, "birth_date": 20220601}}, "child.birth_date"),
        ({"child": {**CHILD, "gender": "M"}}, "child.gender"),
        ({"child": {**CHILD, "health_notes": "过敏" * 101}}, "child.health_notes"),
        ({"child": {**CHILD, "id_number": "410781202206010021"}}, "child.id_number"),
        ({"child": {k: v for k, v in CHILD.items() if k != "gender"}}, "child.gender"),
        ({"guardian_phone": "12345"}, "guardian_phone"),
        ({"emergency_contact": "  "}, "emergency_contact"),
        ({"emergency_contact": "外" * 51}, "emergency_contact"),
        ({"consent": "true"}, "consent"),
        ({"guardian_id": 1}, "guardian_id"),
    ],
)
def test_bad_registration_payloads_are_400(api, demo, changes, field):
    response = register(api, guardian(api, demo, 1), care(demo).id, **changes)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload"
    assert response.json["error"]["fields"][0]["field"] == field


def test_registrations_need_a_login_and_json(api, demo):
    assert api.get("/api/registrations").status_code == 401
    assert register(api, {}, care(demo).id).status_code == 401
    form = api.post("/api/registrations", data="session_id=1", headers=guardian(api, demo, 1))
    assert form.status_code == 415


def test_the_childcare_endpoints_are_documented(api):
    document = api.get("/api/openapi.json").json
    assert {"get"} == set(document["paths"]["/api/programs"]) == set(document["paths"]["/api/programs/{program_id}"])
    assert set(document["paths"]["/api/registrations"]) == {"get", "post"}
    post = document["paths"]["/api/registrations"]["post"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(post["responses"])
    body = document["components"]["schemas"]["RegistrationIn"]
    assert body["additionalProperties"] is False and "consent" in body["required"]
    cancel = document["paths"]["/api/registrations/{registration_id}/cancel"]["post"]
    assert {"200", "404", "409"} <= set(cancel["responses"])
    ages = {p["name"]: p for p in document["paths"]["/api/programs"]["get"]["parameters"]}
    assert set(ages) == {"union_id", "kind", "season", "year", "age"}
