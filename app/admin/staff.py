"""Officials' accounts and the audit log (admins)."""

from __future__ import annotations

from flask import g

from models import staff

from ..extensions import db
from . import blueprint, serialize
from .context import login_required, payload, query_int
from .schemas import OfficialIn


@blueprint.get("/officials")
@login_required
def list_officials():
    """List the officials in the admin's scope."""
    return {"officials": [serialize.official(o) for o in staff.list_officials(db.session, g.actor)]}


@blueprint.post("/officials")
@login_required
def create_official():
    """Open an account for an official in the admin's scope."""
    official = staff.add_official(db.session, g.actor, **payload(OfficialIn).model_dump())
    db.session.commit()
    return serialize.official(official), 201


@blueprint.get("/audit")
@login_required
def audit_log():
    """Page through the audit log, newest first (?before=<id>)."""
    limit = query_int("limit", 100, high=500)
    rows = staff.read_audit_log(db.session, g.actor, limit=limit, before_id=query_int("before"))
    return {
        "entries": [serialize.audit_entry(r) for r in rows],
        "next_before": rows[-1].id if len(rows) == limit else None,
    }
