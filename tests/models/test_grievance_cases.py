"""Grievance cases: intake, collective cases, the closed loop of states, deadlines and escalation, statistics."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from models.base import LOCAL_TZ, as_utc, today
from models.errors import Conflict, Forbidden, Invalid, NotFound
from models.grievance_cases import (
    CaseMessage,
    Complaint,
    accept,
    actions_allowed,
    add_information,
    assign,
    close,
    collective_size,
    conversation,
    escalate_overdue,
    file_case,
    handlers_for,
    issue_opinion,
    list_cases,
    message_worker,
    rate_case,
    record_mediation,
    record_visit,
    resolve,
    start_handling,
    view_case,
)
from models.grievance_deadlines import ACCEPT, HANDLE, add_working_days, due, set_rule
from models.grievance_stats import statistics
from models.grievances import ACCEPTED, CLOSED, ESCALATED, HANDLING, RECEIVED, RESOLVED, GrievanceCase
from models.notifications import Notification

# Unlike the demo's cases at the same employer (forced resignations), so that it starts a case of its own.
OVERTIME = Complaint(
    category="overtime",
    employer="获嘉县恒达机械有限公司",
    facts="车间连续三个月每天加班4小时，周末也不休息，加班费一分没给。",
    workers_count=13,
    amount_owed=Decimal("156000"),
    media_ids=["media-payslip-1"],
)


def _file(demo, name: str = "张伟", complaint: Complaint = OVERTIME) -> GrievanceCase:
    case = file_case(demo.session, worker=demo.worker(name), channel="mp", complaint=complaint)
    demo.session.commit()
    return case


def _told(demo, case: GrievanceCase) -> list[str]:
    about = Notification.dedup_key.like(f"grievance-%:{case.id}:%")
    query = select(Notification.kind).where(Notification.worker_id == case.worker_id, about).order_by(Notification.id)
    return list(demo.session.scalars(query))


def test_a_case_is_numbered_routed_and_followed_to_its_end(demo):
    session, kangcun = demo.session, demo.actor("kangcun")
    case = _file(demo)
    assert case.number.startswith("WQ") and case.status == RECEIVED
    assert (case.union.name, case.routing_reason, case.enterprise.name) == (
        "获嘉县亢村镇工会",
        "属地：亢村镇",
        OVERTIME.employer,
    )
    assert (case.contact_phone, [a.media_id for a in case.attachments]) == ("13837310001", ["media-payslip-1"])
    accept(session, kangcun, case.id, legal_adviser="工会法律顾问团 李律师")
    start_handling(session, kangcun, case.id, note="联合人社部门到企业调查取证，约谈企业负责人")
    resolve(session, kangcun, case.id, outcome="企业按工龄支付经济补偿并补缴社保", amount_recovered=Decimal("312000"))
    session.commit()
    with pytest.raises(Conflict):  # a resolved case cannot go back to handling
        start_handling(session, kangcun, case.id, note="再查")
    rate_case(session, worker=demo.worker("张伟"), case_id=case.id, score=5, comment="工会帮我们要回了补偿")
    close(session, kangcun, case.id, note="职工已拿到补偿")
    session.commit()
    history = [(e.actor, e.action, e.from_status, e.to_status) for e in view_case(session, kangcun, case.id).events]
    assert history == [
        ("职工", "received", None, RECEIVED),
        ("kangcun", "受理", RECEIVED, ACCEPTED),
        ("kangcun", "告知书", ACCEPTED, ACCEPTED),
        ("kangcun", "办理", ACCEPTED, HANDLING),
        ("kangcun", "办结", HANDLING, RESOLVED),
        ("kangcun", "结案", RESOLVED, CLOSED),
    ]
    assert (case.workers_covered, case.amount_recovered, case.rating) == (13, Decimal("312000"), 5)
    kinds = _told(demo, case)
    assert kinds == [  # the chat's own reply gave the number: no "received" notice besides
        "grievance_accepted",
        "grievance_handling",
        "grievance_resolved",
        "grievance_closed",
    ]
    with pytest.raises(Conflict):
        rate_case(session, worker=demo.worker("张伟"), case_id=case.id, score=1)


@pytest.mark.parametrize(
    ("status_path", "illegal"),
    [
        ([], "resolve"),  # received → resolved skips acceptance
        ([], "handle"),
        (["accept"], "close"),  # accepted → closed without a resolution
        (["accept", "handle", "resolve", "close"], "accept"),
    ],
)
def test_no_illegal_transition(demo, status_path, illegal):
    session, kangcun = demo.session, demo.actor("kangcun")
    case = _file(demo)
    steps = {
        "accept": lambda: accept(session, kangcun, case.id),
        "handle": lambda: start_handling(session, kangcun, case.id, note="调解"),
        "resolve": lambda: resolve(session, kangcun, case.id, outcome="已调解"),
        "close": lambda: close(session, kangcun, case.id, note="结案"),
    }
    for step in status_path:
        steps[step]()
    before = case.status
    with pytest.raises(Conflict):
        steps[illegal]()
    assert case.status == before


def test_officials_act_within_their_scope_only(demo):
    session = demo.session
    case = _file(demo)
    with pytest.raises(NotFound):  # 城关镇 is a sibling of 亢村镇
        accept(session, demo.actor("chengguan"), case.id)
    with pytest.raises(NotFound):
        view_case(session, demo.actor("xinyi-fy"), case.id)
    with pytest.raises(Forbidden):
        accept(session, demo.actor("xinxiang-viewer"), case.id)
    assert case in list_cases(session, demo.actor("huojia"))  # the county sees its townships' cases
    assert case not in list_cases(session, demo.actor("hebei-admin"))


def test_several_workers_with_the_same_problem_make_one_collective_case(demo):
    first = _file(demo, "张伟")
    second = _file(demo, "孙强")
    other = _file(
        demo, "孙强", Complaint("unpaid_wages", OVERTIME.employer, "拖欠三个月工资没有发放", amount_owed=Decimal(9000))
    )
    assert (first.collective_id, second.collective_id, other.collective_id) == (None, first.id, None)
    assert collective_size(demo.session, second) == (2, 26)


def test_an_official_records_a_walk_in_for_an_unknown_employer(demo):
    case = record_visit(
        demo.session,
        demo.actor("huojia"),
        name="王建设",
        phone="13937315555",
        channel="walk_in",
        complaint=Complaint(
            "unpaid_wages", "获嘉县某建筑工地", "工地包工头拖欠12名农民工工资", 12, Decimal("96000"), township="照镜镇"
        ),
    )
    demo.session.commit()
    assert (case.union.name, case.routing_reason, case.enterprise_id) == ("获嘉县照镜镇工会", "属地：照镜镇", None)
    assert case.worker.name == "王建设" and case.channel == "walk_in" and case.recorded_by is not None
    with pytest.raises(Invalid):
        record_visit(demo.session, demo.actor("huojia"), name="x", phone="139", channel="letter", complaint=OVERTIME)


def test_bad_complaints_are_refused_in_chinese(demo):
    for change, field in [
        ({"category": "gossip"}, "category"),
        ({"employer": "x"}, "employer"),
        ({"facts": "短"}, "facts"),
        ({"workers_count": 0}, "workers_count"),
        ({"amount_owed": Decimal(-1)}, "amount_owed"),
    ]:
        complaint = Complaint(**{**OVERTIME.__dict__, **change})
        with pytest.raises(Invalid) as refused:
            file_case(demo.session, worker=demo.worker("张伟"), channel="mp", complaint=complaint)
        assert refused.value.detail["field"] == field


def test_an_overdue_case_is_escalated_up_the_chain_once_per_deadline(demo):
    session = demo.session
    case = _file(demo)
    received = case.created_at
    # Accept within 2 working days: a case received on a Friday is due the Tuesday after.
    assert add_working_days(date(2026, 11, 20), 2) == date(2026, 11, 24)
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)  # a Saturday made a working day
    assert add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 9)  # over the National Day holiday
    late = case.deadline_at + timedelta(seconds=1)
    escalate_overdue(session, now=case.deadline_at - timedelta(seconds=1))  # the demo's cases due earlier go up
    assert (case.status, case.union.name, case.escalations) == (RECEIVED, "获嘉县亢村镇工会", 0)
    assert escalate_overdue(session, now=late) == 1
    assert (case.status, case.union.name, case.escalations) == (ESCALATED, "获嘉县总工会", 1)
    assert escalate_overdue(session, now=late) == 0  # the new deadline is later
    assert case.events[-1].note == "逾期未办，由获嘉县亢村镇工会上报获嘉县总工会"
    start_handling(session, demo.actor("huojia"), case.id, note="县总工会矛调中心介入调解")
    session.commit()
    # Still not resolved at the county: the county is urged to address a department (建议书).
    assert escalate_overdue(session, now=case.deadline_at + timedelta(minutes=1)) >= 1
    assert (case.status, case.union.name, case.escalations) == (ESCALATED, "获嘉县总工会", 2)
    assert _told(demo, case)[-2:] == ["grievance_handling", "grievance_escalated"]
    assert received == case.created_at


def test_deadlines_are_data_an_admin_changes(demo):
    session = demo.session
    start = datetime(2026, 11, 23, 2, tzinfo=UTC)  # a Monday, 10:00 in China
    assert due(session, ACCEPT, start) == datetime(2026, 11, 25, 15, 59, 59, tzinfo=UTC)
    set_rule(session, demo.actor("xinxiang-admin"), ACCEPT, days=1, working_days=False)
    assert due(session, ACCEPT, start) == datetime(2026, 11, 24, 15, 59, 59, tzinfo=UTC)
    with pytest.raises(Forbidden):
        set_rule(session, demo.actor("huojia"), ACCEPT, days=3, working_days=True)


def test_the_worker_adds_information_and_statistics_add_up(demo):
    session, kangcun = demo.session, demo.actor("kangcun")
    case = _file(demo)
    add_information(session, worker=demo.worker("张伟"), case_id=case.id, text="补充工资条照片", media_ids=["m2"])
    with pytest.raises(NotFound):  # not someone else's case
        add_information(session, worker=demo.worker("孙强"), case_id=case.id, text="x")
    accept(session, kangcun, case.id)
    start_handling(session, kangcun, case.id, note="调解")
    resolve(session, kangcun, case.id, outcome="补发工资", amount_recovered=Decimal("1079200"), workers_covered=46)
    _file(demo, "孙强", Complaint("unpaid_wages", OVERTIME.employer, "拖欠两个月工资", amount_owed=Decimal(8000)))
    session.commit()
    rows = {(s.category, s.union): s for s in statistics(session, demo.actor("huojia"))}
    forced, wages = rows[("超时加班", "获嘉县亢村镇工会")], rows[("拖欠工资", "获嘉县亢村镇工会")]
    assert (forced.cases, forced.resolved, forced.amount_recovered, forced.workers_covered) == (
        1,
        1,
        Decimal("1079200"),
        46,
    )
    assert forced.median_days is not None and forced.median_days < 1
    assert (wages.cases, wages.resolved, wages.median_days) == (1, 0, None)
    assert [a.media_id for a in case.attachments] == ["media-payslip-1", "m2"]


def test_a_handler_of_the_case_union_or_above_and_a_legal_adviser_are_assigned(demo):
    session, kangcun, huojia = demo.session, demo.actor("kangcun"), demo.actor("huojia")
    case = _file(demo)
    with pytest.raises(Conflict) as early:  # accept() names them on acceptance
        assign(session, kangcun, case.id, legal_adviser="李律师")
    assert early.value.message == "案件当前为“已收到”，不能指派经办人或法律顾问"
    accept(session, kangcun, case.id)
    assert [o.username for o in handlers_for(session, huojia, case)] == ["kangcun", "huojia"]  # the case's union first
    assert [o.username for o in handlers_for(session, kangcun, case)] == ["kangcun"]
    assign(session, huojia, case.id, handler_id=demo.official("huojia").id, legal_adviser="县总工会法律顾问团 李律师")
    session.commit()
    assert (case.handler.username, case.legal_adviser) == ("huojia", "县总工会法律顾问团 李律师")
    assert (case.events[-1].actor, case.events[-1].action, case.events[-1].note) == (
        "huojia",
        "指派",
        "经办人：获嘉县总工会干部；法律顾问：县总工会法律顾问团 李律师",
    )
    assert _told(demo, case)[-1] == "grievance_assigned"
    refusals = [
        (
            huojia,
            {"handler_id": demo.official("chengguan").id},
            Invalid,
            "经办人应为获嘉县亢村镇工会或其上级工会的工作人员",
        ),
        (kangcun, {"handler_id": demo.official("huojia").id}, NotFound, "未找到该经办人"),  # above, but not in scope
        (
            demo.actor("xinxiang-admin"),
            {"handler_id": demo.official("xinxiang-viewer").id},
            Invalid,
            "只读账号不能担任经办人",
        ),
        (kangcun, {}, Invalid, "请选择经办人或填写法律顾问"),
        (kangcun, {"legal_adviser": "律" * 51}, Invalid, "法律顾问最多50个字"),
        (huojia, {"legal_adviser": "县总工会法律顾问团 李律师"}, Conflict, "经办人和法律顾问与原来相同"),
        (demo.actor("xinxiang-viewer"), {"legal_adviser": "王律师"}, Forbidden, "只读账号不能修改数据"),
        (demo.actor("chengguan"), {"legal_adviser": "王律师"}, NotFound, "未找到该维权案件"),
    ]
    for actor, values, error, message in refusals:
        with pytest.raises(error) as refused:
            assign(session, actor, case.id, **values)
        assert refused.value.message == message
    assert case.handler.username == "huojia"


def test_a_mediation_is_recorded_and_puts_the_case_in_hand(demo):
    session, kangcun = demo.session, demo.actor("kangcun")
    case = _file(demo)
    mediation = {"held_on": today(), "participants": "职工代表、企业人事、镇工会", "agreement": "企业同意下月补发"}
    with pytest.raises(Conflict) as early:
        record_mediation(session, kangcun, case.id, **mediation)
    assert early.value.message == "案件当前为“已收到”，不能记录调解（请先受理）"
    accept(session, kangcun, case.id)
    for change, field in (
        ({"held_on": today() + timedelta(days=1)}, "held_on"),
        ({"held_on": today() - timedelta(days=1)}, "held_on"),  # before the case was received
        ({"participants": "我"}, "participants"),
        ({"agreement": " "}, "agreement"),
    ):
        with pytest.raises(Invalid) as refused:
            record_mediation(session, kangcun, case.id, **(mediation | change))
        assert refused.value.detail["field"] == field
    record_mediation(session, kangcun, case.id, **mediation)
    record_mediation(session, kangcun, case.id, **(mediation | {"agreed": False, "agreement": "企业不同意补发"}))
    session.commit()
    assert case.status == HANDLING
    assert [(e.action, e.from_status, e.to_status, e.note) for e in case.events[-2:]] == [
        (
            "调解",
            ACCEPTED,
            HANDLING,
            f"{today():%Y-%m-%d}调解，参加：职工代表、企业人事、镇工会；达成协议：企业同意下月补发",
        ),
        (
            "调解",
            HANDLING,
            HANDLING,
            f"{today():%Y-%m-%d}调解，参加：职工代表、企业人事、镇工会；未达成协议：企业不同意补发",
        ),
    ]
    assert _told(demo, case)[-2:] == ["grievance_mediation", "grievance_mediation"]
    # Escalated to the county, which mediates: in hand again, with the time to handle it from now.
    escalate_overdue(session, now=case.deadline_at + timedelta(minutes=1))
    assert case.status == ESCALATED
    huojia = demo.actor("huojia")
    record_mediation(session, huojia, case.id, **mediation)
    assert (case.status, case.deadline_at) == (HANDLING, due(session, HANDLE))
    resolve(session, huojia, case.id, outcome="补发工资")
    with pytest.raises(Conflict) as late:
        record_mediation(session, huojia, case.id, **mediation)
    assert late.value.message == "案件当前为“已解决”，不能记录调解"


def test_a_message_reaches_the_worker_as_a_notice_and_the_conversation_shows_both_sides(demo):
    session, kangcun = demo.session, demo.actor("kangcun")
    case = _file(demo)
    add_information(session, worker=demo.worker("张伟"), case_id=case.id, text="补充考勤记录照片", media_ids=["m3"])
    event = message_worker(session, kangcun, case.id, text="  张伟您好，请把考勤记录原件带到镇工会。 ")
    session.commit()
    assert (event.actor, event.action, event.note) == ("kangcun", "工会留言", "张伟您好，请把考勤记录原件带到镇工会。")
    [notice] = session.scalars(select(Notification).where(Notification.kind == "grievance_message")).all()
    assert (notice.worker_id, notice.status, notice.title) == (case.worker_id, "pending", "工会回复")
    assert case.number in notice.body and "考勤记录原件" in notice.body
    talk = conversation(session, case)
    assert [(m.by, m.author, m.text) for m in talk] == [
        ("worker", "张伟", OVERTIME.facts),
        ("worker", "张伟", "补充考勤记录照片"),
        ("union", "亢村镇工会干部", "张伟您好，请把考勤记录原件带到镇工会。"),
    ]
    assert talk[-1].delivery.id == notice.id and talk[0].delivery is None
    for actor, text, error in (
        (kangcun, "好", Invalid),
        (kangcun, "字" * 501, Invalid),
        (demo.actor("chengguan"), "您好", NotFound),
        (demo.actor("xinxiang-viewer"), "您好", Forbidden),
    ):
        with pytest.raises(error):
            message_worker(session, actor, case.id, text=text)
    accept(session, kangcun, case.id)
    start_handling(session, kangcun, case.id, note="调解")
    resolve(session, kangcun, case.id, outcome="补发加班费")
    session.commit()
    rate_case(session, worker=demo.worker("张伟"), case_id=case.id, score=4, comment="基本满意")
    assert conversation(session, case)[-1] == CaseMessage("worker", "张伟", "评价4分：基本满意", None)


def test_the_queue_searches_a_number_or_an_employer_and_leaves_out_finished_cases(demo):
    session, huojia = demo.session, demo.actor("huojia")
    case = _file(demo)
    employers = {c.employer_name for c in list_cases(session, huojia, search="恒达")}
    assert employers == {"获嘉县恒达机械有限公司"}
    assert list_cases(session, huojia, search=case.number.lower()) == [case]
    assert list_cases(session, huojia, search="%") == []  # a wildcard is a character like any other
    finished = {c.status for c in list_cases(session, huojia, open_only=True)}
    assert CLOSED not in finished and RECEIVED in finished
    assert list_cases(session, demo.actor("chengguan"), search="恒达") == []


def test_the_steps_offered_follow_the_state(demo):
    session, kangcun = demo.session, demo.actor("kangcun")
    case = _file(demo)
    assert actions_allowed(case) == {"accept", "close"}
    accept(session, kangcun, case.id)
    assert actions_allowed(case) == {"handle", "assign", "mediate", "suggest"}
    start_handling(session, kangcun, case.id, note="调查")
    assert actions_allowed(case) == {"assign", "mediate", "opinion", "suggest", "resolve"}
    issue_opinion(session, kangcun, case.id)
    assert actions_allowed(case) == {"assign", "mediate", "answer", "suggest", "resolve"}
    resolve(session, kangcun, case.id, outcome="补发")
    assert actions_allowed(case) == {"close"}
    close(session, kangcun, case.id, note="已到账")
    assert actions_allowed(case) == set()


def test_an_opinion_cites_the_laws_and_the_deadline_the_official_chose(demo):
    session, kangcun = demo.session, demo.actor("kangcun")
    case = _file(demo)
    accept(session, kangcun, case.id)
    start_handling(session, kangcun, case.id, note="调查")
    for answer_by in (today(), today() + timedelta(days=91)):
        with pytest.raises(Invalid) as refused:
            issue_opinion(session, kangcun, case.id, answer_by=answer_by)
        assert refused.value.message == "答复期限应在明天到90天之内"
    with pytest.raises(Invalid):
        issue_opinion(session, kangcun, case.id, laws=["法" * 101])
    law = "《中华人民共和国劳动法》第四十四条"
    issue_opinion(session, kangcun, case.id, laws=[law, " "], answer_by=today() + timedelta(days=7))
    session.commit()
    opinion = case.documents[-1]
    assert json.loads(opinion.content)["laws"] == [law]
    assert as_utc(opinion.deadline).astimezone(LOCAL_TZ).date() == today() + timedelta(days=7)
    assert case.deadline_at == opinion.deadline
