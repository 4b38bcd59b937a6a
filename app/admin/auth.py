"""Logging in and out of the admin API, by bearer token or session cookie."""

from __future__ import annotations

from flask import current_app, g, request, session

from models import audit
from models.base import as_utc
from models.errors import AccountLocked, AuthFailed
from models.officials import authenticate, issue_token, revoke_token

from ..extensions import db
from . import blueprint, serialize
from .context import bearer_token, login_required, payload
from .schemas import LoginIn


@blueprint.post("/login")
def login():
    """Check a username and password; answer a bearer token and set the session cookie."""
    body = payload(LoginIn)
    try:
        official = authenticate(db.session, body.username, body.password)
    except (AuthFailed, AccountLocked):
        audit.record(
            db.session, actor=body.username, action="login_failed", object_type="official", ip=request.remote_addr
        )
        db.session.commit()  # keep the failure count and the audit entry
        raise
    token, row = issue_token(db.session, official, current_app.config["API_TOKEN_HOURS"])
    audit.record(
        db.session,
        actor=official,
        action="login",
        object_type="official",
        object_id=official.id,
        ip=request.remote_addr,
    )
    db.session.commit()
    session.clear()
    session["official_id"] = official.id
    return {"token": token, "expires_at": as_utc(row.expires_at).isoformat(), "official": serialize.official(official)}


@blueprint.post("/logout")
@login_required
def logout():
    """Revoke the bearer token and clear the session cookie."""
    token = bearer_token()
    if token:
        revoke_token(db.session, token)
    audit.record(
        db.session, actor=g.actor, action="logout", object_type="official", object_id=g.actor.id, ip=g.actor.ip
    )
    db.session.commit()
    session.clear()
    return {"ok": True}


@blueprint.get("/me")
@login_required
def me():
    """Describe the logged-in official and the unions in their scope."""
    return {**serialize.official(g.actor.official), "scope_union_ids": sorted(g.actor.union_ids)}
