"""Console pages: the grievance queue of the official's scope, a case with its history, its documents to download."""

from __future__ import annotations

from io import BytesIO

from flask import g, render_template, request, send_file
from pydantic import ConfigDict

from models import grievance_cases as cases
from models import grievance_deadlines as deadlines
from models import grievance_documents as documents
from models.base import LOCAL_TZ, today
from models.documents import FontMissing
from models.documents.laws import CATEGORIES as LAWS
from models.errors import Invalid
from models.grievances import CATEGORIES, CHANNELS, DEPARTMENTS, DOCUMENT_LABELS, STATUS_LABELS
from models.notifications import CUSTOMER_SERVICE, DELIVERED, INBOX, SUBSCRIBE, Notification

from ..admin.grievance_schemas import VisitIn
from ..extensions import db
from . import blueprint
from .web import done, form

OPEN, ALL = "open", "all"
STATES = ((OPEN, "未办结"), *STATUS_LABELS.items(), (ALL, "全部"))
VISIT_CHANNELS = {"walk_in": CHANNELS["walk_in"], "phone": CHANNELS["phone"]}
VISIT_LABELS = {
    "name": "职工姓名",
    "phone": "手机号码",
    "channel": "来源",
    "category": "问题类别",
    "employer": "用人单位",
    "facts": "反映的问题",
    "workers_count": "涉及人数",
    "amount_owed": "涉及金额",
    "address": "单位地址",
    "township": "乡镇",
    "county": "县区",
    "industry": "行业",
}
REASONS = {"no_answer": "意见书逾期未获答复", "mediation_failed": "调解不成"}
CHANNEL_LABELS = {SUBSCRIBE: "订阅消息", CUSTOMER_SERVICE: "客服消息", INBOX: "小程序消息中心"}


def delivery_label(notification: Notification | None) -> str:
    """How far an official's message got: waiting for the sender, or by which channel it reached the worker."""
    if notification is None:
        return "未发送"
    if notification.status != DELIVERED:
        return "等待发送"
    if notification.channel == INBOX:
        return "已存入职工的小程序消息中心（未能即时推送）"
    return f"已送达（{CHANNEL_LABELS.get(notification.channel, notification.channel)}）"


class VisitForm(VisitIn):
    """The walk-in form: the API's body, read from text fields."""

    model_config = ConfigDict(strict=False)


@blueprint.get("/grievances")
def grievances():
    """The queue: the scope's cases by deadline, overdue first; by state (open by default), category, search."""
    state = request.args.get("status") or OPEN
    category = request.args.get("category") or None
    search = (request.args.get("q") or "").strip()[:50]
    if state not in dict(STATES):
        raise Invalid("未知的案件状态")
    rows = cases.list_cases(
        db.session,
        g.actor,
        status=None if state in (OPEN, ALL) else state,
        category=category,
        search=search or None,
        open_only=state == OPEN,
    )
    db.session.commit()  # the listing is audited
    return render_template(
        "console/grievances/queue.html",
        cases=rows,
        overdue={c.id for c in rows if cases.is_overdue(c)},
        state=state,
        states=STATES,
        category=category,
        search=search,
        categories=CATEGORIES,
        channels=VISIT_CHANNELS,
    )


@blueprint.post("/grievances")
def record_grievance_visit():
    """Record a worker's walk-in or phone call: routed at once, with its number and the reason."""
    body = form(VisitForm, VISIT_LABELS)
    case = cases.record_visit(
        db.session, g.actor, name=body.name, phone=body.phone, channel=body.channel, complaint=body.to_domain()
    )
    message = f"已登记，案件编号 {case.number}，由{case.union.name}受理（{case.routing_reason}）。"
    if g.actor.sees(case.union_id):
        return done(message, "console.grievance_case", case_id=case.id)
    return done(message, "console.grievances")  # routed to a union outside this official's scope


@blueprint.get("/grievances/<id:case_id>")
def grievance_case(case_id: int):
    """A case: facts, routing, history, attachments, documents, the steps its state allows, the worker's messages."""
    case = cases.view_case(db.session, g.actor, case_id)
    allowed = cases.actions_allowed(case)
    law = LAWS[case.category]
    opinion_due = deadlines.due(db.session, deadlines.OPINION).astimezone(LOCAL_TZ).date()
    page = render_template(
        "console/grievances/case.html",
        case=case,
        collective=cases.collective_size(db.session, case),
        overdue=cases.is_overdue(case),
        allowed=allowed,
        handlers=cases.handlers_for(db.session, g.actor, case) if allowed & {"accept", "assign"} else [],
        messages=cases.conversation(db.session, case),
        names=cases.authors(db.session, case),
        opinion_defaults={"laws": "\n".join(law.laws), "requests": "\n".join(law.asks), "answer_by": opinion_due},
        channels=CHANNELS,
        statuses=STATUS_LABELS,
        departments=DEPARTMENTS,
        reasons=REASONS,
        document_labels=DOCUMENT_LABELS,
        delivery_label=delivery_label,
        today=today().isoformat(),
    )
    db.session.commit()  # the audit entry of the view
    return page


@blueprint.get("/grievances/documents/<id:document_id>.<any(pdf, docx):fmt>")
def grievance_document(document_id: int, fmt: str):
    """A document of a case in scope as PDF or Word (audited as an export); without a CJK font, say to take Word."""
    try:
        document, mimetype, data = documents.render(db.session, g.actor, document_id, fmt)
    except FontMissing as missing:
        db.session.rollback()
        return render_template("console/error.html", message=missing.message), 503
    db.session.commit()
    name = f"{DOCUMENT_LABELS[document.kind]}{document.number}.{fmt}"
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"  # it names the worker
    return response


from . import grievance_actions  # noqa: E402,F401  (the case's steps register their routes on import)
