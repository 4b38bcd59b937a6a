"""GET /api/openapi.json: generated from the code, complete for every /api endpoint."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app.api import blueprint
from app.api.endpoints import endpoint
from app.api.schemas import Profile, ProfileIn

ADMIN = "/api/admin/"


def api_routes(app: Flask) -> set[tuple[str, str]]:
    """Return (OpenAPI path, method) of every /api route the app serves, the admin API aside."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and not rule.rule.startswith(ADMIN):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def refs(node) -> list[str]:
    """Return every $ref in a JSON document."""
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def resolve(document: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.json


def test_every_api_route_is_documented_with_its_methods(app, document):
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert api_routes(app) == documented
    assert {("/api/login", "post"), ("/api/me", "get"), ("/api/me", "patch"), ("/api/me/phone", "post")} <= documented
    assert ("/api/logout", "post") in documented and ("/api/openapi.json", "get") in documented


def test_every_reference_resolves(document):
    found = refs(document)
    assert "#/components/schemas/ErrorDocument" in found and "#/components/schemas/Profile" in found
    for ref in found:
        assert isinstance(resolve(document, ref), dict)


def test_operations_describe_auth_bodies_and_errors(document):
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "the token of POST /api/login",
    }
    login = document["paths"]["/api/login"]["post"]
    assert login["security"] == [] and login["requestBody"]["required"] is True
    login_in = resolve(document, login["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    assert login_in["required"] == ["code"] and login_in["additionalProperties"] is False
    assert {"200", "400", "401", "415", "503", "default"} <= set(login["responses"])
    login_out = resolve(document, login["responses"]["200"]["content"]["application/json"]["schema"]["$ref"])
    assert "session_key" not in login_out["properties"]
    assert set(login_out["required"]) == {"token", "token_type", "expires_at", "worker"}
    patch = document["paths"]["/api/me"]["patch"]
    assert patch["security"] == [{"bearer": []}] and "401" in patch["responses"]
    name = resolve(document, patch["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    assert name["properties"]["name"]["maxLength"] == 50
    assert document["paths"]["/api/logout"]["post"]["responses"]["204"] == {"description": "Done, nothing to answer"}
    error = document["components"]["schemas"]["ErrorBody"]
    assert set(error["required"]) == {"code", "message"}
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_a_later_endpoint_is_documented_by_its_declaration(make_app):
    app = make_app()
    # Declared the way later endpoints (childcare, registrations, …) are: path argument, body, answer, errors.
    app.add_url_rule(
        "/api/programs/<id:program_id>/names",
        "later",
        endpoint(Profile, body=ProfileIn, status=201, errors=(404, 409))(lambda program_id, body: None),
        methods=["PUT"],
    )
    operation = app.test_client().get("/api/openapi.json").json["paths"]["/api/programs/{program_id}/names"]["put"]
    assert operation["parameters"] == [
        {
            "name": "program_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        }
    ]
    assert {"201", "401", "404", "409", "415"} <= set(operation["responses"])


def test_an_undeclared_api_route_would_be_missed(make_app):
    app = make_app()
    app.add_url_rule("/api/undocumented", "undocumented", lambda: {})
    documented = {(p, m) for p, item in app.test_client().get("/api/openapi.json").json["paths"].items() for m in item}
    assert api_routes(app) - documented == {("/api/undocumented", "get")}


def test_the_blueprint_is_mounted_at_api():
    assert blueprint.url_prefix == "/api"
