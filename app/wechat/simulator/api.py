"""create_simulator: a plain Flask app that answers like api.weixin.qq.com, plus the /sim/ control API."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, g, request
from werkzeug.exceptions import MethodNotAllowed

from . import content, control, credentials, messaging
from .common import sim_state
from .errors import WeChatError
from .state import SimulatorState


def create_simulator(state: SimulatorState | None = None) -> Flask:
    """Build the simulator app around a state (a fresh one with the development accounts by default)."""
    app = Flask(__name__)
    app.extensions["wechat_simulator"] = state or SimulatorState()
    # WeChat writes Chinese as is and puts errcode first.
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    for blueprint in (credentials.bp, messaging.bp, content.bp, control.bp):
        app.register_blueprint(blueprint)
    app.before_request(gate)
    app.register_error_handler(WeChatError, lambda error: error.body())
    app.register_error_handler(MethodNotAllowed, wrong_method)
    return app


def gate() -> dict[str, Any] | None:
    """Count the call, apply injected faults, then check the access_token and the daily quota."""
    if request.path.startswith("/sim/"):
        return None
    state = sim_state()
    state.record_call(request.path)
    if request.endpoint is None:  # unknown path or wrong method: the router answers
        return None
    delay, errcode = state.take_fault(request.path)
    if delay:
        time.sleep(delay)  # outside the state lock, so other requests go on meanwhile
    if errcode is not None:
        raise WeChatError(errcode)
    if not getattr(current_app.view_functions[request.endpoint], "sim_public", False):
        g.appid = state.authenticate(request.args.get("access_token"))
        state.consume_quota(g.appid, request.path)
    return None


def wrong_method(error: MethodNotAllowed) -> dict[str, Any] | MethodNotAllowed:
    """Answer a wrong HTTP method like WeChat (43001/43002, HTTP 200); /sim/ keeps the plain 405."""
    if request.path.startswith("/sim/"):
        return error
    return WeChatError(43002 if "POST" in (error.valid_methods or []) else 43001).body()
