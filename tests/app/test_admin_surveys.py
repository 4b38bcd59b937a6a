"""Officials' survey API: create within scope with strict bodies, list with counts, live results (audited)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.base import utcnow
from models.surveys import Reply, Survey, answer_survey

NEW_SURVEY = {
    "title": "获嘉县2027年职工技能培训需求调查",
    "intro": "先调研，后定题目，再请专家。",
    "audience": "industry",
    "industries": ["制造业", "纺织"],
    "opens_at": "2026-11-01T08:00:00+08:00",
    "closes_at": "2099-12-31T18:00:00+08:00",
    "questions": [
        {
            "kind": "multiple",
            "text": "最想学的内容",
            "options": ["新版安全规程", "职业病防治", "应急救护"],
            "max_choices": 2,
        },
        {"kind": "single", "text": "希望的培训时长", "options": ["1天", "3天"]},
        {"kind": "text", "text": "其他建议", "required": False, "max_length": 200},
    ],
}


def create(client, headers: dict, **changes):
    return client.post("/api/admin/surveys", headers=headers, json=NEW_SURVEY | changes)


def test_create_a_survey_for_the_officials_own_union(client, demo, login):
    made = create(client, login("huojia"))
    assert made.status_code == 201, made.json
    body = made.json
    assert body["union"]["name"] == "获嘉县总工会" and body["industries"] == ["制造业", "纺织"]
    assert (body["audience_label"], body["status"], body["status_label"], body["responses"]) == (
        "指定行业",
        "open",
        "进行中",
        0,
    )
    assert body["opens_at"] == "2026-11-01T00:00:00+00:00"
    assert [(q["position"], q["kind_label"]) for q in body["questions"]] == [(1, "多选"), (2, "单选"), (3, "填空")]
    assert body["questions"][0]["max_choices"] == 2 and body["questions"][2]["max_length"] == 200
    listed = client.get("/api/admin/surveys", headers=login("huojia")).json["surveys"]
    assert [s["id"] for s in listed] == [body["id"]]
    assert client.get("/api/admin/surveys", headers=login("kangcun")).json == {"surveys": []}
    city = client.get("/api/admin/surveys", headers=login("xinxiang-admin")).json["surveys"]
    assert body["id"] in [s["id"] for s in city] and len(city) == 2  # with the city's demo survey


def test_an_enterprise_survey_names_its_enterprises(client, demo, login):
    hengda = demo.enterprise("获嘉县恒达机械有限公司")
    made = create(client, login("kangcun"), audience="enterprises", industries=[], enterprise_ids=[hengda.id])
    assert made.status_code == 201 and made.json["enterprises"] == [{"id": hengda.id, "name": hengda.name}]
    elsewhere = demo.enterprise("凤泉区宝源化工有限公司").id
    refused = create(client, login("kangcun"), audience="enterprises", industries=[], enterprise_ids=[elsewhere])
    assert refused.status_code == 404 and refused.json["error"]["message"] == "未找到该企业"
    assert refused.json["error"]["enterprise_id"] == elsewhere


def test_out_of_scope_union_and_viewers_are_refused(client, demo, login):
    other = create(client, login("huojia"), union_id=demo.union("凤泉区总工会").id)
    assert other.status_code == 404 and other.json["error"]["code"] == "not_found"
    viewer = create(client, login("xinxiang-viewer"))
    assert viewer.status_code == 403 and viewer.json["error"]["code"] == "forbidden"
    assert client.application.test_client().get("/api/admin/surveys").status_code == 401  # no token, no cookie


@pytest.mark.parametrize(
    "changes",
    [
        {"opens_at": "2026-11-01T08:00:00"},  # no time zone
        {"title": ""},
        {"title": "调查\x00"},
        {"audience": "province"},
        {"questions": []},
        {"questions": [{"kind": "single", "text": "时长", "options": ["1天", "3天"], "weight": 2}]},
        {"questions": [{"kind": "single", "text": "时长", "options": ["1天", 3]}]},
        {"questions": [{"kind": "text", "text": "建议", "required": "no"}]},
        {"questions": [{"kind": "text", "text": "建议", "max_length": 0}]},
        {"enterprise_ids": [0]},
        {"colour": "red"},
    ],
)
def test_malformed_bodies_are_400_invalid_payload(client, demo, login, changes):
    response = create(client, login("huojia"), **changes)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_payload"
    assert response.json["error"]["message"] == "提交的信息不完整或格式有误" and response.json["error"]["fields"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"closes_at": "2026-10-31T08:00:00+08:00"}, "closes_at", "开始时间应早于截止时间"),
        ({"opens_at": "2020-01-01T08:00:00+08:00", "closes_at": "2020-02-01T08:00:00+08:00"}, "closes_at", "晚于现在"),
        ({"industries": []}, "industries", "请指定至少一个行业"),
        ({"audience": "everyone"}, "audience", "不能再指定行业"),
        ({"questions": [{"kind": "single", "text": "时长", "options": ["1天"]}]}, "questions", "第1题应有2到30个"),
        ({"questions": [{"kind": "text", "text": "建议", "options": ["甲", "乙"]}]}, "questions", "不能设置选项"),
    ],
)
def test_rule_breaking_surveys_are_400_with_a_chinese_message(client, demo, login, changes, field, message):
    response = create(client, login("huojia"), **changes)
    error = response.json["error"]
    assert response.status_code == 400 and (error["code"], error["field"]) == ("invalid", field)
    assert message in error["message"]


def test_results_show_counts_shares_and_free_text_and_the_view_is_audited(client, demo, login):
    survey_id = create(client, login("huojia")).json["id"]
    survey = demo.session.get(Survey, survey_id)
    first, second, free = survey.questions
    for name, wanted, advice in (("张伟", [0, 2], "请讲新版安全规程"), ("李娜", [0], None)):
        replies = [Reply(first.id, wanted), Reply(second.id, [1]), Reply(free.id, text=advice)]
        answer_survey(demo.session, worker=demo.worker(name), survey_id=survey_id, replies=replies)
    response = client.get(f"/api/admin/surveys/{survey_id}/results", headers=login("huojia"))
    assert response.status_code == 200, response.json
    body = response.json
    assert body["responses"] == 2 and body["survey"]["responses"] == 2
    assert {e["name"]: e["responses"] for e in body["by_enterprise"]} == {
        "获嘉县恒达机械有限公司": 1,
        "获嘉县鑫源纺织有限公司": 1,
    }
    content, length, advice = body["questions"]
    assert content["answered"] == 2 and content["options"] == [
        {"index": 0, "label": "新版安全规程", "count": 2, "share": 1.0},
        {"index": 1, "label": "职业病防治", "count": 0, "share": 0.0},
        {"index": 2, "label": "应急救护", "count": 1, "share": 0.5},
    ]
    assert [o["count"] for o in length["options"]] == [0, 2]
    assert (advice["answered"], advice["texts"]) == (1, ["请讲新版安全规程"])
    entries = demo.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "survey_answers")).all()
    assert [(e.actor, e.action, e.object_id, e.ip) for e in entries] == [
        ("huojia", "view", str(survey_id), "127.0.0.1")
    ]
    listed = client.get("/api/admin/surveys", headers=login("huojia")).json["surveys"]
    assert listed[0]["responses"] == 2


def test_results_are_for_officials_in_scope_only(client, demo, login):
    survey_id = create(client, login("huojia")).json["id"]
    for username in ("kangcun", "jiaoyu"):
        response = client.get(f"/api/admin/surveys/{survey_id}/results", headers=login(username))
        assert response.status_code == 404 and response.json["error"]["message"] == "未找到该问卷"
    assert client.get("/api/admin/surveys/999999/results", headers=login("huojia")).status_code == 404
    assert client.get(f"/api/admin/surveys/{survey_id}/results", headers=login("xinxiang-viewer")).status_code == 200
    assert not demo.session.scalars(
        select(AuditEntry).where(AuditEntry.actor == "kangcun", AuditEntry.action == "view")
    ).all()


def test_a_survey_that_closed_keeps_its_results(client, demo, login):
    survey_id = create(client, login("huojia")).json["id"]
    demo.session.get(Survey, survey_id).closes_at = utcnow() - timedelta(minutes=1)
    demo.session.commit()
    [listed] = client.get("/api/admin/surveys", headers=login("huojia")).json["surveys"]
    assert (listed["status"], listed["status_label"]) == ("closed", "已截止")
    assert client.get(f"/api/admin/surveys/{survey_id}/results", headers=login("huojia")).json["responses"] == 0
