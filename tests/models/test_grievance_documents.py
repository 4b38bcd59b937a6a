"""The 三书 of a case: a 告知书 on acceptance, the 意见书, a 建议书 when it goes unanswered or mediation fails."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from models.errors import Conflict, Invalid, NotFound
from models.grievance_cases import (
    Complaint,
    accept,
    escalate_overdue,
    file_case,
    issue_opinion,
    record_answer,
    start_handling,
    suggest,
)
from models.grievance_documents import render
from models.grievances import ESCALATED

WAGES = Complaint(
    "unpaid_wages",
    "获嘉县恒达机械有限公司",
    "车间12名职工8月至10月工资共96000元至今未发，厂里说等货款回来再发。",
    workers_count=12,
    amount_owed=Decimal("96000"),
)


def _handled(demo, actor="kangcun"):
    session = demo.session
    case = file_case(session, worker=demo.worker("张伟"), channel="mp", complaint=WAGES)
    accept(session, demo.actor(actor), case.id, legal_adviser="县总工会法律顾问团 李律师")
    start_handling(session, demo.actor(actor), case.id, note="到企业调查核实工资台账")
    session.commit()
    return case


def test_accepting_issues_a_numbered_notice_to_the_worker(demo):
    case = _handled(demo)
    [notice] = case.documents
    assert re.fullmatch(r"亢工维告〔\d{4}〕\d+号", notice.number) and notice.kind == "notice"
    facts = json.loads(notice.content)
    assert (facts["worker_name"], facts["case_number"], facts["handler_name"]) == (
        "张伟",
        case.number,
        "亢村镇工会干部",
    )
    assert facts["legal_adviser"] == "县总工会法律顾问团 李律师"


def test_a_pdf_holds_the_case_number_and_the_employer(demo):
    case = _handled(demo)
    issue_opinion(demo.session, demo.actor("kangcun"), case.id)
    demo.session.commit()
    opinion = case.documents[-1]
    document, mimetype, data = render(demo.session, demo.actor("huojia"), opinion.id, "pdf")
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert mimetype == "application/pdf" and document.id == opinion.id
    assert case.number in text and "获嘉县恒达机械有限公司" in text and opinion.number in text
    assert "《中华人民共和国劳动合同法》第三十条" in text
    _, _, word = render(demo.session, demo.actor("kangcun"), opinion.id, "docx")
    assert word[:2] == b"PK"
    with pytest.raises(NotFound):  # another township's officials do not see it
        render(demo.session, demo.actor("chengguan"), opinion.id, "pdf")
    with pytest.raises(Invalid):
        render(demo.session, demo.actor("kangcun"), opinion.id, "exe")


def test_an_unanswered_opinion_goes_up_and_on_to_a_department(demo):
    session = demo.session
    case = _handled(demo)
    issue_opinion(session, demo.actor("kangcun"), case.id, requests=["十日内足额支付拖欠工资"])
    session.commit()
    opinion = case.documents[-1]
    assert case.deadline_at == opinion.deadline  # the employer's answer is what is due now
    with pytest.raises(Conflict):  # one 意见书 at a time
        issue_opinion(session, demo.actor("kangcun"), case.id)
    # The township lets it lapse: the county union (the "1") takes it over...
    escalate_overdue(session, now=case.deadline_at + timedelta(minutes=1))
    assert (case.status, case.union.name) == (ESCALATED, "获嘉县总工会")
    # ...and when its own deadline passes with the 意见书 still unanswered, a 建议书 goes to labour inspection.
    escalate_overdue(session, now=case.deadline_at + timedelta(minutes=1))
    suggestion = case.documents[-1]
    assert (suggestion.kind, case.department) == ("suggestion", "labour_inspection")
    assert suggestion.number.startswith("获工维建")
    facts = json.loads(suggestion.content)
    assert (facts["escalation"], facts["opinion_number"]) == ("no_answer", opinion.number)
    assert case.events[-1].note == f"意见书逾期未获答复，{suggestion.number}送{suggestion.addressed_to}"


def test_after_failed_mediation_the_official_addresses_a_department(demo):
    session, kangcun = demo.session, demo.actor("kangcun")
    case = _handled(demo)
    issue_opinion(session, kangcun, case.id)
    record_answer(session, kangcun, case.id, note="企业书面答复：同意分三个月补发")
    with pytest.raises(Conflict):
        record_answer(session, kangcun, case.id, note="又答复了一次")
    with pytest.raises(Invalid):
        suggest(session, kangcun, case.id, department="police", reason="mediation_failed")
    suggest(session, kangcun, case.id, department="arbitration", reason="mediation_failed")
    session.commit()
    suggestion = case.documents[-1]
    assert (case.status, case.department, case.escalations) == (ESCALATED, "arbitration", 1)
    assert json.loads(suggestion.content)["escalation"] == "mediation_failed"
    assert [d.kind for d in case.documents] == ["notice", "opinion", "suggestion"]


def test_numbers_run_per_union_kind_and_year(demo):
    first, second = _handled(demo), _handled(demo)
    serial = [int(re.search(r"〕(\d+)号", c.documents[0].number).group(1)) for c in (first, second)]
    assert serial[1] == serial[0] + 1
