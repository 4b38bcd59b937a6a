"""Workers' items for the 手机报's 县区动态, for officials: list, take into an issue, decline."""

from __future__ import annotations

from flask import g, request

from models import digest_suggestions as suggestions
from models.digests import Suggestion
from models.officials import Official
from models.unions import TradeUnion
from models.workers import Worker

from ..extensions import db
from . import blueprint
from . import digest_serialize as out
from .context import login_required, payload
from .digest_schemas import AcceptIn, DeclineIn


def _suggestion(row: Suggestion) -> dict:
    reviewer = db.session.get(Official, row.reviewed_by) if row.reviewed_by else None
    return out.suggestion(
        row, db.session.get(Worker, row.worker_id), db.session.get(TradeUnion, row.union_id), reviewer
    )


@blueprint.get("/digests/suggestions")
@login_required
def list_suggestions():
    """Workers' items for 县区动态 sent to the unions in scope (?status=pending|accepted|declined)."""
    rows = suggestions.list_suggestions(db.session, g.actor, status=request.args.get("status") or None)
    return {"suggestions": [_suggestion(s) for s in rows]}


@blueprint.post("/digests/suggestions/<id:suggestion_id>/accept")
@login_required
def accept_suggestion(suggestion_id: int):
    """Take a worker's item into an issue's 县区动态 (edited if need be); the worker is told."""
    fields = payload(AcceptIn).model_dump()
    article = suggestions.accept(db.session, g.actor, suggestion_id, **fields)
    db.session.commit()
    suggestion = db.session.get(Suggestion, suggestion_id)
    return {"suggestion": _suggestion(suggestion), "article": out.article(article)}


@blueprint.post("/digests/suggestions/<id:suggestion_id>/decline")
@login_required
def decline_suggestion(suggestion_id: int):
    """Decline a worker's item, saying why if you wish; the worker is told."""
    suggestion = suggestions.decline(db.session, g.actor, suggestion_id, reason=payload(DeclineIn).reason)
    db.session.commit()
    return _suggestion(suggestion)
