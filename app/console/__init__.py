"""The officials' web console at /console: server-rendered pages over the domain operations the admin API uses."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

# Each module registers its pages on the blueprint; the navigation shows those that exist.
from . import (  # noqa: E402
    audit_log,
    auth,
    broadcasts,
    childcare,
    dashboard,
    digests,
    grievances,
    knowledge,
    tickets,
    training,
    web,
)

__all__ = [
    "audit_log",
    "auth",
    "blueprint",
    "broadcasts",
    "childcare",
    "dashboard",
    "digests",
    "grievances",
    "knowledge",
    "tickets",
    "training",
    "web",
]
