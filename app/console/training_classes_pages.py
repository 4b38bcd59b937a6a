"""Console pages: training classes (上菜) — the list, scheduling a class from a topic, quotas, the list, calling off."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Response, g, render_template, request

from models import training_classes, training_enrolments, training_menu
from models.base import today
from models.errors import DomainError
from models.organisation import list_enterprises
from models.training import STATUS_LABELS

from ..admin.training_rosters import XLSX, enrolment_rows, enrolment_workbook
from ..extensions import db
from . import blueprint
from .training_forms import CLASS_LABELS, CancelForm, ClassForm, QuotaForm, lines, local_moment, number, refill
from .web import FormInvalid, done, form


@blueprint.get("/training/classes")
def training_classes_page():
    """List the classes of the unions in scope, the latest first, with their places and counts."""
    rows = training_classes.list_classes(db.session, g.actor)
    return render_template("console/training/classes.html", rows=rows, today=today())


@blueprint.get("/training/classes/new")
def training_class_new():
    """Show the form to open a class of a topic (?topic_id= picks it)."""
    return _new_form()


def _new_form() -> str:
    topics = [t for t in training_menu.list_topics(db.session, g.actor) if t.active]
    picked = request.form.get("topic_id") or request.args.get("topic_id", "")
    starts = today() + timedelta(days=21)
    defaults = {
        "topic_id": picked,
        "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(days=2)).isoformat(),
        "registration_closes": datetime.combine(starts - timedelta(days=7), time(18)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "100",
    }
    return render_template("console/training/class_new.html", topics=topics, values=request.form or defaults)


@blueprint.post("/training/classes/new")
def training_class_create():
    """Open the class; experts and hours left blank are the topic's."""
    try:
        closes = local_moment("registration_closes", "报名截止时间")
        extra = {"experts": lines("experts") or None, "registration_closes": closes}
        body = form(ClassForm, CLASS_LABELS, **{k: v for k, v in extra.items() if v is not None})
        training = training_classes.schedule_class(db.session, g.actor, **body.model_dump(exclude_none=True))
    except DomainError as error:
        return refill(error, _new_form)
    return done(f"已开班：{training.title}。请为企业分配名额。", "console.training_class", class_id=training.id)


@blueprint.get("/training/classes/<id:class_id>")
def training_class(class_id: int):
    """Show a class: its places, the enterprises' quotas, and the enrolment list (an audited view)."""
    training = training_classes.class_in_scope(db.session, g.actor, class_id)
    enrolments = training_classes.enrolment_list(db.session, g.actor, training.id)
    db.session.commit()  # the audit entry of the view
    counts = training_classes.counts_by_class(db.session, [training.id]).get(training.id, {})
    industry = training.topic.industry
    enterprises = [e for e in list_enterprises(db.session, g.actor) if not industry or e.industry == industry]
    return render_template(
        "console/training/class.html",
        training=training,
        tab="list",
        counts=counts,
        rows=enrolment_rows(enrolments),
        enterprises=enterprises,
        statuses=STATUS_LABELS,
        masked={e.id: e.worker.masked_phone for e in enrolments},
        started=training.starts_on <= today(),
        today=today(),
    )


@blueprint.post("/training/classes/<id:class_id>/quotas")
def training_quota(class_id: int):
    """Reserve places of the class for an enterprise (0 frees what it has not used)."""
    enterprise_id = number("enterprise_id", "企业")
    if enterprise_id is None:
        raise FormInvalid("请选择企业")
    seats = form(QuotaForm, {"seats": "名额"}).seats
    quota = training_classes.set_quota(db.session, g.actor, class_id, enterprise_id=enterprise_id, seats=seats)
    message = f"{quota.enterprise.name}的名额已设为{quota.seats}个（已报名{quota.used}人）。"
    return done(message, "console.training_class", class_id=class_id)


@blueprint.post("/training/classes/<id:class_id>/cancel")
def training_class_cancel(class_id: int):
    """Call off the class and tell everyone enrolled why."""
    reason = form(CancelForm, {"reason": "取消原因"}).reason
    told = training_enrolments.cancel_class(db.session, g.actor, class_id, reason=reason)
    return done(f"培训班已取消，已通知{told}位学员。", "console.training_class", class_id=class_id)


@blueprint.get("/training/classes/<id:class_id>/enrolments.xlsx")
def training_class_export(class_id: int):
    """Download the enrolment list with phones as an Excel workbook (an audited export)."""
    training = training_classes.class_in_scope(db.session, g.actor, class_id)
    rows = enrolment_rows(training_classes.enrolment_list(db.session, g.actor, class_id, export=True))
    db.session.commit()
    return xlsx(enrolment_workbook(training, rows), f"training-{class_id}-enrolments.xlsx")


def xlsx(workbook: bytes, filename: str) -> Response:
    """Answer a workbook as a download."""
    return Response(workbook, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={filename}"})
