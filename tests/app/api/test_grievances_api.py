"""The mini-program's grievances: categories, filing and routing, one's own cases only, adding to them, rating."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models.grievance_cases import accept, resolve, start_handling
from models.grievances import GrievanceCase
from models.workers import Worker

from .conftest import log_in

FILING = {
    "category": "unpaid_wages",
    "employer": "获嘉县某某电子厂",
    "address": "获嘉县亢村镇工业园区",
    "facts": "老板说没钱，三个月没发工资了",
    "workers_count": 13,
    "amount_owed": "39000.50",
    "contact_phone": "13837310011",
    "media_ids": ["wx-media-1", "wx-media-2"],
}


@pytest.fixture
def api(make_app, simulator, demo):  # overrides conftest's: on the demo data
    return make_app(WECHAT_API_BASE_URL=simulator.url).test_client()


def as_demo(api, demo, openid: str) -> dict:
    """Log in to the mini-program as a demo worker known so far only through the service account."""
    worker = demo.session.scalars(select(Worker).where(Worker.openid == openid)).one()
    worker.miniapp_openid = f"m-{openid}"
    demo.session.commit()
    return log_in(api, worker.miniapp_openid)


def case_of(demo, name: str) -> GrievanceCase:
    """The demo worker's first case, as the database holds it now."""
    demo.session.expire_all()
    query = select(GrievanceCase).where(GrievanceCase.worker_id == demo.worker(name).id).order_by(GrievanceCase.id)
    return demo.session.scalars(query).first()


def error(response, status: int) -> tuple[str, str]:
    assert response.status_code == status, response.json
    return response.json["error"]["code"], response.json["error"]["message"]


def test_the_categories_are_public(api):
    response = api.get("/api/grievances/categories")
    assert response.status_code == 200
    categories = response.json["categories"]
    assert categories[0] == {"code": "unpaid_wages", "label": "拖欠工资"} and len(categories) == 9
    assert {"code": "forced_resignation", "label": "被迫辞职或辞退没有补偿"} in categories


def test_filing_routes_the_case_and_says_why(api, demo):
    headers = as_demo(api, demo, "oDemo-zhangwei")
    response = api.post("/api/grievances", json=FILING, headers=headers)
    assert response.status_code == 201, response.json
    assert response.headers["Cache-Control"] == "no-store"
    filed = response.json
    assert filed["number"].startswith("WQ") and (filed["status"], filed["status_label"]) == ("received", "已收到")
    assert filed["union"] == {"id": demo.union("获嘉县亢村镇工会").id, "name": "获嘉县亢村镇工会"}
    assert (filed["routing_reason"], filed["collective"], filed["amount_owed"]) == ("属地：亢村镇", None, "39000.50")
    assert (filed["category_label"], filed["workers_count"], filed["contact_phone"]) == ("拖欠工资", 13, "138****0011")
    assert (filed["can_add_information"], filed["can_rate"], filed["deadline_at"] is not None) == (True, False, True)
    assert [a["media_id"] for a in filed["attachments"]] == ["wx-media-1", "wx-media-2"]
    assert [(e["action"], e["label"], e["by"], e["note"]) for e in filed["events"]] == [
        ("received", "收到求助", "worker", None)
    ]
    case = demo.session.get(GrievanceCase, filed["id"])
    assert (case.channel, case.amount_owed, case.worker.name) == ("miniapp", Decimal("39000.50"), "张伟")


def test_a_submission_sent_again_after_a_lost_answer_is_filed_once(api, demo):
    headers = as_demo(api, demo, "oDemo-zhangwei")
    submission = FILING | {"client_key": "3f2b9c1e-7a4d-4e0b-9c55-0f6a1d2e8b71"}
    first = api.post("/api/grievances", json=submission, headers=headers)
    again = api.post("/api/grievances", json=submission, headers=headers)  # the phone never got the first answer
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"] and again.json["number"] == first.json["number"]
    other = api.post("/api/grievances", json=FILING | {"client_key": "another-submission-01"}, headers=headers)
    assert other.status_code == 201 and other.json["id"] != first.json["id"]  # a new submission is a new case
    filed = select(func.count()).where(
        GrievanceCase.worker_id == demo.worker("张伟").id, GrievanceCase.channel == "miniapp"
    )
    assert demo.session.scalar(filed) == 2
    # The key is the worker's own: another worker's same key files their own case.
    someone = api.post("/api/grievances", json=submission, headers=as_demo(api, demo, "oDemo-lina"))
    assert someone.status_code == 201 and someone.json["id"] != first.json["id"]
    code, _ = error(api.post("/api/grievances", json=FILING | {"client_key": "短"}, headers=headers), 400)
    assert code == "invalid_payload"


