"""GET /healthz: is the database up, is Redis up."""

from __future__ import annotations

from flask import Blueprint, current_app
from sqlalchemy import text

from .extensions import db, redis_store

blueprint = Blueprint("health", __name__)


def _check(probe) -> str:
    try:
        probe()
    except Exception as exc:  # any failure means "down"; the reason goes to the log
        current_app.logger.warning("health check failed: %s", exc)
        return "down"
    return "up"


def _ping_database() -> None:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@blueprint.get("/healthz")
def healthz():
    """Report the state of the database and Redis; 503 when either is down."""
    state = {"database": _check(_ping_database), "redis": _check(lambda: redis_store.client.ping())}
    ok = all(value == "up" for value in state.values())
    return {"status": "ok" if ok else "degraded", **state}, 200 if ok else 503
