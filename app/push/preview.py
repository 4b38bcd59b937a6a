"""A test send of a push to the official's own WeChat, as a customer-service message, before the real one."""

from __future__ import annotations

from models.errors import Conflict
from models.pushes import Push

from ..wechat.accounts import runtime
from ..wechat.errors import OutsideServiceWindow, WeChatError

PREFIX = "【预览】"


def send_preview(push: Push, openid: str) -> str:
    """Send a push to one openid as it will look; return the channel. Raises Conflict when WeChat refuses."""
    api = runtime().api("mp")
    message = push.message
    try:
        if message["type"] == "article":
            article = {
                "title": PREFIX + message["title"],
                "description": message.get("description", ""),
                "url": message["url"],
                "picurl": message.get("picurl") or "",
            }
            api.call("message.send_articles", openid, [article])
        elif message["type"] == "text":
            api.call("message.send_text", openid, PREFIX + message["text"])
        else:
            fields = "\n".join(f"{key}：{value['value']}" for key, value in message["data"].items())
            api.call("message.send_text", openid, f"{PREFIX}{push.title}\n{fields}")
    except OutsideServiceWindow as error:
        # Customer-service messages need a message from the official within 48 hours (WeChat's rule).
        raise Conflict("请先用您绑定的微信给公众号发一条消息（48小时内有效），再发送预览") from error
    except WeChatError as error:
        raise Conflict(f"微信暂时无法发送预览（{error.errcode}），请稍后再试") from error
    return "customer_service"
