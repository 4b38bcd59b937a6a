"""Console actions on a grievance case: the steps of the closed loop, the 三书, mediation and a reply to the worker."""

from __future__ import annotations

from flask import g, request
from pydantic import ConfigDict

from models import grievance_cases as cases

from ..admin.grievance_schemas import (
    AcceptIn,
    AssignIn,
    MediationIn,
    MessageIn,
    NoteIn,
    OpinionIn,
    ResolveIn,
    SuggestIn,
)
from ..extensions import db
from . import blueprint
from .web import done, form

LABELS = {
    "handler_id": "经办人",
    "legal_adviser": "法律顾问",
    "note": "说明",
    "held_on": "调解日期",
    "participants": "参加人员",
    "agreement": "调解结果",
    "agreed": "是否达成协议",
    "text": "回复内容",
    "requests": "工会要求",
    "laws": "法律依据",
    "answer_by": "答复期限",
    "department": "送达部门",
    "reason": "原因",
    "outcome": "处理结果",
    "amount_recovered": "追回金额",
    "workers_covered": "惠及人数",
}


def _lax(schema):
    """The API's body read from a form: text fields parsed into numbers, dates and yes/no."""
    return type(f"{schema.__name__}Form", (schema,), {"model_config": ConfigDict(strict=False)})


AcceptForm, AssignForm, MediationForm, MessageForm = map(_lax, (AcceptIn, AssignIn, MediationIn, MessageIn))
NoteForm, OpinionForm, ResolveForm, SuggestForm = map(_lax, (NoteIn, OpinionIn, ResolveIn, SuggestIn))


def _lines(name: str) -> list[str]:
    """A textarea of one item a line, as a list."""
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


def _back(case_id: int, message: str):
    return done(message, "console.grievance_case", case_id=case_id)


@blueprint.post("/grievances/<id:case_id>/accept")
def grievance_accept(case_id: int):
    """Accept a case: its handler and legal adviser; the 告知书 is made and the worker told by when."""
    case = cases.accept(db.session, g.actor, case_id, **form(AcceptForm, LABELS).model_dump())
    return _back(case_id, f"已受理，告知书 {case.documents[-1].number} 已生成，已通知职工。")


@blueprint.post("/grievances/<id:case_id>/handle")
def grievance_handle(case_id: int):
    """Begin investigation or mediation, saying how."""
    cases.start_handling(db.session, g.actor, case_id, note=form(NoteForm, LABELS).note)
    return _back(case_id, "已开始办理，已通知职工。")


@blueprint.post("/grievances/<id:case_id>/assign")
def grievance_assign(case_id: int):
    """Name the handler and/or the legal adviser."""
    case = cases.assign(db.session, g.actor, case_id, **form(AssignForm, LABELS).model_dump())
    return _back(case_id, f"已指派：{case.events[-1].note}。")


@blueprint.post("/grievances/<id:case_id>/mediation")
def grievance_mediation(case_id: int):
    """Record a mediation: the day, who took part, what was agreed."""
    cases.record_mediation(db.session, g.actor, case_id, **form(MediationForm, LABELS).model_dump())
    return _back(case_id, "已记录调解情况，已通知职工。")


@blueprint.post("/grievances/<id:case_id>/opinion")
def grievance_opinion(case_id: int):
    """Send the employer a 意见书: the laws, what the union asks, by when to answer."""
    body = form(OpinionForm, LABELS, requests=_lines("requests"), laws=_lines("laws"))
    case = cases.issue_opinion(db.session, g.actor, case_id, **body.model_dump())
    return _back(case_id, f"已发出意见书 {case.documents[-1].number}。")


@blueprint.post("/grievances/<id:case_id>/answer")
def grievance_answer(case_id: int):
    """Record the employer's answer to the 意见书."""
    cases.record_answer(db.session, g.actor, case_id, note=form(NoteForm, LABELS).note)
    return _back(case_id, "已记录企业答复。")


@blueprint.post("/grievances/<id:case_id>/suggest")
def grievance_suggest(case_id: int):
    """Send one of the departments a 建议书."""
    body = form(SuggestForm, LABELS, requests=_lines("requests"))
    case = cases.suggest(
        db.session, g.actor, case_id, department=body.department, reason=body.reason, requests=body.requests
    )
    return _back(case_id, f"已发出建议书 {case.documents[-1].number}。")


@blueprint.post("/grievances/<id:case_id>/resolve")
def grievance_resolve(case_id: int):
    """Record how the case was resolved: outcome, amount recovered, workers covered."""
    cases.resolve(db.session, g.actor, case_id, **form(ResolveForm, LABELS).model_dump())
    return _back(case_id, "已办结，已请职工评价。")


@blueprint.post("/grievances/<id:case_id>/close")
def grievance_close(case_id: int):
    """Close a resolved case, or refuse a received one (不予受理), with the reason."""
    case = cases.close(db.session, g.actor, case_id, note=form(NoteForm, LABELS).note)
    return _back(case_id, f"已{case.events[-1].action}，已通知职工。")


@blueprint.post("/grievances/<id:case_id>/messages")
def grievance_message(case_id: int):
    """Write to the worker: queued as the case's notices are, sent by subscribe message, customer service or inbox."""
    cases.message_worker(db.session, g.actor, case_id, text=form(MessageForm, LABELS).text)
    return _back(case_id, "回复已保存，正在发送给职工。")
