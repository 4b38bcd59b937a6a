"""Request helpers shared by the admin API and the mini-program API."""

from __future__ import annotations

from typing import TypeVar

import redis
from flask import abort, request
from pydantic import BaseModel

from .extensions import redis_store

M = TypeVar("M", bound=BaseModel)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def bearer_token() -> str | None:
    """Return the token of an 'Authorization: Bearer …' header."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def require_json() -> None:
    """Answer 415 unless a request that changes something says its body is JSON."""
    # Plain HTML forms cannot send application/json cross-site, so this also shuts out form posts.
    if request.method in UNSAFE and not request.is_json:
        abort(415)


def payload(model: type[M]) -> M:
    """Parse the JSON body into a pydantic model (errors become 400 invalid_payload)."""
    if not request.is_json:
        abort(415)
    return model.model_validate_json(request.get_data())


def limit_attempts(key: str, most: int, seconds: int) -> None:
    """Answer 429 once `key` has been tried `most` times within `seconds` (guessable codes, e.g. check-in)."""
    name = f"gonghui:attempts:{key}"
    try:
        pipe = redis_store.client.pipeline()
        pipe.set(name, 0, ex=seconds, nx=True)  # the window starts with the first try (Redis 6 has no EXPIRE NX)
        pipe.incr(name)
        _, tries = pipe.execute()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        return  # the code is still checked; only the brake is off while Redis is down
    if tries > most:
        abort(429)
