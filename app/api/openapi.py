"""The OpenAPI 3.1 document of every view declared with endpoints.endpoint(), built from the app's routes."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from pydantic.json_schema import models_json_schema
from werkzeug.routing import Rule

from ..admin.schemas import MAX_ID
from .context import UNSAFE
from .endpoints import Operation
from .schemas import Empty, ErrorDocument

ERRORS = {
    400: "Malformed or invalid request",
    401: "Missing, invalid, expired or revoked token",
    403: "Not allowed",
    404: "No such record",
    409: "Clashes with existing data",
    413: "Body too large",
    415: "The body is not JSON",
    429: "Too many requests",
    503: "WeChat or a backing service is unavailable; try again later",
}
_ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_PATH_TYPES = {"id": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "int": {"type": "integer", "minimum": 0}}


def openapi_path(rule: str) -> str:
    """Write a Flask rule as an OpenAPI path: /programs/<id:program_id> → /programs/{program_id}."""
    return _ARG.sub(r"{\2}", rule)


def methods(rule: Rule) -> list[str]:
    """Return the methods a rule answers, as OpenAPI names them."""
    return sorted(m.lower() for m in (rule.methods or set()) - {"HEAD", "OPTIONS"})


def documented_rules(app: Flask) -> list[tuple[Rule, Operation]]:
    """Return the URL rules whose views were declared with endpoint(), in path order."""
    found = [(rule, getattr(app.view_functions[rule.endpoint], "openapi", None)) for rule in app.url_map.iter_rules()]
    return sorted(((rule, op) for rule, op in found if op is not None), key=lambda pair: pair[0].rule)


def _error(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/ErrorDocument"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _parameters(rule: Rule, op: Operation, refs: dict, defs: dict) -> list[dict[str, Any]]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _PATH_TYPES.get(converter, {"type": "string"})}
        for converter, name in _ARG.findall(rule.rule)
    ]
    if op.query is not None:
        schema = defs[refs[op.query, "validation"]["$ref"].rsplit("/", 1)[1]]
        required = set(schema.get("required", ()))
        for name, field in schema.get("properties", {}).items():
            parameters.append({"name": name, "in": "query", "required": name in required, "schema": field})
    return parameters


def _operation(rule: Rule, method: str, op: Operation, refs: dict, defs: dict) -> dict[str, Any]:
    statuses = set(op.errors) | ({401} if op.auth else set())
    document: dict[str, Any] = {
        "operationId": rule.endpoint.replace(".", "_") + ("" if len(methods(rule)) == 1 else f"_{method}"),
        "summary": op.summary,
        "tags": [op.tag],
        "security": [{"bearer": []}] if op.auth else [],
    }
    if parameters := _parameters(rule, op, refs, defs):
        document["parameters"] = parameters
        statuses |= {404} if rule.arguments else set()  # an id out of range or unknown is 404
        statuses |= {400} if op.query else set()
    if method.upper() in UNSAFE:
        content = {"application/json": {"schema": refs[op.body or Empty, "validation"]}}
        document["requestBody"] = {"required": op.body is not None, "content": content}
        statuses |= {400, 413, 415}
    if op.response is None:
        ok: dict[str, Any] = {"description": "Done, nothing to answer"}
    else:
        ok = {"description": "OK", "content": {"application/json": {"schema": refs[op.response, "serialization"]}}}
    errors = {str(s): _error(ERRORS.get(s, "Error")) for s in sorted(statuses)}
    document["responses"] = {str(op.status): ok, **errors, "default": _error("Any other error")}
    return document


def build_document(app: Flask) -> dict[str, Any]:
    """Build the OpenAPI 3.1 document of every view declared with endpoint()."""
    rules = documented_rules(app)
    wanted = {(ErrorDocument, "serialization"), (Empty, "validation")}
    for _, op in rules:
        wanted |= {(model, "validation") for model in (op.body, op.query) if model is not None}
        wanted |= {(op.response, "serialization")} if op.response is not None else set()
    # One call for all models, so that a model used by several endpoints is one shared component.
    refs, definitions = models_json_schema(
        sorted(wanted, key=lambda pair: (pair[0].__name__, pair[1])), ref_template="#/components/schemas/{model}"
    )
    defs = definitions.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for rule, op in rules:
        for method in methods(rule):
            paths.setdefault(openapi_path(rule.rule), {})[method] = _operation(rule, method, op, refs, defs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "工会 Gonghui mini-program API", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "the token of POST /api/login"}
            },
        },
        "security": [{"bearer": []}],
    }
