"""The mini-program's needs surveys: the ones open to the worker, one in detail, answered once (409 after)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.base import utcnow
from models.demo_training import TITLE, load_surveys
from models.surveys import QuestionIn, Survey, SurveyResponse, create_survey
from models.workers import create_worker

from .conftest import log_in


@pytest.fixture
def survey(demo) -> Survey:
    """The demo survey (for 煤炭, 化工, 制造业), open now."""
    load_surveys(demo.session)
    row = demo.session.scalars(select(Survey).where(Survey.title == TITLE)).one()
    row.opens_at, row.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=30)
    demo.session.commit()
    return row


def worker(api, demo, openid: str, employer: str = "获嘉县恒达机械有限公司") -> dict:
    """Log in as a worker of an enterprise (制造业 in 获嘉县 by default)."""
    create_worker(demo.session, name=openid, miniapp_openid=openid, employer_id=demo.enterprise(employer).id)
    demo.session.commit()
    return log_in(api, openid)


def answers(survey: Survey, **changes) -> dict:
    content, length, method, _, advice = survey.questions
    replies = {
        "content": {"question_id": content.id, "choices": [0, 1]},
        "length": {"question_id": length.id, "choices": [1]},
        "method": {"question_id": method.id, "choices": [0]},
        "advice": {"question_id": advice.id, "text": "希望请安监局的专家"},
    }
    return {"answers": [r for r in (replies | changes).values() if r is not None]}


def answer(api, headers: dict, survey: Survey, body: dict | None = None):
    return api.post(
        f"/api/surveys/{survey.id}/responses", json=answers(survey) if body is None else body, headers=headers
    )


def test_the_worker_sees_the_surveys_open_to_their_industry(api, demo, survey):
    everyone = create_survey(
        demo.session,
        demo.actor("huojia"),
        title="获嘉县职工服务满意度调查",
        audience="everyone",
        opens_at=utcnow() - timedelta(days=1),
        closes_at=survey.closes_at + timedelta(days=1),
        questions=[QuestionIn("single", "满意吗", options=["满意", "不满意"])],
    )
    demo.session.commit()
    listed = api.get("/api/surveys", headers=worker(api, demo, "o-hengda")).json["surveys"]
    assert [s["title"] for s in listed] == [TITLE, "获嘉县职工服务满意度调查"]  # closing soonest first
    first = listed[0]
    assert (first["union"]["name"], first["open"], first["question_count"], first["answered_at"]) == (
        "新乡市总工会",
        True,
        5,
        None,
    )
    textile = api.get("/api/surveys", headers=worker(api, demo, "o-xinyuan", "获嘉县鑫源纺织有限公司"))
    assert [s["id"] for s in textile.json["surveys"]] == [everyone.id]
    assert api.get("/api/surveys", headers=log_in(api, "o-nobody")).json == {"surveys": []}


def test_one_survey_in_detail_and_only_for_its_audience(api, demo, survey):
    response = api.get(f"/api/surveys/{survey.id}", headers=worker(api, demo, "o-hengda"))
    assert response.status_code == 200, response.json
    body = response.json
    assert body["title"] == TITLE and "职工点菜" in body["intro"] and body["answered_at"] is None
    content, length, *_, advice = body["questions"]
    assert (content["kind"], content["kind_label"], content["max_choices"], content["required"]) == (
        "multiple",
        "多选",
        3,
        True,
    )
    assert "新版安全规程" in content["options"] and length["options"][1] == "3天（6课时）"
    assert (advice["kind"], advice["options"], advice["max_length"], advice["required"]) == ("text", [], 500, False)
    outsider = api.get(f"/api/surveys/{survey.id}", headers=worker(api, demo, "o-food", "新乡县华兴食品有限公司"))
    assert outsider.status_code == 404 and outsider.json["error"] == {"code": "not_found", "message": "未找到该问卷"}
    assert api.get("/api/surveys/999999", headers=log_in(api, "o-x")).status_code == 404
    assert api.get(f"/api/surveys/{survey.id}").status_code == 401


def test_a_worker_answers_once_and_the_second_time_is_409(api, demo, survey):
    headers = worker(api, demo, "o-hengda")
    first = answer(api, headers, survey)
    assert first.status_code == 201, first.json
    assert first.json["survey"] == {"id": survey.id, "name": TITLE} and first.json["submitted_at"]
    again = answer(api, headers, survey)
    assert again.status_code == 409
    assert (again.json["error"]["code"], again.json["error"]["message"]) == ("already_answered", "您已填写过该问卷")
    [listed] = api.get("/api/surveys", headers=headers).json["surveys"]
    assert listed["answered_at"] == first.json["submitted_at"]
    assert api.get(f"/api/surveys/{survey.id}", headers=headers).json["answered_at"] == first.json["submitted_at"]


def test_answers_sent_at_once_are_kept_once(api, demo, survey):
    headers, body = worker(api, demo, "o-hengda"), answers(survey)  # built here: the test's session is not shared
    statuses = []

    def send() -> None:
        statuses.append(answer(api.application.test_client(), headers, survey, body).status_code)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 5
    assert demo.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"length": None}, "第2题为必答题"),
        ({"content": {"choices": [0, 1, 2, 3]}}, "第1题最多选3项"),
        ({"length": {"choices": [0, 1]}}, "第2题是单选题，只能选一项"),
        ({"method": {"choices": [7]}}, "第3题的选项无效"),
        ({"advice": {"text": "很" * 501}}, "第5题最多填写500字"),
        ({"advice": {"choices": [0]}}, "第5题是填空题"),
    ],
)
def test_an_answer_that_breaks_a_rule_is_400_naming_the_question(api, demo, survey, changes, message):
    body = answers(survey)
    by_key = dict(zip(["content", "length", "method", "advice"], body["answers"], strict=True))
    for key, change in changes.items():
        by_key[key] = None if change is None else {"question_id": by_key[key]["question_id"], **change}
    response = answer(api, worker(api, demo, "o-hengda"), survey, answers(survey, **by_key))
    error = response.json["error"]
    assert response.status_code == 400 and (error["code"], error["field"]) == ("invalid", "answers")
    assert message in error["message"] and isinstance(error["question_id"], int)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"answers": []},
        {"answers": [{"question_id": 1, "choices": ["0"]}]},
        {"answers": [{"question_id": 1, "choices": [True]}]},
        {"answers": [{"question_id": 1, "choices": [-1]}]},
        {"answers": [{"question_id": "1", "choices": [0]}]},
        {"answers": [{"question_id": 1, "text": "建议\x00"}]},
        {"answers": [{"question_id": 1, "text": "建议" * 1001}]},
        {"answers": [{"question_id": 1, "choices": [0], "score": 5}]},
        {"answers": [{"question_id": 1, "choices": [0]}], "anonymous": True},
    ],
)
def test_malformed_answers_are_400_invalid_payload(api, demo, survey, body):
    response = answer(api, worker(api, demo, "o-hengda"), survey, body)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload"


def test_a_closed_survey_takes_no_answers(api, demo, survey):
    survey.closes_at = utcnow() - timedelta(minutes=1)
    demo.session.commit()
    headers = worker(api, demo, "o-hengda")
    response = answer(api, headers, survey)
    assert response.status_code == 400
    assert (response.json["error"]["code"], response.json["error"]["message"]) == ("survey_closed", "该问卷已截止")
    assert api.get("/api/surveys", headers=headers).json == {"surveys": []}
    assert api.get(f"/api/surveys/{survey.id}", headers=headers).json["open"] is False


def test_answering_needs_json_and_a_token(api, demo, survey):
    headers = worker(api, demo, "o-hengda")
    as_form = api.post(f"/api/surveys/{survey.id}/responses", data={"answers": "1"}, headers=headers)
    assert as_form.status_code == 415
    assert api.post(f"/api/surveys/{survey.id}/responses", json=answers(survey)).status_code == 401


def test_the_survey_endpoints_are_documented(api):
    paths = api.get("/api/openapi.json").json["paths"]
    assert set(paths["/api/surveys"]) == {"get"} and set(paths["/api/surveys/{survey_id}"]) == {"get"}
    post = paths["/api/surveys/{survey_id}/responses"]["post"]
    assert post["tags"] == ["surveys"] and {"201", "400", "401", "404", "409", "415"} <= set(post["responses"])
