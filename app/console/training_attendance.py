"""Console pages of a class once it runs: the check-in code (big, for the projector), attendance, certificates,
ratings."""

from __future__ import annotations

from flask import g, render_template

from models import training_classes
from models.base import today
from models.officials import Role
from models.training import CONFIRMED

from ..admin.training_rosters import certificate_rows, certificate_workbook
from ..extensions import db
from . import blueprint
from .training_classes_pages import xlsx
from .web import done


def _runs_it() -> bool:
    """Tell whether the official may see the check-in code: read-only accounts do not run classes."""
    return g.actor.official.role != Role.VIEWER


@blueprint.get("/training/classes/<id:class_id>/attendance")
def training_attendance(class_id: int):
    """Show the check-in code and who has checked in; mark those without a phone present."""
    training = training_classes.class_in_scope(db.session, g.actor, class_id)
    confirmed = [e for e in training_classes.enrolment_list(db.session, g.actor, training.id) if e.status == CONFIRMED]
    db.session.commit()  # the audit entry of the view
    return render_template(
        "console/training/class_attendance.html",
        training=training,
        tab="attendance",
        confirmed=confirmed,
        present=sum(e.checked_in_at is not None for e in confirmed),
        code=training.checkin_code if _runs_it() else None,
        in_session=training.starts_on <= today() <= training.ends_on and training.cancelled_at is None,
    )


@blueprint.get("/training/classes/<id:class_id>/code")
def training_code(class_id: int):
    """Show the check-in code alone, as large as the screen allows, for the projector at the class."""
    training = training_classes.class_in_scope(db.session, g.actor, class_id)
    code = training.checkin_code if _runs_it() else None
    return render_template("console/training/class_code.html", training=training, code=code)


@blueprint.post("/training/classes/<id:class_id>/code")
def training_code_renew(class_id: int):
    """Give the class a new check-in code, e.g. once the old one has been passed around."""
    training = training_classes.renew_checkin_code(db.session, g.actor, class_id)
    message = f"签到码已更换为 {training.checkin_code}，旧签到码作废。"
    return done(message, "console.training_attendance", class_id=class_id)


@blueprint.post("/training/enrolments/<id:enrolment_id>/check-in")
def training_check_in(enrolment_id: int):
    """Mark an enrolled worker present, for one who cannot use the code."""
    enrolment = training_classes.check_in_for(db.session, g.actor, enrolment_id)
    name = enrolment.worker.name
    return done(f"已为{name}签到。", "console.training_attendance", class_id=enrolment.class_id)


@blueprint.get("/training/classes/<id:class_id>/certificates")
def training_certificates(class_id: int):
    """List the certificates of attendance, with a button to issue them once the class is over."""
    training = training_classes.class_in_scope(db.session, g.actor, class_id)
    rows = certificate_rows(training_classes.certificates(db.session, g.actor, class_id))
    return render_template(
        "console/training/class_certificates.html",
        training=training,
        tab="certificates",
        rows=rows,
        finished=training.ends_on <= today() and training.cancelled_at is None,
    )


@blueprint.post("/training/classes/<id:class_id>/certificates")
def training_certificates_issue(class_id: int):
    """Number a certificate for every attendee who has none yet."""
    before = len(training_classes.certificates(db.session, g.actor, class_id))
    issued = training_classes.issue_certificates(db.session, g.actor, class_id)
    message = f"已发放{len(issued) - before}张结业证书，共{len(issued)}张。"
    return done(message, "console.training_certificates", class_id=class_id)


@blueprint.get("/training/classes/<id:class_id>/certificates.xlsx")
def training_certificates_export(class_id: int):
    """Download the certificates of attendance as an Excel workbook."""
    training = training_classes.class_in_scope(db.session, g.actor, class_id)
    rows = certificate_rows(training_classes.certificates(db.session, g.actor, class_id))
    return xlsx(certificate_workbook(training, rows), f"training-{class_id}-certificates.xlsx")


@blueprint.get("/training/classes/<id:class_id>/ratings")
def training_ratings(class_id: int):
    """Summarise what attendees thought of the class: average, distribution, comments without names (audited)."""
    found = training_classes.ratings(db.session, g.actor, class_id)
    db.session.commit()
    return render_template(
        "console/training/class_ratings.html",
        training=found.training_class,
        tab="ratings",
        found=found,
        most=max(found.distribution.values(), default=0),
    )
