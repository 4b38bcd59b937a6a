"""Declare an /api endpoint once: the declaration authenticates, parses, serialises and documents it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import current_app, request
from pydantic import BaseModel

from .context import UNSAFE, no_payload, parse_query, payload, worker_required
from .schemas import Empty


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about one view; kept on the view as `view.openapi`."""

    summary: str
    response: type[BaseModel] | None
    status: int
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    auth: bool
    errors: tuple[int, ...]
    tag: str


def endpoint(
    response: type[BaseModel] | None,
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    status: int | None = None,
    auth: bool = True,
    errors: tuple[int, ...] = (),
    tag: str = "worker",
):
    """Declare a view: it gets `body` and `query` parsed as keyword arguments and returns a `response`.

    `response=None` answers 204 with no body; `auth=True` (the default) needs a worker's bearer token
    and sets g.worker; `errors` lists the statuses the view itself may answer besides the usual ones.
    """

    def decorate(view):
        operation = Operation(
            summary=(view.__doc__ or view.__name__).strip().splitlines()[0],
            response=response,
            status=status or (200 if response else 204),
            body=body,
            query=query,
            auth=auth,
            errors=errors,
            tag=tag,
        )

        @wraps(view)
        def wrapper(**kwargs):
            if body is not None:
                kwargs["body"] = payload(body)
            elif request.method in UNSAFE:
                no_payload(Empty)
            if query is not None:
                kwargs["query"] = parse_query(query)
            result = view(**kwargs)
            # The answer must be what the document promises: drift is a bug (500), never silent.
            if response is None and result is None:
                return "", operation.status
            if response is None or not isinstance(result, response):
                raise TypeError(f"{view.__name__} returned {type(result).__name__}, not {operation.response}")
            return current_app.json.response(result.model_dump(mode="json")), operation.status

        guarded = worker_required(wrapper) if auth else wrapper
        guarded.openapi = operation
        return guarded

    return decorate
