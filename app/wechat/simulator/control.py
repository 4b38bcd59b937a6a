"""The /sim/ control API: what users do, what goes wrong, and what was sent; JSON, for tests and tools."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from werkzeug.exceptions import BadRequest

from .common import sim_state

bp = Blueprint("sim", __name__, url_prefix="/sim")

_REQUIRED = object()
DONE = {"ok": True}


@bp.errorhandler(BadRequest)
def bad_request(error: BadRequest) -> tuple[dict[str, str], int]:
    """Explain a malformed control request in JSON."""
    return {"error": str(error.description)}, 400


def payload() -> dict[str, Any]:
    """Return the JSON object posted (an empty one for no body)."""
    if not request.get_data():
        return {}
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


def field(data: dict[str, Any], name: str, kind: type | tuple[type, ...], default: Any = _REQUIRED) -> Any:
    """Return data[name] checked against kind; null or absent gives the default."""
    value = data.get(name)
    if value is None:
        if default is _REQUIRED:
            raise BadRequest(f"{name} is required")
        return default
    # bool is an int in Python but never a count or a time here.
    if isinstance(value, bool) or not isinstance(value, kind):
        raise BadRequest(f"{name} has the wrong type")
    return value


def strings(data: dict[str, Any], name: str, default: Any = _REQUIRED) -> Any:
    """Return data[name] checked to be a list of strings."""
    value = field(data, name, list, default)
    if value is not None and not all(isinstance(item, str) for item in value):
        raise BadRequest(f"{name} must be a list of strings")
    return value


@bp.post("/interaction")
def interaction() -> dict[str, Any]:
    """Record that a user sent a message or event (opens the 48-hour customer-service window)."""
    data = payload()
    sim_state().record_interaction(field(data, "openid", str), field(data, "at", (int, float), None))
    return DONE


@bp.post("/followers")
def followers() -> dict[str, Any]:
    """Register followers, optionally with a tag."""
    data = payload()
    sim_state().add_followers(strings(data, "openids"), field(data, "tag_id", int, None))
    return DONE


@bp.post("/grant")
def grant() -> dict[str, Any]:
    """Record that a user accepted subscribe messages of a template."""
    data = payload()
    sim_state().grant(field(data, "openid", str), field(data, "template_id", str), field(data, "count", int, 1))
    return DONE


@bp.post("/faults")
def set_faults() -> dict[str, Any]:
    """Inject latency and errors into the next API requests."""
    data = payload()
    sim_state().set_faults(
        latency_ms=field(data, "latency_ms", int, 0),
        error_rate=field(data, "error_rate", (int, float), 0.0),
        errcode=field(data, "errcode", int, -1),
        count=field(data, "count", int, None),
        paths=strings(data, "paths", None),
    )
    return DONE


@bp.delete("/faults")
def clear_faults() -> dict[str, Any]:
    """Stop injecting faults."""
    sim_state().clear_faults()
    return DONE


@bp.post("/quota")
def set_quota() -> dict[str, Any]:
    """Set how many calls to an API path are left today."""
    data = payload()
    sim_state().set_quota(field(data, "path", str), field(data, "remaining", int), field(data, "appid", str, None))
    return DONE


@bp.post("/expire-tokens")
def expire_tokens() -> dict[str, Any]:
    """Make every token issued so far expire now."""
    sim_state().expire_tokens()
    return DONE


@bp.get("/sent")
def sent() -> dict[str, Any]:
    """List what users were sent, optionally for one openid and/or kind."""
    return {"sent": sim_state().sent_messages(request.args.get("openid"), request.args.get("kind"))}


@bp.get("/calls")
def calls() -> dict[str, Any]:
    """Count the requests each API path received."""
    return {"calls": sim_state().call_counts()}


@bp.post("/reset")
def reset() -> dict[str, Any]:
    """Forget everything that happened."""
    sim_state().reset()
    return DONE
