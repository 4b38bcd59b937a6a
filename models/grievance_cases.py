"""Grievance cases from intake to closing: routing, the closed loop of states, deadlines, escalation, rating."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

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
    DOCUMENT_LABELS,
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
from .officials import Official, Role
from .unions import UnionKind, ancestors, places_in_address
from .workers import Worker, create_worker, find_by_phone

WORKER, SYSTEM = "职工", "系统"
OPEN_STATES = (RECEIVED, ACCEPTED, HANDLING, ESCALATED)
COLLECTIVE_DAYS = 90  # the same problem at the same employer within this many days is one collective case
MAX_AMOUNT = Decimal("100000000")
OPINION_STATES = (HANDLING, ESCALATED)  # an 意见书 goes out while the case is in hand
MAX_ANSWER_DAYS = 90  # the latest answer an 意见书 may allow the employer
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


def file_case(
    session: Session,
    *,
    worker: Worker,
    channel: str,
    complaint: Complaint,
    actor: Actor | None = None,
    client_key: str | None = None,
):
    """Record a grievance, route it, link it to a collective case, and give it a number; the caller commits.

    With a client_key, the same submission sent again (its answer was lost) returns the case filed the first time.
    """
    if channel not in CHANNELS:
        raise Invalid("未知的来源渠道", field="channel")
    if client_key is not None and (filed := _filed_with(session, worker, client_key)) is not None:
        return filed
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
        client_key=client_key,
    )
    try:
        with session.begin_nested():
            session.add(case)
            session.flush()
    except IntegrityError:  # the same submission, sent twice at once: the other request filed it
        return _filed_with(session, worker, client_key)
    case.number = case_number(today(), case.id)
    _event(case, actor, "received", None, RECEIVED, f"{CHANNELS[channel]}：{found.reason}")
    if actor is not None:  # a visit or a call: the worker was not told the number in a reply of ours
        _tell(session, case, "received", f"已收到，由{found.union.name}受理（{found.reason}）")
    return case


def _filed_with(session: Session, worker: Worker, client_key: str) -> GrievanceCase | None:
    query = select(GrievanceCase).where(GrievanceCase.worker_id == worker.id, GrievanceCase.client_key == client_key)
    return session.scalars(query).first()


def case_number(received_on: date, case_id: int) -> str:
    """The number a worker quotes: the day the case came in (China time) and its id."""
    return f"WQ{received_on:%Y%m%d}{case_id:04d}"


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
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    category: str | None = None,
    search: str | None = None,
    open_only: bool = False,
    limit: int = 200,
) -> list[GrievanceCase]:
    """List the cases of the unions in scope, the most urgent deadline first (so the overdue lead).

    `search` finds a number or an employer by a part of it; `open_only` leaves out resolved and closed cases.
    """
    query = select(GrievanceCase).where(GrievanceCase.union_id.in_(actor.union_ids))
    if status is not None:
        if status not in STATUS_LABELS:
            raise Invalid("未知的案件状态", field="status")
        query = query.where(GrievanceCase.status == status)
    if category is not None:
        if category not in CATEGORIES:
            raise Invalid("未知的问题类别", field="category")
        query = query.where(GrievanceCase.category == category)
    if open_only:
        query = query.where(GrievanceCase.status.in_(OPEN_STATES))
    words = (search or "").strip()[:50]
    if words:
        query = query.where(
            GrievanceCase.number.contains(words.upper(), autoescape=True)
            | GrievanceCase.employer_name.contains(words, autoescape=True)
        )
    order = (GrievanceCase.deadline_at.is_(None), GrievanceCase.deadline_at, GrievanceCase.id)
    searched = {"search": words} if words else {}
    audit.record(
        session, actor=actor, action="list", object_type="grievance_cases", status=status, category=category, **searched
    )
    query = query.options(selectinload(GrievanceCase.worker), selectinload(GrievanceCase.union))
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


def past_deadline(now: datetime):
    """Open cases whose deadline has passed: the scheduler escalates them, the dashboard lists them meanwhile."""
    return GrievanceCase.status.in_(OPEN_STATES) & (GrievanceCase.deadline_at < now)


def escalate_overdue(session: Session, now: datetime | None = None) -> int:
    """Move every case past its deadline one level up: to the union above, and from a county on to a department.

    Run by the scheduler; each case moves once per missed deadline, since escalating sets a new one. Commits.
    """
    now = now or utcnow()
    overdue = session.scalars(select(GrievanceCase).where(past_deadline(now)).order_by(GrievanceCase.id)).all()
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


def issue_opinion(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    requests: list[str] = (),
    laws: list[str] = (),
    answer_by: date | None = None,
) -> GrievanceCase:
    """Send the employer a 意见书 (what the law says, what the union asks) with the deadline to answer.

    The laws and requests of the category are printed when none are given; the deadline is the rule's by default.
    """
    actor.require_write()
    case = case_in_scope(session, actor, case_id)
    if case.status not in OPINION_STATES:
        raise Conflict("案件办理中才能发出意见书", field="status")
    pending = latest(case, OPINION)
    if pending is not None and pending.answered_at is None:
        raise Conflict(f"意见书{pending.number}尚待企业答复", field="case_id")
    laws = tuple(law.strip() for law in laws if law.strip())
    if len(laws) > 10 or any(len(law) > 100 for law in laws):
        raise Invalid("法律依据最多10条，每条100字以内", field="laws")
    case.deadline_at = _answer_deadline(session, answer_by)
    opinion = issue(session, case, OPINION, actor=actor, deadline=case.deadline_at, requests=tuple(requests), laws=laws)
    _event(case, actor, "意见书", case.status, case.status, f"{opinion.number}，{_local(case.deadline_at)}前答复")
    _tell(session, case, "opinion", f"工会已向{case.employer_name}发出劳动法律监督意见书")
    _audit(session, actor, case, "opinion")
    return case


def _answer_deadline(session: Session, answer_by: date | None) -> datetime:
    """The end of the day the employer must answer by: the one chosen (tomorrow to 90 days on), else the rule's."""
    if answer_by is None:
        return due(session, OPINION_STAGE)
    if not today() < answer_by <= today() + timedelta(days=MAX_ANSWER_DAYS):
        raise Invalid(f"答复期限应在明天到{MAX_ANSWER_DAYS}天之内", field="answer_by")
    return datetime.combine(answer_by, time(23, 59, 59), LOCAL_TZ).astimezone(UTC)


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


