"""Request helpers shared by the admin API and the mini-program API."""

from __future__ import annotations

from typing import TypeVar

from flask import abort, request
from pydantic import BaseModel

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
