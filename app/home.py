"""GET /: send people with a browser to the console; tell programs what runs here."""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index():
    """Redirect a browser to the officials' console; describe the entry points to anything else."""
    if "text/html" in request.headers.get("Accept", ""):  # a browser asks for it by name; curl sends */*
        return redirect(url_for("console.dashboard"))
    return {
        "service": "工会微信服务后台",
        "health": "/healthz",
        "console": "/console/",
        "admin_api": {"login": "POST /api/admin/login", "me": "GET /api/admin/me"},
    }
