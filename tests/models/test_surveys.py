"""Needs surveys: created in scope, shown to their audience while open, answered once, tallied live."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from models.audit import AuditEntry
from models.base import LOCAL_TZ, utcnow
from models.demo_training import TITLE, load_surveys
from models.errors import Forbidden, Invalid, NotFound
from models.surveys import (
    AlreadyAnswered,
    QuestionIn,
    Reply,
    Survey,
    SurveyClosed,
    SurveyResponse,
    answer_survey,
    create_survey,
    results,
    survey_for,
    surveys_for,
)
from models.workers import Worker, create_worker

QUESTIONS = [
    QuestionIn("multiple", "最想学的内容", options=["新版安全规程", "职业病防治", "应急救护"], max_choices=2),
    QuestionIn("single", "希望的培训时长", options=["1天", "3天"]),
    QuestionIn("text", "其他建议", required=False, max_length=20),
]


def _survey(demo, username: str = "xinxiang-admin", **changes) -> Survey:
    values = {
        "title": "劳动保护培训需求调查",
        "audience": "everyone",
        "opens_at": utcnow() - timedelta(days=1),
        "closes_at": utcnow() + timedelta(days=30),
        "questions": QUESTIONS,
    }
    survey = create_survey(demo.session, demo.actor(username), **(values | changes))
    demo.session.commit()
    return survey


def _answer(demo, worker: Worker, survey: Survey, *replies: Reply):
    if not replies:
        first, second, _ = survey.questions
        replies = (Reply(first.id, [0]), Reply(second.id, [1]))
    return answer_survey(demo.session, worker=worker, survey_id=survey.id, replies=list(replies))


def _worker(demo, n: int, employer: str | None = None) -> Worker:
    employer_id = demo.enterprise(employer).id if employer else None
    worker = create_worker(demo.session, name=f"职工{n}", openid=f"o-survey-{n}", employer_id=employer_id)
    demo.session.commit()
    return worker


def titles(demo, worker: Worker) -> list[str]:
    """The surveys a worker sees, leaving out the demo data's own survey."""
    return [s.title for s in surveys_for(demo.session, worker) if s.title != TITLE]


def test_an_official_creates_a_survey_for_their_own_union_and_it_is_audited(demo):
    survey = _survey(demo, "huojia")
    assert survey.union.name == "获嘉县总工会" and [q.position for q in survey.questions] == [1, 2, 3]
    assert survey.questions[2].max_length == 20 and survey.questions[0].options[2] == "应急救护"
    entry = demo.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "survey")).one()
    assert (entry.actor, entry.action, entry.object_id) == ("huojia", "create", str(survey.id))


def test_surveys_are_created_only_in_scope_and_not_by_viewers(demo):
    with pytest.raises(NotFound, match="工会"):
        _survey(demo, "huojia", union_id=demo.union("凤泉区总工会").id)
    with pytest.raises(Forbidden):
        _survey(demo, "xinxiang-viewer")
    own = demo.enterprise("获嘉县恒达机械有限公司").id
    assert _survey(demo, "kangcun", audience="enterprises", enterprise_ids=[own]).enterprises[0].id == own
    with pytest.raises(NotFound, match="企业"):
        _survey(demo, "kangcun", audience="enterprises", enterprise_ids=[demo.enterprise("获嘉县鑫源纺织有限公司").id])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"closes_at": utcnow() - timedelta(days=2)}, "closes_at"),
        ({"opens_at": utcnow() + timedelta(days=40)}, "closes_at"),
        ({"questions": []}, "questions"),
        ({"audience": "industry"}, "industries"),
        ({"audience": "industry", "industries": ["煤炭"], "enterprise_ids": [1]}, "industries"),
        ({"audience": "enterprises"}, "enterprise_ids"),
        ({"industries": ["煤炭"]}, "audience"),
        ({"audience": "province"}, "audience"),
        ({"questions": [QuestionIn("single", "时长", options=["1天"])]}, "questions"),
        ({"questions": [QuestionIn("single", "时长", options=["1天", "1天"])]}, "questions"),
        ({"questions": [QuestionIn("single", "时长", options=["1天", "3天"], max_choices=1)]}, "questions"),
        ({"questions": [QuestionIn("multiple", "内容", options=["甲", "乙"], max_choices=3)]}, "questions"),
        ({"questions": [QuestionIn("text", "建议", options=["甲", "乙"])]}, "questions"),
        ({"questions": [QuestionIn("text", "建议", max_length=5000)]}, "questions"),
        ({"questions": [QuestionIn("rating", "打分")]}, "questions"),
    ],
)
def test_a_survey_that_breaks_a_rule_is_refused_with_the_field(demo, changes, field):
    with pytest.raises(Invalid) as refused:
        _survey(demo, **changes)
    assert refused.value.detail["field"] == field


