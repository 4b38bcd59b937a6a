"""Grievance cases from intake to closing: routing, the closed loop of states, deadlines, escalation, rating."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import audit, notifications
from .access import Actor
from .base import LOCAL_TZ, as_utc, today, utcnow
from .documents import Escalation
from .enterprises import Enterprise, find_enterprise
from .errors import Conflict, Invalid, NotFound
from .grievance_deadlines import ACCEPT, HANDLE, OVERDUE, due
from .grievance_deadlines import OPINION as OPINION_STAGE
from .grievance_documents import answered, department_of, issue, latest
from .grievance_routing import Route, route
from .grievances import (
    ACCEPTED,
    CATEGORIES,
    CHANNELS,
    CLOSED,
    DEPARTMENTS,
    ESCALATED,
    HANDLING,
    NOTICE,
    OPINION,
    RECEIVED,
    RESOLVED,
    STATUS_LABELS,
    SUGGESTION,
    TRANSITIONS,
    CaseAttachment,
    CaseEvent,
    GrievanceCase,
)
from .identity import normalize_phone
from .official_notices import notify_union
from .officials import Official
from .unions import UnionKind, places_in_address
from .workers import Worker, create_worker, find_by_phone

WORKER, SYSTEM = "职工", "系统"
OPEN_STATES = (RECEIVED, ACCEPTED, HANDLING, ESCALATED)
COLLECTIVE_DAYS = 90  # the same problem at the same employer within this many days is one collective case
MAX_AMOUNT = Decimal("100000000")
# Where a 建议书 goes when the scheduler sends one: arbitration for dismissals, else labour inspection.
DEFAULT_DEPARTMENT = {"forced_resignation": "arbitration", "safety": "mediation", "other": "mediation"}


@dataclass(frozen=True)
class Complaint:
    """What a worker (or an official recording a visit or a call) tells about a grievance."""

    category: str
    employer: str
    facts: str
    workers_count: int = 1
    amount_owed: Decimal | None = None
    contact_phone: str | None = None
    address: str | None = None
    township: str | None = None
    county: str | None = None
    industry: str | None = None
    media_ids: list[str] = field(default_factory=list)


def _check(complaint: Complaint) -> None:
    if complaint.category not in CATEGORIES:
        raise Invalid("请选择问题类别：" + "、".join(CATEGORIES.values()), field="category")
    if not 2 <= len(complaint.employer.strip()) <= 100:
        raise Invalid("请填写用人单位名称（2到100个字）", field="employer")
    if not 5 <= len(complaint.facts.strip()) <= 5000:
        raise Invalid("请说明经过（5到5000字）", field="facts")
    if not 1 <= complaint.workers_count <= 100000:
        raise Invalid("涉及人数应在1到100000之间", field="workers_count")
    if complaint.amount_owed is not None and not 0 <= complaint.amount_owed < MAX_AMOUNT:
        raise Invalid("涉及金额不正确", field="amount_owed")
    if len(complaint.media_ids) > 20:
        raise Invalid("最多上传20张图片", field="attachments")


def file_case(session: Session, *, worker: Worker, channel: str, complaint: Complaint, actor: Actor | None = None):
    """Record a grievance, route it, link it to a collective case, and give it a number; the caller commits."""
    if channel not in CHANNELS:
        raise Invalid("未知的来源渠道", field="channel")
    _check(complaint)
    phone = normalize_phone(complaint.contact_phone) if complaint.contact_phone else worker.phone
    enterprise, found = route_employer(
        session,
        complaint.employer,
        township=complaint.township,
        county=complaint.county,
        address=complaint.address,
        industry=complaint.industry,
    )
    county, township = complaint.county, complaint.township
    if enterprise is None and not (county and township):  # kept with the case, for statistics by place
        found_county, found_township = places_in_address(session, complaint.address or complaint.employer)
        county, township = county or found_county, township or found_township
    case = GrievanceCase(
        category=complaint.category,
        channel=channel,
        worker_id=worker.id,
        recorded_by=actor.id if actor else None,
        enterprise_id=enterprise.id if enterprise else None,
        employer_name=enterprise.name if enterprise else complaint.employer.strip(),
        employer_address=enterprise.address if enterprise else (complaint.address or None),
        township=enterprise.township if enterprise else township,
        county=enterprise.county if enterprise else county,
        industry=enterprise.industry if enterprise else complaint.industry,
        facts=complaint.facts.strip(),
        workers_count=complaint.workers_count,
        amount_owed=complaint.amount_owed,
        contact_phone=phone,
        union_id=found.union.id,
        routing_rule=found.rule,
        routing_reason=found.reason,
        collective_id=_collective(session, enterprise, complaint),
        deadline_at=due(session, ACCEPT),
        attachments=[CaseAttachment(media_id=m) for m in complaint.media_ids],
    )
    session.add(case)
    session.flush()
    case.number = f"WQ{today():%Y%m%d}{case.id:04d}"
    _event(case, actor, "received", None, RECEIVED, f"{CHANNELS[channel]}：{found.reason}")
    if actor is not None:  # a visit or a call: the worker was not told the number in a reply of ours
        _tell(session, case, "received", f"已收到，由{found.union.name}受理（{found.reason}）")
    return case


def route_employer(
    session: Session,
    employer: str,
    *,
    township: str | None = None,
    county: str | None = None,
    address: str | None = None,
    industry: str | None = None,
) -> tuple[Enterprise | None, Route]:
    """Match the employer to a known enterprise where possible and find the union responsible, as intake does."""
    enterprise = find_enterprise(session, employer) if employer.strip() else None
    found = route(
        session,
        enterprise=enterprise,
        township=township,
        county=county,
        address=address or employer or None,
        industry=industry,
    )
    return enterprise, found


def _collective(session: Session, enterprise: Enterprise | None, complaint: Complaint) -> int | None:
    """Return the first open case of the same problem at the same employer lately, if any."""
    same = (
        GrievanceCase.enterprise_id == enterprise.id
        if enterprise
        else GrievanceCase.employer_name == complaint.employer.strip()
    )
    query = (
        select(GrievanceCase)
        .where(
            same,
            GrievanceCase.category == complaint.category,
            GrievanceCase.status.in_(OPEN_STATES),
            GrievanceCase.created_at >= utcnow() - timedelta(days=COLLECTIVE_DAYS),
        )
        .order_by(GrievanceCase.id)
        .limit(1)
    )
    first = session.scalar(query)
    return None if first is None else (first.collective_id or first.id)


def record_visit(session: Session, actor: Actor, *, name: str, phone: str, channel: str, complaint: Complaint):
    """Record a grievance an official took at the counter or on the phone (the worker found or registered by phone)."""
    actor.require_write()
    if channel not in ("walk_in", "phone"):
        raise Invalid("来源应为 walk_in（来访）或 phone（来电）", field="channel")
    worker = find_by_phone(session, phone)
    if worker is None:
        if not 2 <= len(name.strip()) <= 20:
            raise Invalid("请填写职工姓名（2到20个字）", field="name")
        worker = create_worker(session, name=name.strip(), phone=phone)
    case = file_case(session, worker=worker, channel=channel, complaint=complaint, actor=actor)
    audit.record(
        session, actor=actor, action="create", object_type="grievance_case", object_id=case.id, union_id=case.union_id
    )
    return case


def _event(case: GrievanceCase, actor: Actor | str | None, action: str, before, after, note=None) -> None:
    official = actor.official if isinstance(actor, Actor) else None
    label = actor.username if isinstance(actor, Actor) else (actor or WORKER)
    case.events.append(
        CaseEvent(
            official_id=official.id if official else None,
            actor=label,
            action=action,
            from_status=before,
            to_status=after,
            note=note,
        )
    )


def _tell(session: Session, case: GrievanceCase, kind: str, what: str) -> None:
    """Tell the worker what happened to their case (customer service, subscribe message or the inbox)."""
    serial = len(case.events)  # one notification per event, however often a job runs
    notifications.queue(
        session,
        worker_id=case.worker_id,
        kind=f"grievance_{kind}",
        key=f"grievance-{kind}:{case.id}:{serial}",
        title=f"维权进展：{STATUS_LABELS[case.status]}",
        body=f"您的维权求助（编号 {case.number}，{case.employer_name}）{what}。",
        page=f"pages/grievance/case?id={case.id}",
        data={
            "character_string1": {"value": case.number or ""},
            "phrase2": {"value": STATUS_LABELS[case.status]},
            "thing3": {"value": what[:20]},
        },
    )


def case_in_scope(session: Session, actor: Actor, case_id: int) -> GrievanceCase:
    """Return a case of a union in scope, or raise NotFound (its existence is not revealed)."""
    case = session.get(GrievanceCase, case_id)
    if case is None or case.union_id not in actor.union_ids:
        raise NotFound("未找到该维权案件")
    return case


def view_case(session: Session, actor: Actor, case_id: int) -> GrievanceCase:
    """Return a case in scope with its history, leaving an audit entry (it holds personal data)."""
    case = case_in_scope(session, actor, case_id)
    audit.record(
        session, actor=actor, action="view", object_type="grievance_case", object_id=case.id, union_id=case.union_id
    )
    return case


def list_cases(
    session: Session, actor: Actor, *, status: str | None = None, category: str | None = None, limit: int = 200
) -> list[GrievanceCase]:
    """List the cases of the unions in scope, the most urgent deadline first."""
    query = select(GrievanceCase).where(GrievanceCase.union_id.in_(actor.union_ids))
    if status is not None:
        if status not in STATUS_LABELS:
            raise Invalid("未知的案件状态", field="status")
        query = query.where(GrievanceCase.status == status)
    if category is not None:
        if category not in CATEGORIES:
            raise Invalid("未知的问题类别", field="category")
        query = query.where(GrievanceCase.category == category)
    order = (GrievanceCase.deadline_at.is_(None), GrievanceCase.deadline_at, GrievanceCase.id)
    audit.record(session, actor=actor, action="list", object_type="grievance_cases", status=status, category=category)
    return list(session.scalars(query.order_by(*order).limit(limit)))


def _move(session: Session, case: GrievanceCase, actor: Actor | str, to: str, action: str, note: str | None) -> None:
    """Change a case's state if the closed loop allows it, conditionally on the state read (no lost updates)."""
    before = case.status
    if to not in TRANSITIONS[before]:
        raise Conflict(f"案件当前为“{STATUS_LABELS[before]}”，不能{action}", field="status")
    moved = session.execute(
        update(GrievanceCase)
        .where(GrievanceCase.id == case.id, GrievanceCase.status == before)
        .values(status=to)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        raise Conflict("案件刚被他人处理，请刷新后再试", field="status")
    case.status = to
    _event(case, actor, action, before, to, note)


def accept(
    session: Session, actor: Actor, case_id: int, *, handler_id: int | None = None, legal_adviser: str | None = None
) -> GrievanceCase:
    """Accept a case: who handles it (the official by default), a legal adviser, the deadline to resolve it."""
    actor.require_write()
    case = case_in_scope(session, actor, case_id)
    handler = session.get(Official, handler_id or actor.id)
    if handler is None or handler.union_id not in actor.union_ids:
        raise NotFound("未找到该经办人", field="handler_id")
    _move(session, case, actor, ACCEPTED, "受理", f"经办人：{handler.name}")
    case.handler, case.legal_adviser = handler, (legal_adviser or "").strip() or None
    case.accepted_at, case.deadline_at = utcnow(), due(session, HANDLE)
    session.flush()
    notice = issue(session, case, NOTICE, actor=actor, deadline=case.deadline_at)
    _event(case, actor, "告知书", ACCEPTED, ACCEPTED, notice.number)
    _tell(session, case, "accepted", f"已受理，经办人{handler.name}，{_local(case.deadline_at)}前办结")
    _audit(session, actor, case, "accept")
    return case


def start_handling(session: Session, actor: Actor, case_id: int, *, note: str) -> GrievanceCase:
    """Begin investigation or mediation (also after an escalation reached this union)."""
    actor.require_write()
    case = case_in_scope(session, actor, case_id)
    if not note.strip():
        raise Invalid("请说明办理方式（如调查、调解）", field="note")
    was = case.status
    _move(session, case, actor, HANDLING, "办理", note.strip())
    if was == ESCALATED:
        case.deadline_at = due(session, HANDLE)
    _tell(session, case, "handling", f"正在办理：{note.strip()[:40]}")
    _audit(session, actor, case, "handle")
    return case


def resolve(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    outcome: str,
    amount_recovered: Decimal | None = None,
    workers_covered: int | None = None,
) -> GrievanceCase:
    """Record how a case was resolved: what, how much was recovered, for how many workers."""
    actor.require_write()
    case = case_in_scope(session, actor, case_id)
    if not 2 <= len(outcome.strip()) <= 2000:
        raise Invalid("请说明处理结果", field="outcome")
    if amount_recovered is not None and not 0 <= amount_recovered < MAX_AMOUNT:
        raise Invalid("追回金额不正确", field="amount_recovered")
    if workers_covered is not None and not 0 <= workers_covered <= 100000:
        raise Invalid("惠及人数不正确", field="workers_covered")
    _move(session, case, actor, RESOLVED, "办结", outcome.strip())
    case.outcome, case.amount_recovered = outcome.strip(), amount_recovered
    case.workers_covered = workers_covered if workers_covered is not None else case.workers_count
    case.resolved_at, case.deadline_at = utcnow(), None
    recovered = f"，追回{amount_recovered}元" if amount_recovered else ""
    _tell(session, case, "resolved", f"已办结{recovered}，请为办理情况评价")
    _audit(session, actor, case, "resolve")
    return case


def close(session: Session, actor: Actor, case_id: int, *, note: str) -> GrievanceCase:
    """Close a resolved case, or one received that is not a matter for the union (不予受理, with the reason)."""
    actor.require_write()
    case = case_in_scope(session, actor, case_id)
    if not 2 <= len(note.strip()) <= 500:
        raise Invalid("请说明结案或不予受理的理由", field="note")
    rejected = case.status == RECEIVED
    _move(session, case, actor, CLOSED, "不予受理" if rejected else "结案", note.strip())
    case.closed_at, case.deadline_at = utcnow(), None
    _tell(session, case, "closed", f"不予受理：{note.strip()[:30]}" if rejected else "已结案")
    _audit(session, actor, case, "close")
    return case


def escalate_overdue(session: Session, now: datetime | None = None) -> int:
    """Move every case past its deadline one level up: to the union above, and from a county on to a department.

    Run by the scheduler; each case moves once per missed deadline, since escalating sets a new one. Commits.
    """
    now = now or utcnow()
    overdue = session.scalars(
        select(GrievanceCase)
        .where(GrievanceCase.status.in_(OPEN_STATES), GrievanceCase.deadline_at < now)
        .order_by(GrievanceCase.id)
    ).all()
    moved = 0
    for case in overdue:
        moved += _escalate(session, case, now)
    session.commit()
    return moved


def _escalate(session: Session, case: GrievanceCase, now: datetime) -> int:
    union = case.union
    took = session.execute(
        update(GrievanceCase)
        .where(GrievanceCase.id == case.id, GrievanceCase.deadline_at == case.deadline_at)
        .values(deadline_at=due(session, OVERDUE, now))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not took:  # another scheduler run, or an official, acted on it meanwhile
        return 0
    session.refresh(case)
    above = union.parent
    before = case.status
    case.status, case.escalations = ESCALATED, case.escalations + 1
    if union.kind not in (UnionKind.COUNTY, UnionKind.CITY, UnionKind.PROVINCE) and above is not None:
        # The township (or enterprise) union missed it: the county union, the "1" of "1+5+N", takes over.
        case.union_id = above.id
        note = f"逾期未办，由{union.name}上报{above.name}"
        _event(case, SYSTEM, "逾期上报", before, ESCALATED, note)
        _tell(session, case, "escalated", f"已上报{above.name}督办")
        _alert(session, above.id, case, f"维权案件{case.number}（{case.employer_name}）{note}，请督办")
        _alert(session, union.id, case, f"维权案件{case.number}逾期未办，已上报{above.name}")
    elif _unanswered(case, now):
        # The "5" of "1+5+N": the employer ignored the 意见书, so the department that can compel it is asked.
        department = DEFAULT_DEPARTMENT.get(case.category, "labour_inspection")
        suggestion = issue(
            session, case, SUGGESTION, actor=SYSTEM, department=department, escalation=Escalation.NO_ANSWER
        )
        case.department = department
        _event(
            case,
            SYSTEM,
            "建议书",
            before,
            ESCALATED,
            f"意见书逾期未获答复，{suggestion.number}送{suggestion.addressed_to}",
        )
        _tell(session, case, "escalated", f"已向{DEPARTMENTS[department]}发出建议书")
        _alert(session, union.id, case, f"维权案件{case.number}意见书逾期未获答复，已发出{suggestion.number}")
    else:
        note = f"逾期未办，请{union.name}调解或向有关部门发出建议书"
        _event(case, SYSTEM, "逾期督办", before, ESCALATED, note)
        _tell(session, case, "escalated", f"已由{union.name}督办")
        _alert(session, union.id, case, f"维权案件{case.number}（{case.employer_name}）已逾期，请调解或发出建议书")
    audit.record(
        session,
        actor=SYSTEM,
        action="escalate",
        object_type="grievance_case",
        object_id=case.id,
        union_id=case.union_id,
    )
    return 1


def _alert(session: Session, union_id: int, case: GrievanceCase, text: str) -> None:
    notify_union(session, union_id, "grievance_escalated", text, "grievance_case", case.id)


def _unanswered(case: GrievanceCase, now: datetime) -> bool:
    opinion = latest(case, OPINION)
    return opinion is not None and opinion.answered_at is None and as_utc(opinion.deadline) < now


def issue_opinion(session: Session, actor: Actor, case_id: int, *, requests: list[str] = ()) -> GrievanceCase:
    """Send the employer a 意见书 (what the law says, what the union asks) with the deadline to answer."""
    actor.require_write()
    case = case_in_scope(session, actor, case_id)
    if case.status not in (HANDLING, ESCALATED):
        raise Conflict("案件办理中才能发出意见书", field="status")
    pending = latest(case, OPINION)
    if pending is not None and pending.answered_at is None:
        raise Conflict(f"意见书{pending.number}尚待企业答复", field="case_id")
    case.deadline_at = due(session, OPINION_STAGE)
    opinion = issue(session, case, OPINION, actor=actor, deadline=case.deadline_at, requests=tuple(requests))
    _event(case, actor, "意见书", case.status, case.status, f"{opinion.number}，{_local(case.deadline_at)}前答复")
    _tell(session, case, "opinion", f"工会已向{case.employer_name}发出劳动法律监督意见书")
    _audit(session, actor, case, "opinion")
    return case


def record_answer(session: Session, actor: Actor, case_id: int, *, note: str) -> GrievanceCase:
    """Record the employer's answer to the 意见书; the case goes on with the deadline to resolve it."""
    actor.require_write()
    case = case_in_scope(session, actor, case_id)
    if not 2 <= len(note.strip()) <= 2000:
        raise Invalid("请记录企业的答复内容", field="note")
    answered(case)
    case.deadline_at = due(session, HANDLE)
    _event(case, actor, "企业答复", case.status, case.status, note.strip())
    _audit(session, actor, case, "answer")
    return case


def suggest(
    session: Session, actor: Actor, case_id: int, *, department: str, reason: str, requests: list[str] = ()
) -> GrievanceCase:
    """Send a department a 建议书 when the 意见书 went unanswered or mediation failed; a legal adviser may follow."""
    actor.require_write()
    case = case_in_scope(session, actor, case_id)
    label = department_of(department)
    try:
        why = Escalation(reason)
    except ValueError:
        raise Invalid("原因应为 no_answer（意见书无答复）或 mediation_failed（调解不成）", field="reason") from None
    _move(session, case, actor, ESCALATED, "建议书", None)
    suggestion = issue(
        session, case, SUGGESTION, actor=actor, department=department, escalation=why, requests=tuple(requests)
    )
    case.department, case.deadline_at = department, due(session, OVERDUE)
    case.escalations += 1
    case.events[-1].note = f"{suggestion.number}送{suggestion.addressed_to}"
    _tell(session, case, "escalated", f"工会已向{label}发出建议书")
    _audit(session, actor, case, "suggest")
    return case


def add_information(
    session: Session, *, worker: Worker, case_id: int, text: str, media_ids: list[str] = ()
) -> CaseEvent:
    """Let the worker add to their open case (more facts, pictures); commits."""
    case = session.get(GrievanceCase, case_id)
    if case is None or case.worker_id != worker.id:
        raise NotFound("未找到该维权案件")
    if case.status == CLOSED:
        raise Conflict("案件已结案，如有新情况请重新求助", field="case_id")
    if not (text.strip() or media_ids) or len(text) > 2000 or len(media_ids) > 20:
        raise Invalid("请补充文字（2000字以内）或图片（20张以内）", field="text")
    case.attachments.extend(CaseAttachment(media_id=m) for m in media_ids)
    _event(case, WORKER, "补充材料", case.status, case.status, text.strip() or f"图片{len(media_ids)}张")
    session.commit()
    return case.events[-1]


def rate_case(session: Session, *, worker: Worker, case_id: int, score: int, comment: str = "") -> GrievanceCase:
    """Rate the handling of one's closed or resolved case, once (职工评价); commits."""
    case = session.get(GrievanceCase, case_id)
    if case is None or case.worker_id != worker.id:
        raise NotFound("未找到该维权案件")
    if case.status not in (RESOLVED, CLOSED):
        raise Conflict("案件办结后才能评价", field="case_id")
    if not 1 <= score <= 5:
        raise Invalid("评分应为1到5分", field="score")
    if len(comment.strip()) > 500:
        raise Invalid("评价内容最多500字", field="comment")
    rated = session.execute(
        update(GrievanceCase)
        .where(GrievanceCase.id == case.id, GrievanceCase.rating.is_(None))
        .values(rating=score, rating_comment=comment.strip() or None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not rated:
        session.rollback()
        raise Conflict("您已评价过该案件", field="case_id")
    session.commit()
    session.refresh(case)
    return case


def cases_of(session: Session, worker: Worker) -> list[GrievanceCase]:
    """Return a worker's cases, newest first."""
    return list(
        session.scalars(
            select(GrievanceCase).where(GrievanceCase.worker_id == worker.id).order_by(GrievanceCase.id.desc())
        )
    )


def _audit(session: Session, actor: Actor, case: GrievanceCase, action: str) -> None:
    audit.record(
        session, actor=actor, action=action, object_type="grievance_case", object_id=case.id, union_id=case.union_id
    )


def _local(moment: datetime | None) -> str:
    return f"{as_utc(moment).astimezone(LOCAL_TZ):%m月%d日}" if moment else ""


def collective_size(session: Session, case: GrievanceCase) -> tuple[int, int]:
    """Return how many cases and workers a collective case has in all."""
    lead = case.collective_id or case.id
    query = select(func.count(), func.sum(GrievanceCase.workers_count)).where(
        (GrievanceCase.id == lead) | (GrievanceCase.collective_id == lead)
    )
    cases, workers = session.execute(query).one()
    return cases, workers or 0
