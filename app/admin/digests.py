"""The 手机报 for officials: compose an issue in five sections, approve, schedule, withdraw, preview."""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy import select

from models import digest_issues as issues
from models.digests import STATUS_LABELS
from models.errors import Invalid
from models.officials import Official
from models.pushes import Push

from ..digest import schedule as weekly
from ..extensions import db
from ..push.preview import preview_issue
from . import blueprint
from . import digest_serialize as out
from .context import login_required, payload
from .digest_schemas import ArticleIn, ArticlePatch, DigestIn, OrderIn, ScheduleIn, WithdrawIn


def _base() -> str:
    return current_app.config["GONGHUI"].PUBLIC_BASE_URL


def _detail(digest_id: int) -> dict:
    digest = issues.issue_in_scope(db.session, g.actor, digest_id)
    approver = db.session.get(Official, digest.approved_by) if digest.approved_by else None
    push = db.session.get(Push, digest.push_id) if digest.push_id else None
    return out.digest_detail(digest, _base(), approver, push)


@blueprint.get("/digests")
@login_required
def list_digests():
    """List the issues of the unions in scope, the newest first (?status=draft|approved|published|withdrawn)."""
    status = request.args.get("status") or None
    if status is not None and status not in STATUS_LABELS:
        raise Invalid("状态应为 draft、approved、published 或 withdrawn", field="status")
    rows = issues.list_issues(db.session, g.actor, status=status)
    ids = {d.approved_by for d in rows if d.approved_by}
    approvers = {o.id: o for o in db.session.scalars(select(Official).where(Official.id.in_(ids)))} if ids else {}
    listed = [out.digest(d, _base(), approvers.get(d.approved_by)) for d in rows]
    return {"digests": listed, "schedule": weekly().label}


@blueprint.post("/digests")
@login_required
def create_digest():
    """Start the next issue (number and title follow), due at the weekly publishing time of its date's week."""
    fields = payload(DigestIn).model_dump()
    digest = issues.create_issue(db.session, g.actor, schedule=weekly(), **fields)
    db.session.commit()
    return _detail(digest.id), 201


@blueprint.get("/digests/<id:digest_id>")
@login_required
def digest_detail(digest_id: int):
    """An issue with its five sections and, once sent, its push's progress."""
    return _detail(digest_id)


@blueprint.post("/digests/<id:digest_id>/articles")
@login_required
def add_article(digest_id: int):
    """Add an article to a section (an approved issue goes back to draft)."""
    article = issues.add_article(db.session, g.actor, digest_id, **payload(ArticleIn).model_dump())
    db.session.commit()
    return {"article": out.article(article), "digest": _detail(digest_id)}, 201


@blueprint.patch("/digests/<id:digest_id>/articles/<id:article_id>")
@login_required
def update_article(digest_id: int, article_id: int):
    """Change an article, or move it with section and position."""
    fields = payload(ArticlePatch).model_dump(exclude_unset=True)
    article = issues.update_article(db.session, g.actor, digest_id, article_id, **fields)
    db.session.commit()
    return {"article": out.article(article), "digest": _detail(digest_id)}


@blueprint.delete("/digests/<id:digest_id>/articles/<id:article_id>")
@login_required
def remove_article(digest_id: int, article_id: int):
    """Take an article out of an issue."""
    issues.remove_article(db.session, g.actor, digest_id, article_id)
    db.session.commit()
    return _detail(digest_id)


@blueprint.put("/digests/<id:digest_id>/sections/<section>/order")
@login_required
def reorder_section(digest_id: int, section: str):
    """Put a section's articles in a new order: every one of them, once."""
    issues.reorder_section(db.session, g.actor, digest_id, section, payload(OrderIn).article_ids)
    db.session.commit()
    return _detail(digest_id)


@blueprint.post("/digests/<id:digest_id>/approve")
@login_required
def approve_digest(digest_id: int):
    """Approve the issue as it stands (审核); it goes out at its publishing time."""
    issues.approve(db.session, g.actor, digest_id)
    db.session.commit()
    return _detail(digest_id)


@blueprint.post("/digests/<id:digest_id>/schedule")
@login_required
def schedule_digest(digest_id: int):
    """Set when the issue goes out (with a time zone: 2026-11-27T18:00:00+08:00)."""
    issues.schedule(db.session, g.actor, digest_id, payload(ScheduleIn).publish_at)
    db.session.commit()
    return _detail(digest_id)


@blueprint.post("/digests/<id:digest_id>/withdraw")
@login_required
def withdraw_digest(digest_id: int):
    """Withdraw the issue: not sent if not yet out, taken off the web if it is."""
    issues.withdraw(db.session, g.actor, digest_id, payload(WithdrawIn).reason)
    db.session.commit()
    return _detail(digest_id)


@blueprint.post("/digests/<id:digest_id>/reopen")
@login_required
def reopen_digest(digest_id: int):
    """Make a withdrawn issue that never went out a draft again."""
    issues.reopen(db.session, g.actor, digest_id)
    db.session.commit()
    return _detail(digest_id)


@blueprint.post("/digests/<id:digest_id>/preview")
@login_required
def preview_digest(digest_id: int):
    """Send the issue's card to the official's own WeChat, as workers will get it."""
    digest = preview_issue(db.session, g.actor, digest_id, _base())
    return {"sent": True, "digest_id": digest.id, "title": digest.title}
