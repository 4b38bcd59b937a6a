"""Console page: the official's own WeChat, where the 手机报's previews and broadcasts' test sends go."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g, render_template, request

from models import push_ledger
from models.errors import Conflict

from ..extensions import db
from . import blueprint
from .web import done

UNBOUND = "您还没有绑定本人微信：请先在“绑定我的微信”页面绑定，预览会发到那里。"


@contextmanager
def previews() -> Iterator[None]:
    """Tell an official without a bound WeChat where to bind it (the API's message names its own endpoint)."""
    try:
        yield
    except Conflict as error:
        if error.detail.get("field") != "wechat_openid":
            raise
        raise Conflict(UNBOUND) from error


@blueprint.get("/broadcasts/my-wechat")
def my_wechat():
    """Show how to bind one's own WeChat, and the one bound now."""
    return render_template("console/broadcasts/my_wechat.html", openid=g.actor.official.wechat_openid)


@blueprint.post("/broadcasts/my-wechat")
def bind_my_wechat():
    """Bind the official's own WeChat (its OpenID in the service account), or unbind it with an empty field."""
    official = push_ledger.bind_wechat(db.session, g.actor, request.form.get("openid", ""))
    message = "已绑定您的微信，预览会发到这里。" if official.wechat_openid else "已解除绑定。"
    return done(message, "console.my_wechat")