@pytest.mark.parametrize(
    ("changes", "union", "reason"),
    [
        ({"employer": "新乡医学院第一附属医院", "address": None}, "新乡医学院第一附属医院工会", "企业建有工会"),
        (
            {"employer": "某培训学校", "address": "新乡市红旗区", "industry": "教育"},
            "新乡市教育系统产业工会",
            "行业：教育",
        ),
        ({"employer": "某某物流公司", "address": None}, "新乡市总工会", "属地不明，由新乡市总工会受理"),
    ],
)
def test_each_door_of_routing(api, demo, changes, union, reason):
    response = api.post("/api/grievances", json={**FILING, **changes}, headers=as_demo(api, demo, "oDemo-lina"))
    assert response.status_code == 201, response.json
    assert (response.json["union"]["name"], response.json["routing_reason"]) == (union, reason)


def test_the_same_problem_at_the_same_employer_is_one_collective_case(api, demo):
    body = {**FILING, "category": "forced_resignation", "employer": "获嘉县恒达机械有限公司", "workers_count": 2}
    response = api.post("/api/grievances", json=body, headers=as_demo(api, demo, "oDemo-liuyang"))
    assert response.status_code == 201, response.json
    assert response.json["collective"] == {"cases": 3, "workers": 16}  # 张伟's 13, 孙强 and these 2
    assert demo.session.get(GrievanceCase, response.json["id"]).collective_id == case_of(demo, "张伟").id


def test_a_worker_without_a_name_gives_it_once(api, demo):
    headers = log_in(api, "m-newcomer")
    assert error(api.post("/api/grievances", json=FILING, headers=headers), 400) == (
        "invalid",
        "请填写您的姓名，工会出具的告知书上要写明",
    )
    response = api.post("/api/grievances", json={**FILING, "name": "王丽"}, headers=headers)
    assert response.status_code == 201, response.json
    assert demo.session.get(GrievanceCase, response.json["id"]).worker.name == "王丽"
    assert api.post("/api/grievances", json=FILING, headers=headers).status_code == 201


def test_the_worker_sees_only_their_own_cases(api, demo):
    zhangwei = as_demo(api, demo, "oDemo-zhangwei")
    [mine] = api.get("/api/grievances", headers=zhangwei).json["grievances"]
    case = case_of(demo, "张伟")
    assert (mine["id"], mine["number"], mine["employer"], mine["status_label"]) == (
        case.id,
        case.number,
        "获嘉县恒达机械有限公司",
        "办理中",
    )
    assert mine["collective"] == {"cases": 2, "workers": 14}
    sunqiang = case_of(demo, "孙强")
    assert error(api.get(f"/api/grievances/{sunqiang.id}", headers=zhangwei), 404) == ("not_found", "未找到该维权案件")
    assert error(api.get("/api/grievances/999999", headers=zhangwei), 404)[0] == "not_found"
    assert api.get("/api/grievances").status_code == 401
    assert api.get("/api/grievances", headers=log_in(api, "m-nobody")).json == {"grievances": []}


def test_a_case_shows_its_steps_without_the_officials_notes(api, demo):
    response = api.get(f"/api/grievances/{case_of(demo, '张伟').id}", headers=as_demo(api, demo, "oDemo-zhangwei"))
    assert response.status_code == 200, response.json
    case = response.json
    steps = [(e["action"], e["to_label"], e["note"]) for e in case["events"]]
    [notice] = case["documents"]
    assert steps == [
        ("received", "已收到", None),
        ("受理", "已受理", None),  # who handles it is in the case, not in the official's note
        ("告知书", "已受理", notice["number"]),
        ("办理", "办理中", None),  # 联合县人社局劳动监察到企业调查取证…: for the record
    ]
    assert (notice["kind"], notice["label"], notice["deadline"] is not None) == ("notice", "告知书", True)
    assert case["handler"] == "亢村镇工会干部" and "联合县人社局" not in response.get_data(as_text=True)
    assert case["facts"].startswith("公司以搬迁为由")