def test_times_given_with_an_offset_stay_right(demo):
    # Two hours ago, written in China's time: stored naively it would come back six hours ahead.
    survey = _survey(demo, opens_at=(utcnow() - timedelta(hours=2)).astimezone(LOCAL_TZ))
    demo.session.expire_all()
    assert demo.session.get(Survey, survey.id).status() == "open"


def test_each_audience_reaches_its_workers_only(demo):
    _survey(demo, title="全市", audience="everyone")
    _survey(demo, title="煤化工", audience="industry", industries=["煤炭", "化工", "制造业"])
    _survey(demo, "huojia", title="获嘉全体")
    hengda = demo.enterprise("获嘉县恒达机械有限公司").id
    _survey(demo, "huojia", title="恒达", audience="enterprises", enterprise_ids=[hengda])
    assert titles(demo, demo.worker("张伟")) == ["全市", "煤化工", "获嘉全体", "恒达"]  # 制造业 in 获嘉
    assert titles(demo, demo.worker("孙强")) == ["全市", "煤化工", "获嘉全体", "恒达"]  # members or not
    assert titles(demo, demo.worker("李娜")) == ["全市", "获嘉全体"]  # 纺织 in 获嘉
    assert titles(demo, demo.worker("赵敏")) == ["全市", "煤化工"]  # 化工 in 凤泉区
    assert titles(demo, demo.worker("刘洋")) == ["全市"]  # 食品 in 新乡县
    assert titles(demo, _worker(demo, 1)) == ["全市"]  # no employer, no union: only the city's surveys


def test_only_open_surveys_are_listed_and_one_not_yet_open_is_not_found(demo):
    later = _survey(demo, title="下月", opens_at=utcnow() + timedelta(days=5))
    ended = _survey(demo, title="已截止")
    ended.closes_at = utcnow() - timedelta(minutes=1)
    demo.session.commit()
    zhang = demo.worker("张伟")
    assert {"下月", "已截止"}.isdisjoint(titles(demo, zhang))
    with pytest.raises(NotFound, match="问卷"):
        survey_for(demo.session, zhang, later.id)
    assert survey_for(demo.session, zhang, ended.id).status() == "closed"  # still shown, no longer answered
    with pytest.raises(SurveyClosed, match="已截止"):
        _answer(demo, zhang, ended)


def test_a_worker_answers_once(demo):
    survey, zhang = _survey(demo), demo.worker("张伟")
    response = _answer(demo, zhang, survey)
    assert response.enterprise_id == zhang.employer_id and len(response.answers) == 2
    with pytest.raises(AlreadyAnswered) as again:
        _answer(demo, zhang, survey)
    assert (again.value.code, again.value.message) == ("already_answered", "您已填写过该问卷")


def test_a_worker_outside_the_audience_cannot_answer(demo):
    survey = _survey(demo, audience="industry", industries=["煤炭"])
    with pytest.raises(NotFound):
        _answer(demo, demo.worker("张伟"), survey)


