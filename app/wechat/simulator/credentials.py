"""Access tokens, mini-program login, phone numbers and clear_quota."""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any

from flask import Blueprint, request

from .common import body, caller, ok, public, required, sim_state
from .errors import WeChatError

bp = Blueprint("credentials", __name__)

PHONE_CODE = re.compile(r"sim:(\d{11})")


def check_account(appid: str | None, secret: str | None, wrong_secret: int) -> str:
    """Return the appid if the secret matches, else raise what WeChat answers for the credentials."""
    if not appid:
        raise WeChatError(41002)
    if not secret:
        raise WeChatError(41004)
    accounts = sim_state().accounts
    if appid not in accounts:
        raise WeChatError(40013)
    if not secrets.compare_digest(accounts[appid], secret):
        raise WeChatError(wrong_secret)
    return appid


@bp.get("/cgi-bin/token")
@public
def token() -> dict[str, Any]:
    """Issue a new access_token (getAccessToken)."""
    if request.args.get("grant_type") != "client_credential":
        raise WeChatError(40002)
    appid = check_account(request.args.get("appid"), request.args.get("secret"), 40001)
    state = sim_state()
    state.consume_quota(appid, request.path)
    access_token, expires_in = state.access_token(appid)
    return {"access_token": access_token, "expires_in": expires_in}


@bp.post("/cgi-bin/stable_token")
@public
def stable_token() -> dict[str, Any]:
    """Return the stable access_token, renewing it when forced or about to expire (getStableAccessToken)."""
    data = body()
    if data.get("grant_type") != "client_credential":
        raise WeChatError(40002)
    appid = check_account(data.get("appid"), data.get("secret"), 40001)
    state = sim_state()
    state.consume_quota(appid, request.path)
    access_token, expires_in = state.stable_token(appid, data.get("force_refresh") is True)
    return {"access_token": access_token, "expires_in": expires_in}


@bp.get("/sns/jscode2session")
@public
def jscode2session() -> dict[str, Any]:
    """Turn a wx.login code into a session; the simulator's codes are "sim:<openid>", each good once."""
    appid = check_account(request.args.get("appid"), request.args.get("secret"), 40125)
    if request.args.get("grant_type") != "authorization_code":
        raise WeChatError(40002)
    code = request.args.get("js_code")
    if not code:
        raise WeChatError(41008)
    state = sim_state()
    state.consume_quota(appid, request.path)
    openid = use_code(code, 40163)
    return {
        "session_key": base64.b64encode(secrets.token_bytes(16)).decode(),
        "openid": openid,
        "unionid": f"u-{openid}",
    }


@bp.post("/wxa/business/getuserphonenumber")
def getuserphonenumber() -> dict[str, Any]:
    """Turn a getPhoneNumber code ("sim:<11 digits>", good once) into the user's phone number."""
    code = required(body(), "code", 41008)
    if not PHONE_CODE.fullmatch(code):
        raise WeChatError(40029)
    phone = use_code(code, 40029)
    state = sim_state()
    return ok(
        phone_info={
            "phoneNumber": phone,
            "purePhoneNumber": phone,
            "countryCode": "86",
            "watermark": {"timestamp": int(state.now()), "appid": caller()},
        }
    )


@bp.post("/cgi-bin/clear_quota")
def clear_quota() -> dict[str, Any]:
    """Reset the daily quotas of the calling account."""
    if required(body(), "appid", 41002) != caller():
        raise WeChatError(40013)
    sim_state().clear_quota(caller())
    return ok()


def use_code(code: str, reused: int) -> str:
    """Spend a one-time "sim:<value>" code of this endpoint and return the value; `reused` if spent."""
    value = code.removeprefix("sim:")
    if value == code or not value:
        raise WeChatError(40029)
    state = sim_state()
    with state.lock:
        if (request.path, code) in state.used_codes:
            raise WeChatError(reused)
        state.used_codes.add((request.path, code))
    return value
