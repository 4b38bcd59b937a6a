"""Console pages: the 手机报 — issues in five sections, approval, schedule, previews on a phone and in WeChat."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, g, render_template, request, url_for

from models import digest_issues as issues
from models.base import LOCAL_TZ, as_utc
from models.digests import APPROVED, DRAFT, PUBLISHED, STATUS_LABELS, WITHDRAWN
from models.errors import Invalid
from models.officials import Official
from models.pushes import PUSH_STATUS_LABELS, Push
from models.unions import UnionKind

from ..digest import issue_context
from ..digest import schedule as weekly
from ..extensions import db
from ..push.preview import preview_issue
from . import blueprint
from .my_wechat import previews
from .web import done

STATUSES = ((None, "全部"), (DRAFT, "编辑中"), (APPROVED, "待发布"), (PUBLISHED, "已发布"), (WITHDRAWN, "已撤回"))
BADGES = {DRAFT: "warn", APPROVED: "", PUBLISHED: "ok", WITHDRAWN: "bad"}


@blueprint.get("/digests")
def digests():
    """List the issues of the official's scope, newest first, with the form to start the next one."""
    status = request.args.get("status") or None
    if status not in dict(STATUSES):
        raise Invalid("未知的状态")
    rows = issues.list_issues(db.session, g.actor, status=status)
    return render_template(
        "console/digests/list.html",
        digests=rows,
        status=status,
        statuses=STATUSES,
        labels=STATUS_LABELS,
        badges=BADGES,
        every=weekly().label,
        publishes=g.actor.official.union.kind == UnionKind.CITY,
    )


@blueprint.post("/digests")
def create_digest():
    """Start the next issue, due at the weekly publishing time of the chosen date's week."""
    text = request.form.get("issue_date", "").strip()
    digest = issues.create_issue(db.session, g.actor, issue_date=_day(text) if text else None, schedule=weekly())
    return done(f"已新建第{digest.number}期，请添加文章。", "console.digest_page", digest_id=digest.id)


@blueprint.get("/digests/<id:digest_id>")
def digest_page(digest_id: int):
    """Show an issue: its five sections and articles, its state, and what can be done with it now."""
    digest = issues.issue_in_scope(db.session, g.actor, digest_id)
    approver = db.session.get(Official, digest.approved_by) if digest.approved_by else None
    push = db.session.get(Push, digest.push_id) if digest.push_id else None
    return render_template(
        "console/digests/issue.html",
        digest=digest,
        sections=issues.sections(digest),
        labels=STATUS_LABELS,
        badges=BADGES,
        approver=approver,
        push=push,
        push_labels=PUSH_STATUS_LABELS,
        editable=digest.status in (DRAFT, APPROVED),
        every=weekly().label,
        publish_at=_local_input(digest.publish_at or weekly().slot(digest.issue_date)),
        bound=bool(g.actor.official.wechat_openid),
    )


@blueprint.get("/digests/<id:digest_id>/phone")
def digest_phone(digest_id: int):
    """Show the issue in a phone-sized frame, as readers will see it once it is out."""
    digest = issues.issue_in_scope(db.session, g.actor, digest_id)
    return render_template("console/digests/phone.html", digest=digest, labels=STATUS_LABELS)


@blueprint.get("/digests/<id:digest_id>/phone/page")
def digest_phone_page(digest_id: int):
    """The issue's reader page, drafts too, for the phone frame (officials of its scope only)."""
    digest = issues.issue_in_scope(db.session, g.actor, digest_id)
    note = "已发布" if digest.status == PUBLISHED else f"{STATUS_LABELS[digest.status]}，读者还看不到"
    return render_template(
        "digest/issue.html",
        css_url=url_for("digest.static", filename="digest.css"),
        preview=note,
        **issue_context(digest),
    )


@blueprint.post("/digests/<id:digest_id>/approve")
def approve_digest(digest_id: int):
    """Approve the issue as it stands (审核): it goes out at its publishing time."""
    digest = issues.approve(db.session, g.actor, digest_id)
    when = _local_text(digest.publish_at)
    return done(f"第{digest.number}期已审核通过，将于{when}发布。", "console.digest_page", digest_id=digest_id)


@blueprint.post("/digests/<id:digest_id>/schedule")
def schedule_digest(digest_id: int):
    """Set when the issue goes out (China time)."""
    moment = _moment(request.form.get("publish_at", ""))
    digest = issues.schedule(db.session, g.actor, digest_id, moment)
    when = _local_text(digest.publish_at)
    return done(f"第{digest.number}期的发布时间已改为{when}。", "console.digest_page", digest_id=digest_id)


@blueprint.post("/digests/<id:digest_id>/withdraw")
def withdraw_digest(digest_id: int):
    """Withdraw the issue: not sent if it is not out yet, taken off the web if it is."""
    digest = issues.withdraw(db.session, g.actor, digest_id, request.form.get("reason", ""))
    return done(f"第{digest.number}期已撤回。", "console.digest_page", digest_id=digest_id)


@blueprint.post("/digests/<id:digest_id>/reopen")
def reopen_digest(digest_id: int):
    """Make a withdrawn issue that never went out a draft again."""
    digest = issues.reopen(db.session, g.actor, digest_id)
    return done(f"第{digest.number}期已恢复为草稿。", "console.digest_page", digest_id=digest_id)


@blueprint.post("/digests/<id:digest_id>/send-preview")
def send_digest_preview(digest_id: int):
    """Send the issue's card to the official's own WeChat, as workers will get it."""
    with previews():
        digest = preview_issue(db.session, g.actor, digest_id, current_app.config["GONGHUI"].PUBLIC_BASE_URL)
    return done(f"第{digest.number}期的预览已发送到您的微信。", "console.digest_page", digest_id=digest_id)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise Invalid("出版日期应为日期，如 2026-11-27") from error


def _moment(text: str) -> datetime:
    """Read a datetime-local field (China time) as an aware time."""
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=LOCAL_TZ)
    except ValueError as error:
        raise Invalid("发布时间应为日期和时间，如 2026-11-27 18:00") from error


def _local_input(moment: datetime) -> str:
    return as_utc(moment).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def _local_text(moment: datetime) -> str:
    return as_utc(moment).astimezone(LOCAL_TZ).strftime("%m月%d日 %H:%M")


from . import digest_articles, digest_suggestions  # noqa: E402  (their pages register on the blueprint)

__all__ = ["digest_articles", "digest_suggestions"]
