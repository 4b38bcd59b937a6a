"""/wechat (service account) and /wechat/miniapp (mini-program customer-service push)."""

from __future__ import annotations

import time

from flask import Blueprint, Response, request

from .accounts import runtime
from .envelope import Forbidden, check_signature, open_push, seal, tries_over
from .intake import Replayed, receive
from .parsing import BadPush, to_incoming
from .replies import to_xml

blueprint = Blueprint("wechat", __name__)


def _plain(text: str, status: int = 200) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def _endpoint(channel: str) -> Response:
    started = time.monotonic()
    account = runtime().accounts[channel]
    try:
        check_signature(account, request.args)
        if request.method == "GET":
            return _plain(request.args.get("echostr", ""))
        fields, encrypted = open_push(account, request.args, request.get_data(cache=False), channel == "miniapp")
        incoming, key = to_incoming(fields, channel)
        listened = not tries_over(request.args)
        reply = receive(account, incoming, key, fields, request.args["nonce"], started, listened)
    except (Forbidden, Replayed):
        return _plain("forbidden", 403)
    except BadPush as error:
        return _plain(f"bad request: {error}", 400)
    if reply is None:
        return _plain("success")
    xml = to_xml(reply, to_user=incoming.openid, from_user=fields.get("ToUserName", ""))
    return Response(seal(account, xml, request.args["nonce"]) if encrypted else xml, mimetype="application/xml")


@blueprint.route("/wechat", methods=["GET", "POST"])
def service_account() -> Response:
    """WeChat's server verification (GET) and message pushes (POST) for the service account."""
    return _endpoint("mp")


@blueprint.route("/wechat/miniapp", methods=["GET", "POST"])
def miniapp() -> Response:
    """The same for the mini-program's customer-service messages (XML or JSON)."""
    return _endpoint("miniapp")
