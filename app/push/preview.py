"""Previews in the official's own WeChat, as customer-service messages: a push's test send, a 手机报 issue's card.

The admin API and the console both call these, so a preview looks and fails the same from either door.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import digest_issues, push_ledger
from models.access import Actor
from models.digest_publishing import message as issue_message
from models.digests import Digest
from models.errors import Conflict
from models.pushes import Push

from ..wechat.accounts import runtime
from ..wechat.errors import OutsideServiceWindow, WeChatError

PREFIX = "【预览】"


def send_preview(push: Push, openid: str) -> str:
    """Send a push to one openid as it will look; return the channel. Raises Conflict when WeChat refuses."""
    return _send(push.message, push.title, openid)


def _send(message: dict, title: str, openid: str) -> str:
    api = runtime().api("mp")
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
            api.call("message.send_text", openid, f"{PREFIX}{title}\n{fields}")
    except OutsideServiceWindow as error:
        # Customer-service messages need a message from the official within 48 hours (WeChat's rule).
        raise Conflict("请先用您绑定的微信给公众号发一条消息（48小时内有效），再发送预览") from error
    except WeChatError as error:
        raise Conflict(f"微信暂时无法发送预览（{error.errcode}），请稍后再试") from error
    return "customer_service"


def send_test(session: Session, actor: Actor, push_id: int) -> tuple[str, str]:
    """Send a push to the official's own WeChat before the real one; return (openid, channel). Commits."""
    actor.require_write()
    push, openid = push_ledger.preview_target(session, actor, push_id)
    session.commit()  # the audit entry stays even if WeChat refuses
    return openid, send_preview(push, openid)


def preview_issue(session: Session, actor: Actor, digest_id: int, base_url: str) -> Digest:
    """Send an issue's card to the official's own WeChat, as workers will get it; commits once it is sent."""
    digest = digest_issues.preview_of(session, actor, digest_id)
    openid = push_ledger.own_openid(session, actor)
    _send(issue_message(digest, base_url), digest.title, openid)
    session.commit()
    return digest
