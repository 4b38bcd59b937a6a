"""The 手机报 in the mini-program: the latest issues, and items for its 县区动态 sent to the worker's union."""

from __future__ import annotations

from flask import current_app, g

from models import digest_issues as issues
from models import digest_suggestions as suggestions
from models.unions import TradeUnion

from ..extensions import db
from . import blueprint
from .digest_schemas import IssueList, IssueOut, ItemIn, ItemOut
from .endpoints import endpoint
from .schemas import Ref

LATEST = 10


@blueprint.get("/digests")
@endpoint(IssueList, tag="digest")
def latest_issues() -> IssueList:
    """List the latest published issues of the worker's paper, the newest first."""
    union = issues.publisher_for(db.session, g.worker)
    if union is None:
        return IssueList(paper=None, issues=[])
    base = current_app.config["GONGHUI"].PUBLIC_BASE_URL
    rows = issues.published_issues(db.session, union.id, limit=LATEST)
    return IssueList(paper=issues.paper_name(union), issues=[IssueOut.of(d, base) for d in rows])


@blueprint.post("/digest/suggestions")
@endpoint(ItemOut, body=ItemIn, status=201, errors=(409,), tag="digest")
def suggest_item(body: ItemIn) -> ItemOut:
    """Send an item for 县区动态 to the worker's union (three a day at most; more is 409)."""
    item = suggestions.submit(db.session, worker=g.worker, title=body.title, body=body.body)
    union = db.session.get(TradeUnion, item.union_id)
    return ItemOut.of(item, Ref(id=union.id, name=union.name))