# An official's further steps on a case in hand: who handles it, mediation, messages to the worker.
ASSIGN_STATES = (ACCEPTED, HANDLING, ESCALATED)  # accept() names them on acceptance; nobody after the end
MEDIATION_STATES = (ACCEPTED, HANDLING, ESCALATED)  # a mediation puts an accepted or escalated case in hand
ADDED, MESSAGE = "补充材料", "工会留言"  # the actions of what the worker adds and of what the union writes
MESSAGE_KIND = "grievance_message"
MAX_MESSAGE = 500


def note_shown_to_worker(event: CaseEvent) -> bool:
    """Tell whether the worker sees an event's note: their own additions, the union's messages, documents' numbers."""
    return (event.actor == WORKER and event.action == ADDED) or event.action in (MESSAGE, *DOCUMENT_LABELS.values())


def handlers_for(session: Session, actor: Actor, case: GrievanceCase) -> list[Official]:
    """The officials who may handle a case: of its union or a union above it, within scope, not read-only."""
    chain = [case.union_id, *(u.id for u in ancestors(session, case.union_id))]
    unions = [union_id for union_id in chain if union_id in actor.union_ids]
    rows = session.scalars(
        select(Official).where(Official.union_id.in_(unions), Official.active.is_(True), Official.role != Role.VIEWER)
    )
    return sorted(rows, key=lambda o: (unions.index(o.union_id), o.name, o.id))


def _handler(session: Session, actor: Actor, case: GrievanceCase, handler_id: int) -> Official:
    official = session.get(Official, handler_id)
    if official is None or not official.active or official.union_id not in actor.union_ids:
        raise NotFound("未找到该经办人", field="handler_id")
    if official.role == Role.VIEWER:
        raise Invalid("只读账号不能担任经办人", field="handler_id")
    if official not in handlers_for(session, actor, case):
        raise Invalid(f"经办人应为{case.union.name}或其上级工会的工作人员", field="handler_id")
    return official


