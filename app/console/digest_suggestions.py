"""Console pages: workers' items for the 手机报's 县区动态 — take one into an issue, or decline it."""

from __future__ import annotations

from flask import g, render_template, request

from models import digest_issues as issues
from models import digest_suggestions as suggestions
from models.digests import ACCEPTED, APPROVED, DECLINED, DRAFT, SECTIONS
from models.errors import Invalid
from models.unions import TradeUnion
from models.workers import Worker

from ..extensions import db
from . import blueprint
from .web import done

# Tabs: pending items first (no value), then the settled ones, then all of them.
TABS = ((None, "待处理"), (ACCEPTED, "已采用"), (DECLINED, "未采用"), ("all", "全部"))
MAX_ID = 2**31 - 1


@blueprint.get("/digests/suggestions")
def digest_suggestions():
    """List the items sent to the unions in scope, pending first by default, with the issues they may go into."""
    tab = request.args.get("status") or None
    if tab not in dict(TABS):
        raise Invalid("未知的状态")
    status = {None: suggestions.PENDING, "all": None}.get(tab, tab)
    rows = suggestions.list_suggestions(db.session, g.actor, status=status)
    open_issues = [d for d in issues.list_issues(db.session, g.actor) if d.status in (DRAFT, APPROVED)]
    return render_template(
        "console/digests/suggestions.html",
        suggestions=rows,
        tab=tab,
        tabs=TABS,
        labels=suggestions.STATUS_LABELS,
        issues=open_issues,
        workers={s.worker_id: db.session.get(Worker, s.worker_id) for s in rows},
        unions={s.union_id: db.session.get(TradeUnion, s.union_id) for s in rows},
        section=SECTIONS[suggestions.SECTION],
    )


@blueprint.post("/digests/suggestions/<id:suggestion_id>/accept")
def accept_suggestion(suggestion_id: int):
    """Take the item into the chosen issue's 县区动态; the worker is told."""
    digest_id = request.form.get("digest_id", "")
    if not (digest_id.isascii() and digest_id.isdigit() and 0 < int(digest_id) <= MAX_ID):
        raise Invalid("请选择要刊登的期次")
    article = suggestions.accept(db.session, g.actor, suggestion_id, digest_id=int(digest_id))
    return done(
        f"已采用《{article.title}》，刊登在县区动态栏目。",
        "console.digest_page",
        digest_id=article.digest_id,
        _anchor=f"a{article.id}",
    )


@blueprint.post("/digests/suggestions/<id:suggestion_id>/decline")
def decline_suggestion(suggestion_id: int):
    """Decline the item, saying why if the official wishes; the worker is told."""
    suggestion = suggestions.decline(db.session, g.actor, suggestion_id, reason=request.form.get("reason", ""))
    return done(f"已回复作者：《{suggestion.title}》未采用。", "console.digest_suggestions")
