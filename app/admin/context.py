"""Who is calling the admin API, and parsing of request bodies."""

from __future__ import annotations

from functools import wraps

from flask import g, request, session

from models.access import Actor
from models.errors import AuthFailed, Invalid
from models.officials import Official, official_for_token

from ..extensions import db
from ..http import bearer_token, payload, require_json  # noqa: F401  (re-exported for the views)
from .schemas import MAX_ID


def _official() -> Official:
    token = bearer_token()
    if token:
        return official_for_token(db.session, token)
    official_id = session.get("official_id")
    official = db.session.get(Official, official_id) if official_id else None
    if official is None or not official.active:
        raise AuthFailed("请先登录")
    require_json()  # a cookie rides along on cross-site form posts; JSON bodies cannot be sent that way
    return official


def login_required(view):
    """Resolve the calling official into g.actor, or answer 401."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.actor = Actor.of(db.session, _official(), ip=request.remote_addr)
        return view(*args, **kwargs)

    return wrapper


def query_int(name: str, default: int | None = None, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """Read an integer query argument within bounds, or answer 400."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Invalid(f"参数 {name} 应为 {low} 到 {high} 之间的整数", field=name)
    return int(raw)