def test_adding_information_to_an_open_case(api, demo):
    headers = as_demo(api, demo, "oDemo-zhangwei")
    url = f"/api/grievances/{case_of(demo, '张伟').id}/information"
    response = api.post(url, json={"text": "公司今天又通知周五前搬走", "media_ids": ["wx-media-9"]}, headers=headers)
    assert response.status_code == 201, response.json
    last = response.json["events"][-1]
    assert (last["action"], last["by"], last["note"]) == ("补充材料", "worker", "公司今天又通知周五前搬走")
    assert [a["media_id"] for a in response.json["attachments"]] == ["wx-media-9"]
    assert error(api.post(url, json={}, headers=headers), 400)[0] == "invalid"  # nothing to add
    others = f"/api/grievances/{case_of(demo, '孙强').id}/information"
    assert error(api.post(others, json={"text": "看看"}, headers=headers), 404)[0] == "not_found"
    closed = f"/api/grievances/{case_of(demo, '李娜').id}/information"
    lina = as_demo(api, demo, "oDemo-lina")
    assert error(api.post(closed, json={"text": "工资又少发了"}, headers=lina), 409) == (
        "conflict",
        "案件已结案，如有新情况请重新求助",
    )


def test_rating_only_once_the_case_is_resolved_and_only_once(api, demo):
    headers = as_demo(api, demo, "oDemo-zhangwei")
    filed = api.post("/api/grievances", json=FILING, headers=headers).json
    url = f"/api/grievances/{filed['id']}/rating"
    assert error(api.post(url, json={"score": 5}, headers=headers), 409)[1] == "案件办结后才能评价"
    kangcun = demo.actor("kangcun")
    accept(demo.session, kangcun, filed["id"])
    start_handling(demo.session, kangcun, filed["id"], note="约谈企业负责人")
    resolve(demo.session, kangcun, filed["id"], outcome="企业补发全部工资", amount_recovered=Decimal("39000.50"))
    demo.session.commit()
    shown = api.get(f"/api/grievances/{filed['id']}", headers=headers).json
    assert (shown["status_label"], shown["can_rate"], shown["amount_recovered"]) == ("已解决", True, "39000.50")
    response = api.post(url, json={"score": 5, "comment": "处理很及时"}, headers=headers)
    assert response.status_code == 201, response.json
    rated = response.json
    assert (rated["rating"], rated["rating_comment"], rated["can_rate"]) == (5, "处理很及时", False)
    assert error(api.post(url, json={"score": 1}, headers=headers), 409)[1] == "您已评价过该案件"
    assert demo.session.get(GrievanceCase, filed["id"]).rating == 5
    lina_case = case_of(demo, "李娜")  # closed, not rated; not his
    assert error(api.post(f"/api/grievances/{lina_case.id}/rating", json={"score": 4}, headers=headers), 404)
    lina = as_demo(api, demo, "oDemo-lina")
    assert api.post(f"/api/grievances/{lina_case.id}/rating", json={"score": 4}, headers=lina).status_code == 201


@pytest.mark.parametrize(
    "changes",
    [
        {"category": "wages"},
        {"amount_owed": "1.005"},  # never rounded
        {"amount_owed": 39000},  # a decimal string, not a number
        {"amount_owed": "-5"},
        {"workers_count": 0},
        {"workers_count": "13"},  # strict: no coercion
        {"contact_phone": "12345"},
        {"media_ids": [f"m{i}" for i in range(21)]},
        {"media_ids": ["has space"]},
        {"facts": "a\x00b"},
        {"unknown": 1},
        {"employer": ""},
    ],
)
def test_bad_filings_are_400_invalid_payload(api, demo, changes):
    response = api.post("/api/grievances", json={**FILING, **changes}, headers=as_demo(api, demo, "oDemo-zhangwei"))
    assert error(response, 400)[0] == "invalid_payload"


def test_rules_the_domain_checks_are_400_invalid_with_the_field(api, demo):
    headers = as_demo(api, demo, "oDemo-zhangwei")
    response = api.post("/api/grievances", json={**FILING, "facts": "没钱"}, headers=headers)
    assert error(response, 400) == ("invalid", "请说明经过（5到5000字）") and response.json["error"]["field"] == "facts"
    url = f"/api/grievances/{case_of(demo, '张伟').id}/rating"
    assert error(api.post(url, json={"score": 6}, headers=headers), 400)[0] == "invalid_payload"
    assert error(api.post(url, json={"score": 3, "extra": True}, headers=headers), 400)[0] == "invalid_payload"
    assert error(api.post(url, data="score=3", headers=headers, content_type="text/plain"), 415)
