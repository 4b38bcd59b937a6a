"""What every simulated endpoint shares: WeChat's error codes, the JSON body, the state and the caller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request

from .errors import WeChatError
from .state import SimulatorState

View = TypeVar("View", bound=Callable[..., Any])


def public(view: View) -> View:
    """Mark a view as callable without an access_token (token and login endpoints)."""
    view.sim_public = True
    return view


def sim_state() -> SimulatorState:
    """Return the state of the simulator serving this request."""
    return current_app.extensions["wechat_simulator"]


def caller() -> str:
    """Return the appid whose access_token authenticated this request."""
    return g.appid


def body() -> dict[str, Any]:
    """Return the JSON body; WeChat parses it whatever the Content-Type, as wechatpy sends none."""
    if not request.get_data():
        raise WeChatError(44002)
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise WeChatError(47001)
    return data


def ok(**fields: Any) -> dict[str, Any]:
    """Return a success body: errcode 0, errmsg "ok" and the given fields."""
    return {"errcode": 0, "errmsg": "ok", **fields}


def required(data: dict[str, Any], name: str, errcode: int) -> str:
    """Return a non-empty string field or raise the errcode WeChat answers for it."""
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise WeChatError(errcode)
    return value
