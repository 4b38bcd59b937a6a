"""Console pages of an enterprise's places in a class: its list (for its union and the organiser), an Excel list
sent through the same enrol_list as the admin API, taking someone off."""

from __future__ import annotations

from io import BytesIO

from flask import flash, g, redirect, render_template
from openpyxl import Workbook

from models import training_enrolments
from models.base import today
from models.enterprises import Enterprise
from models.training import ROLES, STATUS_LABELS, Enrolment, TrainingClass

from ..admin.training_rosters import enrol_workbook
from ..extensions import db
from . import blueprint
from .training_classes_pages import xlsx
from .training_forms import uploaded_file
from .web import back, done


@blueprint.get("/training/classes/<id:class_id>/enterprises/<id:enterprise_id>")
def training_enterprise_list(class_id: int, enterprise_id: int):
    """Show an enterprise's quota in a class and the people on its list (an audited view), with the upload form."""
    enrolments = training_enrolments.enterprise_list(db.session, g.actor, class_id, enterprise_id)
    db.session.commit()  # the audit entry of the view
    training = db.session.get(TrainingClass, class_id)  # both in reach: enterprise_list has checked
    quota = next((q for q in training.quotas if q.enterprise_id == enterprise_id), None)
    return render_template(
        "console/training/enterprise_list.html",
        training=training,
        quota=quota,
        enterprise=db.session.get(Enterprise, enterprise_id),
        enrolments=enrolments,
        statuses=STATUS_LABELS,
        roles=ROLES,
        organiser=g.actor.sees(training.union_id),
        started=training.starts_on <= today(),
    )


@blueprint.post("/training/classes/<id:class_id>/enterprises/<id:enterprise_id>")
def training_enterprise_upload(class_id: int, enterprise_id: int):
    """Sign up the uploaded list within the quota, all or none; a bad row is named by its row in the sheet."""
    result = enrol_workbook(db.session, g.actor, class_id, enterprise_id=enterprise_id, data=uploaded_file())
    message = f"名单已提交：新报名{len(result.enrolled)}人"
    if result.already:
        message += f"，{len(result.already)}人此前已报名"
    message += f"；{result.quota.enterprise.name}的名额还剩{result.quota.left}个。"
    return done(message, "console.training_enterprise_list", class_id=class_id, enterprise_id=enterprise_id)


@blueprint.post("/training/enrolments/<id:enrolment_id>/cancel")
def training_enrolment_cancel(enrolment_id: int):
    """Take someone off a class before it starts; the place goes back to the quota (or to the waitlist)."""
    promoted = training_enrolments.cancel_for(db.session, g.actor, enrolment_id)  # commits
    enrolment = db.session.get(Enrolment, enrolment_id)
    message = f"已取消{enrolment.worker.name}的报名。"
    if promoted is not None:
        message += f"候补的{promoted.worker.name}已递补。"
    flash(message, "success")
    return redirect(back("console.training"))  # the class page or the enterprise's list, whichever it was


@blueprint.get("/training/list-template.xlsx")
def training_list_template():
    """Download an empty list with the columns the upload reads (姓名, 手机号, 岗位)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "参训名单"
    # Lines above the header are skipped by the upload: the place for the instructions.
    sheet.append([f"参训名单：每行一人，手机号11位；岗位可不填，填写时为{'、'.join(ROLES)}之一"])
    sheet.append(["姓名", "手机号", "岗位"])
    buffer = BytesIO()
    book.save(buffer)
    return xlsx(buffer.getvalue(), "training-list-template.xlsx")
