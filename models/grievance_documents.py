"""The three documents of a case (三书): numbered per union, kind and year, kept with their facts, printed on demand."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import audit
from .access import Actor
from .base import LOCAL_TZ, as_utc, today, utcnow
from .documents import DocumentFacts, Escalation, document_number, render_docx, render_pdf
from .errors import Conflict, Invalid, NotFound
from .grievances import DEPARTMENTS, NOTICE, OPINION, SUGGESTION, CaseDocument, GrievanceCase
from .unions import TradeUnion

FORMATS = {
    "pdf": ("application/pdf", render_pdf),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        render_docx,
    ),
}


def issuer_code(union: TradeUnion) -> str:
    """The issuer's part of a document number: 获嘉县总工会 → 获工, 获嘉县亢村镇工会 → 亢工."""
    return f"{(union.region or union.name)[0]}工"


def _local_day(moment: datetime | None):
    return as_utc(moment).astimezone(LOCAL_TZ).date() if moment else None


def issue(
    session: Session,
    case: GrievanceCase,
    kind: str,
    *,
    actor: Actor | str,
    deadline: datetime | None = None,
    requests: tuple[str, ...] = (),
    department: str | None = None,
    escalation: Escalation | None = None,
    laws: tuple[str, ...] = (),
) -> CaseDocument:
    """Number and keep a document of a case with the facts it prints; the caller commits."""
    union = case.union
    handler = case.handler
    opinion = latest(case, OPINION)
    facts = DocumentFacts(
        kind=kind,
        number="待编号",
        union_name=union.name,
        issued_on=today(),
        case_number=case.number,
        employer_name=case.employer_name,
        employer_address=case.employer_address or "",
        category=case.category,
        summary=case.facts,
        worker_name=(case.worker.name or "反映问题的职工") if kind == NOTICE else "",
        workers_count=case.workers_count,
        amount_owed=case.amount_owed,
        laws=laws,
        requests=requests,
        deadline=_local_day(deadline),
        handler_name=handler.name if handler else "",
        handler_phone=union.phone or "",
        department=department,
        legal_adviser=case.legal_adviser or "",
        received_on=_local_day(case.created_at),
        escalation=escalation,
        opinion_number=opinion.number if opinion and kind == SUGGESTION else "",
        opinion_issued_on=_local_day(opinion.created_at) if opinion and kind == SUGGESTION else None,
        opinion_deadline=_local_day(opinion.deadline) if opinion and kind == SUGGESTION else None,
    )
    year = today().year
    for _ in range(3):  # two cases of one union numbered at once: the unique serial decides, the loser retries
        serial = 1 + (
            session.scalar(
                select(func.max(CaseDocument.serial)).where(
                    CaseDocument.union_id == union.id, CaseDocument.kind == kind, CaseDocument.year == year
                )
            )
            or 0
        )
        printed = replace(facts, number=document_number(issuer_code(union), kind, year, serial))
        document = CaseDocument(
            case_id=case.id,
            union_id=union.id,
            official_id=actor.id if isinstance(actor, Actor) else None,
            kind=kind,
            year=year,
            serial=serial,
            number=printed.number,
            addressed_to=printed.addressee,
            deadline=deadline,
            content=json.dumps(printed.to_dict(), ensure_ascii=False, default=str),
        )
        try:
            with session.begin_nested():
                session.add(document)
                session.flush()
        except IntegrityError:
            continue
        case.documents.append(document)
        return document
    raise Conflict("文书编号冲突，请稍后再试", field="kind")


def latest(case: GrievanceCase, kind: str) -> CaseDocument | None:
    """Return a case's latest document of a kind, if any."""
    return next((d for d in reversed(case.documents) if d.kind == kind), None)


def render(session: Session, actor: Actor, document_id: int, fmt: str) -> tuple[CaseDocument, str, bytes]:
    """Print a kept document of a case in scope as PDF or Word; returns (document, mimetype, bytes). Audited."""
    if fmt not in FORMATS:
        raise Invalid("格式应为 pdf 或 docx", field="format")
    document = session.get(CaseDocument, document_id)
    case = session.get(GrievanceCase, document.case_id) if document else None
    if case is None or (case.union_id not in actor.union_ids and document.union_id not in actor.union_ids):
        raise NotFound("未找到该文书")
    mimetype, write = FORMATS[fmt]
    data = write(DocumentFacts.from_dict(json.loads(document.content)))
    audit.record(
        session,
        actor=actor,
        action="export",
        object_type="grievance_document",
        object_id=document.id,
        union_id=case.union_id,
        format=fmt,
    )
    return document, mimetype, data


def department_of(code: str) -> str:
    """Check a department code (信访局, 矛调中心, 人社局…) and return its label."""
    if code not in DEPARTMENTS:
        raise Invalid("部门应为 " + "、".join(f"{k}（{v}）" for k, v in DEPARTMENTS.items()), field="department")
    return DEPARTMENTS[code]


def answered(case: GrievanceCase) -> None:
    """Record that the employer answered the latest 意见书."""
    opinion = latest(case, OPINION)
    if opinion is None or opinion.answered_at is not None:
        raise Conflict("没有待企业答复的意见书", field="case_id")
    opinion.answered_at = utcnow()
