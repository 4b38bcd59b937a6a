"""Drafts, free publishing and the custom menu."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint

from .common import body, caller, ok, required, sim_state
from .errors import WeChatError
from .state import Publication

bp = Blueprint("content", __name__, url_prefix="/cgi-bin")

KEY_TYPES = {
    "click",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
}
MEDIA_TYPES = {"media_id", "view_limited"}
ARTICLE_TYPES = {"article_id", "article_view_limited"}
URL_TYPES = {"view", "miniprogram"}
# Error codes for (wrong type, name size, key size, url size), for top buttons and sub-buttons.
TOP_ERRORS = (40017, 40018, 40019, 40020)
SUB_ERRORS = (40024, 40025, 40026, 40027)


@bp.post("/draft/add")
def draft_add() -> dict[str, Any]:
    """Save a draft of articles and return its media_id."""
    articles = body().get("articles")
    if not isinstance(articles, list) or not articles:
        raise WeChatError(44003)
    for article in articles:
        if not isinstance(article, dict) or not article.get("title") or not article.get("content"):
            raise WeChatError(44003)
        if article.get("article_type", "news") == "news" and not article.get("thumb_media_id"):
            raise WeChatError(40007)
    media_id = secrets.token_urlsafe(32)
    state = sim_state()
    with state.lock:
        state.drafts[media_id] = (caller(), articles)
    return {"media_id": media_id}


@bp.post("/freepublish/submit")
def freepublish_submit() -> dict[str, Any]:
    """Publish a draft; the task succeeds publish_delay seconds later (at once by default)."""
    media_id = required(body(), "media_id", 40007)
    state = sim_state()
    with state.lock:
        draft = state.drafts.get(media_id)
        if draft is None or draft[0] != caller():
            raise WeChatError(40007)
        publish_id = str(state.next_id())
        article_id = secrets.token_urlsafe(32)
        urls = [f"https://mp.weixin.qq.com/s/{secrets.token_urlsafe(16)}" for _ in draft[1]]
        state.publications[publish_id] = Publication(caller(), media_id, state.now(), article_id, urls)
        state.deliver("publish", caller(), None, {"media_id": media_id, "articles": draft[1]})
        return ok(publish_id=publish_id, msg_data_id=state.next_id())


@bp.post("/freepublish/get")
def freepublish_get() -> dict[str, Any]:
    """Report a publish task: 1 (publishing) until publish_delay has passed, then 0 (success)."""
    publish_id = str(body().get("publish_id", ""))
    state = sim_state()
    with state.lock:
        publication = state.publications.get(publish_id)
        if publication is None or publication.appid != caller():
            raise WeChatError(47003)
        if state.now() < publication.at + state.publish_delay:
            return {"publish_id": publish_id, "publish_status": 1, "fail_idx": []}
        items = [{"idx": index, "article_url": url} for index, url in enumerate(publication.urls, 1)]
        return {
            "publish_id": publish_id,
            "publish_status": 0,
            "article_id": publication.article_id,
            "article_detail": {"count": len(items), "item": items},
            "fail_idx": [],
        }


@bp.post("/menu/create")
def menu_create() -> dict[str, Any]:
    """Replace the custom menu after checking it the way WeChat does."""
    buttons = body().get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise WeChatError(40016)
    for button in buttons:
        check_button(button, top=True)
    state = sim_state()
    with state.lock:
        state.menus[caller()] = buttons
    return ok()


def check_button(button: Any, top: bool) -> None:
    """Raise WeChat's error for a malformed button; a top button may instead hold 1 to 5 sub-buttons."""
    wrong_type, name_size, key_size, url_size = TOP_ERRORS if top else SUB_ERRORS
    if not isinstance(button, dict):
        raise WeChatError(47001)
    if not 1 <= len(str(button.get("name", "")).encode()) <= (16 if top else 60):
        raise WeChatError(name_size)
    subs = button.get("sub_button")
    if top and (subs or (subs is not None and "type" not in button)):
        if not isinstance(subs, list) or not 1 <= len(subs) <= 5:
            raise WeChatError(40023)
        for sub in subs:
            check_button(sub, top=False)
        return
    kind = button.get("type")
    if kind not in KEY_TYPES | MEDIA_TYPES | ARTICLE_TYPES | URL_TYPES:
        raise WeChatError(wrong_type)
    if kind in KEY_TYPES and not 1 <= len(str(button.get("key", "")).encode()) <= 128:
        raise WeChatError(key_size)
    if kind in URL_TYPES and not 1 <= len(str(button.get("url", "")).encode()) <= 1024:
        raise WeChatError(url_size)
    if kind == "miniprogram" and not (button.get("appid") and button.get("pagepath")):
        raise WeChatError(47001)
    if kind in MEDIA_TYPES and not button.get("media_id"):
        raise WeChatError(40007)
    if kind in ARTICLE_TYPES and not button.get("article_id"):
        raise WeChatError(47001)


@bp.get("/menu/get")
def menu_get() -> dict[str, Any]:
    """Return the menu as created; 46003 when there is none."""
    state = sim_state()
    with state.lock:
        if caller() not in state.menus:
            raise WeChatError(46003)
        return {"menu": {"button": state.menus[caller()]}}


@bp.get("/get_current_selfmenu_info")
def selfmenu_info() -> dict[str, Any]:
    """Return the menu in get_current_selfmenu_info's shape, where sub-buttons sit under {"list": [...]}."""
    state = sim_state()
    with state.lock:
        buttons = state.menus.get(caller())
        if buttons is None:
            return {"is_menu_open": 0}
        shown = [
            {**button, "sub_button": {"list": button["sub_button"]}} if "sub_button" in button else button
            for button in buttons
        ]
        return {"is_menu_open": 1, "selfmenu_info": {"button": shown}}


@bp.get("/menu/delete")
def menu_delete() -> dict[str, Any]:
    """Delete the custom menu."""
    state = sim_state()
    with state.lock:
        state.menus.pop(caller(), None)
    return ok()
