"""Training lists for officials: enterprises' lists within quota (JSON or Excel), rosters, attendance,
certificates and ratings. Lists with phones and the ratings' comments are audited views."""

from __future__ import annotations

from flask import Response, g, request

from models import training_classes as classes
from models import training_enrolments as enrolments
from models.errors import Invalid
from models.training import Enrolment

from ..extensions import db
from . import blueprint
from . import training_serialize as out
from .context import login_required, payload
from .schemas import MAX_ID
from .training_rosters import (
    XLSX,
    certificate_rows,
    certificate_workbook,
    enrol_workbook,
    enrolment_rows,
    enrolment_workbook,
)
from .training_schemas import EnrolListIn


@blueprint.post("/training/classes/<id:class_id>/enrolments")
@login_required
def enrol_list(class_id: int):
    """Sign up an enterprise's list within its quota, as JSON or as an uploaded Excel file (姓名, 手机号, 岗位)."""
    if request.mimetype == "multipart/form-data":
        result = enrol_workbook(db.session, g.actor, class_id, enterprise_id=_form_enterprise_id(), data=_upload())
    else:
        body = payload(EnrolListIn)
        trainees = [t.to_domain() for t in body.trainees]
        result = enrolments.enrol_list(
            db.session, g.actor, class_id, enterprise_id=body.enterprise_id, trainees=trainees
        )
    listed = {
        "enrolled": [out.enrolment(e) for e in result.enrolled],
        "already": [out.enrolment(e) for e in result.already],
        "quota": out.quota(result.quota),
    }
    return listed, 201 if result.enrolled else 200


@blueprint.get("/training/quotas")
@login_required
def my_quotas():
    """The places the enterprises in scope hold in classes not yet over: seats, used, left."""
    return {"quotas": [out.quota(q) for q in enrolments.quotas_for(db.session, g.actor)]}


@blueprint.get("/training/classes/<id:class_id>/enrolments")
@login_required
def class_roster(class_id: int):
    """A class's enrolment list with phones, confirmed then waitlisted (audited)."""
    rows = enrolment_rows(classes.enrolment_list(db.session, g.actor, class_id))
    db.session.commit()
    return {"class": out.class_ref(classes.class_in_scope(db.session, g.actor, class_id)), "enrolments": rows}


@blueprint.get("/training/classes/<id:class_id>/enrolments.xlsx")
@login_required
def class_roster_export(class_id: int):
    """The enrolment list as an Excel workbook (audited as an export)."""
    rows = enrolment_rows(classes.enrolment_list(db.session, g.actor, class_id, export=True))
    db.session.commit()
    workbook = enrolment_workbook(classes.class_in_scope(db.session, g.actor, class_id), rows)
    return _xlsx(workbook, f"training-{class_id}-enrolments.xlsx")


@blueprint.get("/training/classes/<id:class_id>/enterprises/<id:enterprise_id>/enrolments")
@login_required
def enterprise_roster(class_id: int, enterprise_id: int):
    """One enterprise's people in a class, for its union or the organiser (audited)."""
    rows = enrolment_rows(enrolments.enterprise_list(db.session, g.actor, class_id, enterprise_id))
    db.session.commit()
    return {"enrolments": rows}


@blueprint.post("/training/enrolments/<id:enrolment_id>/cancel")
@login_required
def cancel_enrolment(enrolment_id: int):
    """Take someone off a class before it starts; an open place goes to the first on the waitlist."""
    promoted = enrolments.cancel_for(db.session, g.actor, enrolment_id)
    cancelled = db.session.get(Enrolment, enrolment_id)
    return {"enrolment": out.enrolment(cancelled), "promoted": promoted and out.enrolment(promoted)}


@blueprint.post("/training/enrolments/<id:enrolment_id>/check-in")
@login_required
def check_in_enrolment(enrolment_id: int):
    """Mark someone present who cannot check in with the code."""
    enrolment = classes.check_in_for(db.session, g.actor, enrolment_id)
    db.session.commit()
    return out.enrolment(enrolment)


@blueprint.post("/training/classes/<id:class_id>/certificates")
@login_required
def issue_certificates(class_id: int):
    """Number a certificate for every attendee of a finished class who has none; return them all."""
    rows = certificate_rows(classes.issue_certificates(db.session, g.actor, class_id))
    db.session.commit()
    return {"certificates": rows}


@blueprint.get("/training/classes/<id:class_id>/certificates")
@login_required
def list_certificates(class_id: int):
    """The certificates of attendance of a class, in number order."""
    return {"certificates": certificate_rows(classes.certificates(db.session, g.actor, class_id))}


@blueprint.get("/training/classes/<id:class_id>/certificates.xlsx")
@login_required
def certificates_export(class_id: int):
    """The certificates of attendance as an Excel workbook."""
    rows = certificate_rows(classes.certificates(db.session, g.actor, class_id))
    workbook = certificate_workbook(classes.class_in_scope(db.session, g.actor, class_id), rows)
    return _xlsx(workbook, f"training-{class_id}-certificates.xlsx")


@blueprint.get("/training/classes/<id:class_id>/ratings")
@login_required
def class_ratings(class_id: int):
    """What attendees thought of a class: average, distribution, comments without names (audited)."""
    found = classes.ratings(db.session, g.actor, class_id)
    db.session.commit()
    return out.ratings(found)


def _form_enterprise_id() -> int:
    raw = request.form.get("enterprise_id", "")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise Invalid("请指定报名的企业", field="enterprise_id")
    return int(raw)


def _upload() -> bytes:
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("请上传名单文件（Excel，列：姓名、手机号、岗位）", field="file")
    return upload.read()


def _xlsx(workbook: bytes, filename: str) -> Response:
    return Response(workbook, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={filename}"})
