"""The union tree and enterprises, as the official's scope allows."""

from __future__ import annotations

from flask import g, request

from models import organisation
from models.unions import union_for_place

from ..extensions import db
from . import blueprint, serialize
from .context import login_required, payload
from .schemas import EnterpriseIn, UnionIn


@blueprint.get("/unions")
@login_required
def list_unions():
    """List the official's union and the unions below it."""
    return {"unions": [serialize.union(u) for u in organisation.list_unions(db.session, g.actor)]}


@blueprint.get("/unions/<id:union_id>")
@login_required
def get_union(union_id: int):
    """Show a union with the chain above it and the unions right below it."""
    union, chain = organisation.view_union(db.session, g.actor, union_id)
    return {
        **serialize.union(union),
        "ancestors": [serialize.union_ref(u) for u in chain],
        "children": [serialize.union_ref(u) for u in union.children],
    }


@blueprint.post("/unions")
@login_required
def create_union():
    """Found a union below one in scope (admins)."""
    union = organisation.add_union(db.session, g.actor, **payload(UnionIn).model_dump())
    db.session.commit()
    return serialize.union(union), 201


@blueprint.get("/unions/match")
@login_required
def match_place():
    """Tell which union is responsible for a place (township, county or a free-text address)."""
    args = {k: request.args.get(k) or None for k in ("township", "county", "address")}
    match = union_for_place(db.session, **args)
    return {"union": serialize.union_ref(match.union), "reason": match.reason}


@blueprint.get("/enterprises")
@login_required
def list_enterprises():
    """List the enterprises in scope."""
    return {"enterprises": [serialize.enterprise(e) for e in organisation.list_enterprises(db.session, g.actor)]}


@blueprint.get("/enterprises/<id:enterprise_id>")
@login_required
def get_enterprise(enterprise_id: int):
    """Show an enterprise in scope."""
    return serialize.enterprise(organisation.view_enterprise(db.session, g.actor, enterprise_id))


@blueprint.post("/enterprises")
@login_required
def create_enterprise():
    """Record an enterprise in scope; its local union is found from its place."""
    enterprise = organisation.add_enterprise(db.session, g.actor, **payload(EnterpriseIn).model_dump())
    db.session.commit()
    return serialize.enterprise(enterprise), 201
