"""Grievances (维权) in the mini-program: file a case, follow one's own cases, add to them, rate the handling."""

from __future__ import annotations

from flask import Response, after_this_request, g

from models import grievance_cases as cases
from models.errors import Invalid, NotFound
from models.grievances import CATEGORIES, GrievanceCase

from ..extensions import db
from . import blueprint
from .endpoints import endpoint
from .grievance_schemas import (
    CaseRatingIn,
    CategoryList,
    CategoryOut,
    GrievanceDetail,
    GrievanceIn,
    GrievanceList,
    GrievanceOut,
    InformationIn,
)


def _private(response: Response) -> Response:
    """Keep answers about the worker's own cases out of every cache on the way."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _mine(case_id: int) -> GrievanceCase:
    """Return one of the worker's own cases; anyone else's is 404, as if it did not exist."""
    case = db.session.get(GrievanceCase, case_id)
    if case is None or case.worker_id != g.worker.id:
        raise NotFound("未找到该维权案件")
    return case


def _detail(case: GrievanceCase) -> GrievanceDetail:
    after_this_request(_private)
    return GrievanceDetail.of(case, cases.collective_size(db.session, case))


@blueprint.get("/grievances/categories")
@endpoint(CategoryList, auth=False, tag="grievances")
def grievance_categories() -> CategoryList:
    """List the kinds of problem a worker may ask the union's help with."""
    return CategoryList(categories=[CategoryOut(code=code, label=label) for code, label in CATEGORIES.items()])


@blueprint.post("/grievances")
@endpoint(GrievanceDetail, body=GrievanceIn, status=201, tag="grievances")
def file_grievance(body: GrievanceIn) -> GrievanceDetail:
    """File a grievance: it gets its number and goes at once to the union responsible, which says why.

    The same client_key again (the answer to the first try was lost) answers with the case filed then.
    """
    if g.worker.name is None:
        if body.name is None:
            raise Invalid("请填写您的姓名，工会出具的告知书上要写明", field="name")
        g.worker.name = body.name
    case = cases.file_case(
        db.session, worker=g.worker, channel="miniapp", complaint=body.to_domain(), client_key=body.client_key
    )
    db.session.commit()
    return _detail(case)


@blueprint.get("/grievances")
@endpoint(GrievanceList, tag="grievances")
def my_grievances() -> GrievanceList:
    """List the worker's own cases, newest first, with where each stands."""
    rows = cases.cases_of(db.session, g.worker)
    after_this_request(_private)
    return GrievanceList(grievances=[GrievanceOut.of(c, cases.collective_size(db.session, c)) for c in rows])


@blueprint.get("/grievances/<id:case_id>")
@endpoint(GrievanceDetail, errors=(404,), tag="grievances")
def my_grievance(case_id: int) -> GrievanceDetail:
    """Show one of the worker's cases: its steps, documents and pictures; anyone else's is 404."""
    return _detail(_mine(case_id))


@blueprint.post("/grievances/<id:case_id>/information")
@endpoint(GrievanceDetail, body=InformationIn, status=201, errors=(404, 409), tag="grievances")
def add_grievance_information(case_id: int, body: InformationIn) -> GrievanceDetail:
    """Add facts or pictures to one's case until it is closed (409 after)."""
    cases.add_information(db.session, worker=g.worker, case_id=case_id, text=body.text, media_ids=body.media_ids)
    return _detail(_mine(case_id))


@blueprint.post("/grievances/<id:case_id>/rating")
@endpoint(GrievanceDetail, body=CaseRatingIn, status=201, errors=(404, 409), tag="grievances")
def rate_grievance(case_id: int, body: CaseRatingIn) -> GrievanceDetail:
    """Rate the handling of one's case once it is resolved or closed (职工评价), once; a second rating is 409."""
    case = cases.rate_case(db.session, worker=g.worker, case_id=case_id, score=body.score, comment=body.comment)
    return _detail(case)
