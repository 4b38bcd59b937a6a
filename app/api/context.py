"""Who is calling the mini-program API, and parsing of request bodies and query strings."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from pydantic import BaseModel

from models.errors import AuthFailed
from models.worker_sessions import worker_for_token

from ..extensions import db
from ..http import UNSAFE, M, bearer_token, payload, require_json  # noqa: F401  (re-exported for the views)


def worker_required(view):
    """Resolve the bearer token into g.worker (and keep it as g.token), or answer 401."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = bearer_token()
        if token is None:
            raise AuthFailed("请先登录")
        g.worker, g.token = worker_for_token(db.session, token), token
        require_json()
        return view(*args, **kwargs)

    return wrapper


def no_payload(model: type[BaseModel]) -> None:
    """Accept an empty body or an empty JSON object, nothing else."""
    require_json()
    if request.get_data():
        model.model_validate_json(request.get_data())


def parse_query(model: type[M]) -> M:
    """Parse the query string into a pydantic model; a repeated argument arrives as a list."""
    args = {}
    for name, values in request.args.lists():
        args[name] = values[0] if len(values) == 1 else values
    return model.model_validate(args)
