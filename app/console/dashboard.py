"""Console pages: the dashboard (figures and charts of the official's scope)."""

from __future__ import annotations

from flask import render_template

from . import blueprint


@blueprint.get("/")
def dashboard():
    """Show the official's overview."""
    return render_template("console/dashboard.html")
