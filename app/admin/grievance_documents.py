"""The three documents (三书) of a case for officials: send an 意见书 or a 建议书, record the answer, download."""

from __future__ import annotations

from flask import Response, g

from models import grievance_cases as cases
from models import grievance_documents as documents

from ..extensions import db
from . import blueprint
from .context import login_required, payload
from .grievance_schemas import NoteIn, OpinionIn, SuggestIn
from .grievances import case_answer


@blueprint.post("/grievances/<id:case_id>/opinion")
@login_required
def opinion(case_id: int):
    """Send the employer a 意见书 with the deadline to answer (the laws and requests of the category by default)."""
    return case_answer(cases.issue_opinion(db.session, g.actor, case_id, **payload(OpinionIn).model_dump()))


@blueprint.post("/grievances/<id:case_id>/answer")
@login_required
def employer_answer(case_id: int):
    """Record the employer's answer to the 意见书."""
    return case_answer(cases.record_answer(db.session, g.actor, case_id, note=payload(NoteIn).note))


@blueprint.post("/grievances/<id:case_id>/suggest")
@login_required
def suggest(case_id: int):
    """Send one of the five departments a 建议书 (the 意见书 went unanswered, or mediation failed)."""
    body = payload(SuggestIn)
    case = cases.suggest(
        db.session, g.actor, case_id, department=body.department, reason=body.reason, requests=body.requests
    )
    return case_answer(case)


@blueprint.get("/grievances/documents/<id:document_id>.<any(pdf, docx):fmt>")
@login_required
def download(document_id: int, fmt: str):
    """A document as PDF or Word, printed from the facts kept with it (audited as an export)."""
    document, mimetype, data = documents.render(db.session, g.actor, document_id, fmt)
    db.session.commit()
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=grievance-{document.kind}-{document.id}.{fmt}"},
    )
