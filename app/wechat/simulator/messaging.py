"""Messages to users: customer-service, template, subscribe and mass messages, under WeChat's limits."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from .common import body, caller, ok, required, sim_state
from .errors import WeChatError
from .state import MassSend

bp = Blueprint("messaging", __name__, url_prefix="/cgi-bin/message")

CUSTOM_TYPES = {
    "text",
    "image",
    "voice",
    "video",
    "music",
    "news",
    "mpnews",
    "mpnewsarticle",
    "msgmenu",
    "wxcard",
    "miniprogrampage",
}
# msgtype -> the body keys that may carry it (the docs say "images", wechatpy sends "image").
MASS_TYPES = {
    "mpnews": ("mpnews",),
    "text": ("text",),
    "voice": ("voice",),
    "image": ("images", "image"),
    "mpvideo": ("mpvideo",),
    "wxcard": ("wxcard",),
}
CLIENTMSGID_MEMORY = 24 * 3600  # WeChat checks clientmsgid against the last 24 hours of mass sends


@bp.post("/custom/send")
def custom_send() -> dict[str, Any]:
    """Send a customer-service message, allowed for 48 hours and 5 messages after the user's last message."""
    data = body()
    openid = required(data, "touser", 40003)
    msgtype = data.get("msgtype")
    if msgtype not in CUSTOM_TYPES or not isinstance(data.get(msgtype), dict):
        raise WeChatError(40008)
    state = sim_state()
    with state.lock:
        interaction = state.interactions.get(openid)
        if interaction is None or state.now() - interaction.at > state.reply_window:
            raise WeChatError(45015)
        if interaction.replies >= state.replies_per_interaction:
            raise WeChatError(45047)
        interaction.replies += 1
        state.deliver("custom", caller(), openid, data)
    return ok()


@bp.post("/template/send")
def template_send() -> dict[str, Any]:
    """Send a template message to a follower."""
    data = body()
    openid = required(data, "touser", 40003)
    required(data, "template_id", 40037)
    state = sim_state()
    with state.lock:
        if openid not in state.followers:
            raise WeChatError(43004)
        msgid = state.next_id()
        state.deliver("template", caller(), openid, data, msg_id=msgid)
    return ok(msgid=msgid)


@bp.post("/subscribe/bizsend")
def subscribe_bizsend() -> dict[str, Any]:
    """Send a service-account subscribe notification (订阅通知), spending one of the user's grants."""
    spend_grant(body())
    return ok()


@bp.post("/subscribe/send")
def subscribe_send() -> dict[str, Any]:
    """Send a mini-program subscribe message, spending one of the user's grants."""
    return ok(msgid=spend_grant(body()))


def spend_grant(data: dict[str, Any]) -> int:
    """Deliver a subscribe message if the user granted one for the template; 43101 otherwise."""
    openid = required(data, "touser", 40003)
    template_id = required(data, "template_id", 40037)
    state = sim_state()
    with state.lock:
        if state.grants[(openid, template_id)] <= 0:
            raise WeChatError(43101)
        state.grants[(openid, template_id)] -= 1
        msgid = state.next_id()
        state.deliver("subscribe", caller(), openid, data, msg_id=msgid)
    return msgid


@bp.post("/mass/send")
def mass_send() -> dict[str, Any]:
    """Send a mass message to a list of 2 to 10,000 openids."""
    data = body()
    openids = data.get("touser")
    if not isinstance(openids, list) or not 2 <= len(openids) <= 10_000:
        raise WeChatError(40130)
    return mass(data, list(dict.fromkeys(str(openid) for openid in openids)))


@bp.post("/mass/sendall")
def mass_sendall() -> dict[str, Any]:
    """Send a mass message to every follower, or to the followers carrying a tag."""
    data = body()
    filter_ = data.get("filter")
    if not isinstance(filter_, dict):
        raise WeChatError(47001)
    state = sim_state()
    with state.lock:
        if filter_.get("is_to_all") is True:
            openids = list(state.followers)
        elif isinstance(filter_.get("tag_id"), int):
            openids = [openid for openid, tags in state.followers.items() if filter_["tag_id"] in tags]
        else:
            raise WeChatError(47003)
        return mass(data, openids)


def mass(data: dict[str, Any], openids: list[str]) -> dict[str, Any]:
    """Deliver a mass message: de-duplicated by clientmsgid, at most mass_per_month per follower."""
    msgtype = data.get("msgtype")
    if msgtype not in MASS_TYPES or not any(isinstance(data.get(key), dict) for key in MASS_TYPES[msgtype]):
        raise WeChatError(40008)
    state = sim_state()
    appid = caller()
    with state.lock:
        now = state.now()
        if msgtype == "mpnews":
            draft = state.drafts.get(data["mpnews"].get("media_id"))
            if draft is None or draft[0] != appid:
                raise WeChatError(40007)
        clientmsgid = data.get("clientmsgid")
        earlier = state.mass_sends.get((appid, clientmsgid)) if clientmsgid else None
        if earlier and now - earlier.at < CLIENTMSGID_MEMORY:
            raise WeChatError(45065, msg_id=earlier.msg_id)
        msg_id = state.next_id()
        if clientmsgid:
            state.mass_sends[(appid, clientmsgid)] = MassSend(msg_id, now)
        month = state.day()[:7]
        for openid in openids:
            reason = None
            if openid not in state.followers:
                reason = "not a follower"
            elif state.mass_received[(appid, openid, month)] >= state.mass_per_month:
                reason = "monthly limit"
            else:
                state.mass_received[(appid, openid, month)] += 1
            state.deliver("mass", appid, openid, data, msg_id=msg_id, skipped=reason is not None, reason=reason)
        answer = {"errcode": 0, "errmsg": "send job submission success", "msg_id": msg_id}
        # The docs: msg_data_id "only appears when mass-sending articles (mpnews)".
        if msgtype == "mpnews":
            answer["msg_data_id"] = state.next_id()
        return answer
