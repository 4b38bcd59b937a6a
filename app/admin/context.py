"""Who is calling the admin API, and parsing of request bodies."""

from __future__ import annotations

from functools import wraps
from typing import TypeVar

from flask import abort, g, request, session
from pydantic import BaseModel

from models.access import Actor
from models.errors import AuthFailed, Invalid
from models.officials import Official, official_for_token

from ..extensions import db
from .schemas import MAX_ID

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
    if not request.is_json:
        abort(415)
    return model.model_validate_json(request.get_data())


def query_int(name: str, default: int | None = None, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """Read an integer query argument within bounds, or answer 400."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Invalid(f"参数 {name} 应为 {low} 到 {high} 之间的整数", field=name)
    return int(raw)
