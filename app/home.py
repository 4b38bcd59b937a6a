"""GET /: tell a visitor what runs here and where to go."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index():
    """Describe the service and its entry points."""
    return {
        "service": "工会微信服务后台",
        "health": "/healthz",
        "admin_api": {"login": "POST /api/admin/login", "me": "GET /api/admin/me"},
    }