@pytest.mark.parametrize(
    ("replies", "message"),
    [
        (lambda q: [Reply(q[0].id, [0])], "第2题为必答题"),
        (lambda q: [Reply(q[0].id, []), Reply(q[1].id, [0])], "第1题为必答题"),
        (lambda q: [Reply(q[0].id, [3]), Reply(q[1].id, [0])], "第1题的选项无效"),
        (lambda q: [Reply(q[0].id, [0, 0]), Reply(q[1].id, [0])], "第1题的选项无效"),
        (lambda q: [Reply(q[0].id, [0, 1, 2]), Reply(q[1].id, [0])], "最多选2项"),
        (lambda q: [Reply(q[0].id, [0]), Reply(q[1].id, [0, 1])], "单选题"),
        (lambda q: [Reply(q[0].id, text="安全"), Reply(q[1].id, [0])], "选择题"),
        (lambda q: [Reply(q[0].id, [0]), Reply(q[1].id, [0]), Reply(q[2].id, [0])], "填空题"),
        (lambda q: [Reply(q[0].id, [0]), Reply(q[1].id, [0]), Reply(q[2].id, text="很" * 21)], "最多填写20字"),
        (lambda q: [Reply(q[0].id, [0]), Reply(q[1].id, [0]), Reply(q[1].id, [1])], "只能回答一次"),
        (lambda q: [Reply(q[0].id, [0]), Reply(q[1].id, [0]), Reply(999999, [0])], "没有这道题"),
    ],
)
def test_answers_are_checked_question_by_question(demo, replies, message):
    survey = _survey(demo)
    with pytest.raises(Invalid, match=message) as refused:
        _answer(demo, demo.worker("张伟"), survey, *replies(survey.questions))
    assert refused.value.detail["field"] == "answers"
    assert demo.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_results_count_share_and_show_free_text_to_officials_in_scope_audited(demo):
    survey = _survey(demo, "huojia")
    first, second, free = survey.questions
    answers = {
        "张伟": ([0, 1], [1], "请讲新版安全规程"),
        "孙强": ([0], [1], None),
        "李娜": ([2], [0], "希望周末上课"),
    }
    for name, (wanted, length, advice) in answers.items():
        _answer(
            demo,
            demo.worker(name),
            survey,
            Reply(first.id, wanted),
            Reply(second.id, length),
            Reply(free.id, text=advice),
        )
    found = results(demo.session, demo.actor("huojia"), survey.id)
    demo.session.commit()
    assert found.responses == 3
    assert found.by_enterprise == [
        (demo.enterprise("获嘉县恒达机械有限公司").id, "获嘉县恒达机械有限公司", 2),
        (demo.enterprise("获嘉县鑫源纺织有限公司").id, "获嘉县鑫源纺织有限公司", 1),
    ]
    content, length, advice = found.questions
    assert [(o.label, o.count, o.share) for o in content.options] == [
        ("新版安全规程", 2, 0.6667),
        ("职业病防治", 1, 0.3333),
        ("应急救护", 1, 0.3333),
    ]
    assert [(o.count, o.share) for o in length.options] == [(1, 0.3333), (2, 0.6667)]
    assert (advice.answered, advice.texts, advice.options) == (2, ["请讲新版安全规程", "希望周末上课"], [])
    entry = demo.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "survey_answers")).one()
    assert (entry.actor, entry.action, entry.object_id) == ("huojia", "view", str(survey.id))
    assert results(demo.session, demo.actor("xinxiang-admin"), survey.id).responses == 3  # above in the tree
    with pytest.raises(NotFound, match="问卷"):
        results(demo.session, demo.actor("kangcun"), survey.id)  # below: not theirs


def test_free_text_is_encrypted_at_rest(demo):
    survey = _survey(demo)
    first, second, free = survey.questions
    _answer(
        demo, demo.worker("张伟"), survey, Reply(first.id, [0]), Reply(second.id, [0]), Reply(free.id, text="我叫张伟")
    )
    [stored] = demo.session.execute(text("SELECT text FROM survey_answers WHERE text IS NOT NULL")).scalars()
    assert "我叫张伟".encode() not in bytes(stored)


def test_results_before_any_answer_are_zero(demo):
    found = results(demo.session, demo.actor("xinxiang-admin"), _survey(demo).id)
    assert found.responses == 0 and found.by_enterprise == []
    assert all(o.count == 0 and o.share == 0 for t in found.questions for o in t.options)


def test_parallel_answers_of_one_worker_count_once(demo, make_app):
    survey, worker_id = _survey(demo), demo.worker("张伟").id
    first, second, _ = survey.questions
    factory = make_app().extensions["gonghui.db"][1]
    outcomes = []

    def answer() -> None:
        with factory() as session:
            try:
                replies = [Reply(first.id, [0]), Reply(second.id, [1])]
                answer_survey(session, worker=session.get(Worker, worker_id), survey_id=survey.id, replies=replies)
                outcomes.append("saved")
            except Exception as error:  # collected and asserted below
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=answer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["AlreadyAnswered"] * 7 + ["saved"]
    assert demo.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_the_demo_survey_is_loaded_once_and_open_to_its_industries(demo):
    load_surveys(demo.session)  # whether load_demo loaded it already or not
    assert load_surveys(demo.session) == 0
    demo.session.commit()
    survey = demo.session.scalars(select(Survey).where(Survey.title == TITLE)).one()
    assert survey.industries == ["煤炭", "化工", "制造业"] and survey.union.name == "新乡市总工会"
    assert [q.kind for q in survey.questions] == ["multiple", "single", "single", "single", "text"]
    assert "新版安全规程" in survey.questions[0].options and survey.questions[0].max_choices == 3
    seen = {name: [s.title for s in surveys_for(demo.session, demo.worker(name))] for name in ("赵敏", "李娜")}
    assert TITLE in seen["赵敏"] and TITLE not in seen["李娜"]
