"""GET /api/openapi.json: the document of every endpoint declared with endpoints.endpoint()."""

from __future__ import annotations

from flask import current_app

from . import blueprint
from .endpoints import endpoint
from .openapi import build_document
from .schemas import OpenApiDocument

_CACHE = "gonghui.api.openapi"


@blueprint.get("/openapi.json")
@endpoint(OpenApiDocument, auth=False, tag="documentation")
def openapi() -> OpenApiDocument:
    """Describe this API in OpenAPI 3.1."""
    # Built on first request, when every blueprint is registered; the routes do not change afterwards.
    if _CACHE not in current_app.extensions:
        current_app.extensions[_CACHE] = OpenApiDocument(build_document(current_app))
    return current_app.extensions[_CACHE]
