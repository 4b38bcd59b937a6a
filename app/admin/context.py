"""Who is calling the admin API, and parsing of request bodies."""

from __future__ import annotations

from functools import wraps
from typing import TypeVar

from flask import abort, g, request, session
from pydantic import BaseModel

from models.access import Actor
from models.errors import AuthFailed
from models.officials import Official, official_for_token

from ..extensions import db

M = TypeVar("M", bound=BaseModel)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def bearer_token() -> str | None:
    """Return the token of an 'Authorization: Bearer …' header."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _official() -> Official:
    token = bearer_token()
    if token:
        return official_for_token(db.session, token)
    official_id = session.get("official_id")
    official = db.session.get(Official, official_id) if official_id else None
    if official is None or not official.active:
        raise AuthFailed("请先登录")
    # A cookie rides along on cross-site form posts; JSON bodies cannot be sent that way without CORS.
    if request.method in UNSAFE and not request.is_json:
        abort(415)
    return official


def login_required(view):
    """Resolve the calling official into g.actor, or answer 401."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.actor = Actor.of(db.session, _official(), ip=request.remote_addr)
        return view(*args, **kwargs)

    return wrapper


def payload(model: type[M]) -> M:
    """Parse the JSON body into a pydantic model (errors become 400 invalid_payload)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(415 if not request.is_json else 400)
    return model.model_validate(body)