def assign(
    session: Session, actor: Actor, case_id: int, *, handler_id: int | None = None, legal_adviser: str | None = None
) -> GrievanceCase:
    """Name who handles a case in hand (an official of its union or one above) and/or its legal adviser (法律顾问)."""
    actor.require_write()
    case = case_in_scope(session, actor, case_id)
    if case.status not in ASSIGN_STATES:
        raise Conflict(f"案件当前为“{STATUS_LABELS[case.status]}”，不能指派经办人或法律顾问", field="status")
    adviser = (legal_adviser or "").strip()
    if handler_id is None and not adviser:
        raise Invalid("请选择经办人或填写法律顾问", field="handler_id")
    if len(adviser) > 50:
        raise Invalid("法律顾问最多50个字", field="legal_adviser")
    handler = case.handler if handler_id is None else _handler(session, actor, case, handler_id)
    adviser = adviser or case.legal_adviser
    changes = [
        (label, name)
        for label, name, before in (("经办人", handler, case.handler), ("法律顾问", adviser, case.legal_adviser))
        if name is not None and name != before
    ]
    if not changes:
        raise Conflict("经办人和法律顾问与原来相同", field="handler_id")
    # Conditional on the state read: a case closed meanwhile gets nobody new.
    taken = session.execute(
        update(GrievanceCase)
        .where(GrievanceCase.id == case.id, GrievanceCase.status == case.status)
        .values(handler_id=handler.id if handler else None, legal_adviser=adviser)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise Conflict("案件刚被他人处理，请刷新后再试", field="status")
    case.handler, case.legal_adviser = handler, adviser
    named = [(label, getattr(name, "name", name)) for label, name in changes]
    _event(case, actor, "指派", case.status, case.status, "；".join(f"{label}：{name}" for label, name in named))
    _tell(session, case, "assigned", "已指派" + "，".join(f"{label}{name}" for label, name in named))
    _audit(session, actor, case, "assign")
    return case


def record_mediation(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    held_on: date,
    participants: str,
    agreement: str,
    agreed: bool = True,
) -> GrievanceCase:
    """Record a mediation (调解): the day, who took part, what was agreed; an accepted or escalated case is in hand."""
    actor.require_write()
    case = case_in_scope(session, actor, case_id)
    if case.status not in MEDIATION_STATES:
        first = "（请先受理）" if case.status == RECEIVED else ""
        raise Conflict(f"案件当前为“{STATUS_LABELS[case.status]}”，不能记录调解{first}", field="status")
    participants, agreement = participants.strip(), agreement.strip()
    if not 2 <= len(participants) <= 200:
        raise Invalid("请填写参加调解的各方（2到200字）", field="participants")
    if not 2 <= len(agreement) <= 2000:
        raise Invalid("请填写调解的结果（2到2000字）", field="agreement")
    if held_on > today():
        raise Invalid("调解日期不能晚于今天", field="held_on")
    if held_on < as_utc(case.created_at).astimezone(LOCAL_TZ).date():
        raise Invalid("调解日期不能早于收到求助的日期", field="held_on")
    outcome = "达成协议" if agreed else "未达成协议"
    note = f"{held_on:%Y-%m-%d}调解，参加：{participants}；{outcome}：{agreement}"
    was = case.status
    if was == HANDLING:
        _event(case, actor, "调解", HANDLING, HANDLING, note)
    else:  # as start_handling: the mediation is the handling, and after an escalation the deadline starts again
        _move(session, case, actor, HANDLING, "调解", note)
        if was == ESCALATED:
            case.deadline_at = due(session, HANDLE)
    _tell(session, case, "mediation", f"已于{held_on.month}月{held_on.day}日组织调解，{outcome}")
    _audit(session, actor, case, "mediate")
    return case


def message_worker(session: Session, actor: Actor, case_id: int, *, text: str) -> CaseEvent:
    """Write to the worker about their case: kept as an event, sent as the case's notices are; the caller commits."""
    actor.require_write()
    case = case_in_scope(session, actor, case_id)
    text = text.strip()
    if not 2 <= len(text) <= MAX_MESSAGE:
        raise Invalid(f"请填写留言（2到{MAX_MESSAGE}字）", field="text")
    _event(case, actor, MESSAGE, case.status, case.status, text)
    # Queued like the other notices: a subscribe message, else customer service within 48 hours, else the inbox.
    notifications.queue(
        session,
        worker_id=case.worker_id,
        kind=MESSAGE_KIND,
        key=_message_key(case.id, len(case.events)),
        title="工会回复",
        body=f"关于您的维权求助（编号 {case.number}）：{text}",
        page=f"pages/grievance/case?id={case.id}",
        data={
            "character_string1": {"value": case.number or ""},
            "phrase2": {"value": STATUS_LABELS[case.status]},
            "thing3": {"value": text[:20]},
        },
    )
    _audit(session, actor, case, "message")
    return case.events[-1]


def _message_key(case_id: int, serial: int) -> str:
    return f"grievance-message:{case_id}:{serial}"


@dataclass(frozen=True)
class CaseMessage:
    """One message between the worker and the union on a case."""

    by: str  # "worker" or "union"
    author: str
    text: str
    at: datetime | None  # None for the rating, which keeps no time
    delivery: notifications.Notification | None = None  # the union's: how it reached the worker (status, channel)


def authors(session: Session, case: GrievanceCase) -> dict[int, str]:
    """The names of the officials who acted on a case, by id."""
    ids = {e.official_id for e in case.events if e.official_id} | {case.recorded_by} - {None}
    return dict(session.execute(select(Official.id, Official.name).where(Official.id.in_(ids))).tuples().all())


def conversation(session: Session, case: GrievanceCase) -> list[CaseMessage]:
    """What the worker filed and added, the union's messages with their delivery, and the worker's rating."""
    names = authors(session, case)
    sent = {
        n.dedup_key: n
        for n in session.scalars(
            select(notifications.Notification).where(
                notifications.Notification.dedup_key.like(f"grievance-message:{case.id}:%")
            )
        )
    }
    worker = case.worker.name or "职工"
    messages = []
    for serial, event in enumerate(case.events, 1):
        if event.action == "received":
            recorder = names.get(case.recorded_by, "工作人员")
            filed = f"{worker}（{CHANNELS[case.channel]}，{recorder}代录）" if case.recorded_by else worker
            messages.append(CaseMessage("worker", filed, case.facts, event.at))
        elif event.actor == WORKER and event.action == ADDED:
            messages.append(CaseMessage("worker", worker, event.note or "", event.at))
        elif event.action == MESSAGE:
            author = names.get(event.official_id, event.actor)
            delivery = sent.get(_message_key(case.id, serial))
            messages.append(CaseMessage("union", author, event.note or "", event.at, delivery))
    if case.rating is not None:
        comment = f"：{case.rating_comment}" if case.rating_comment else ""
        messages.append(CaseMessage("worker", worker, f"评价{case.rating}分{comment}", None))
    return messages


def actions_allowed(case: GrievanceCase) -> set[str]:
    """The officials' steps a case's state allows now (the forms to offer; each operation checks again)."""
    moves = TRANSITIONS[case.status]
    pending = latest(case, OPINION)
    awaiting = pending is not None and pending.answered_at is None
    allowed = {
        "accept": ACCEPTED in moves,
        "handle": HANDLING in moves,
        "assign": case.status in ASSIGN_STATES,
        "mediate": case.status in MEDIATION_STATES,
        "opinion": case.status in OPINION_STATES and not awaiting,
        "answer": case.status in OPINION_STATES and awaiting,
        "suggest": ESCALATED in moves,
        "resolve": RESOLVED in moves,
        "close": CLOSED in moves,
    }
    return {step for step, can in allowed.items() if can}


def is_overdue(case: GrievanceCase, now: datetime | None = None) -> bool:
    """Tell whether an open case is past the deadline of its current stage."""
    late = case.deadline_at is not None and as_utc(case.deadline_at) < (now or utcnow())
    return case.status in OPEN_STATES and late
