"""Replies as WeChat's XML, as stored JSON, and as customer-service messages."""

from __future__ import annotations

import time

from bot.messages import Article, NewsReply, Reply, TextReply


def _cdata(text: str) -> str:
    # "]]>" would end the section early: split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def to_xml(reply: Reply, *, to_user: str, from_user: str) -> str:
    """Render a passive reply (WeChat shows at most one article in a news reply)."""
    head = (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName><FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
    )
    if isinstance(reply, TextReply):
        return head + f"<MsgType><![CDATA[text]]></MsgType><Content>{_cdata(reply.content)}</Content></xml>"
    items = "".join(
        f"<item><Title>{_cdata(a.title)}</Title><Description>{_cdata(a.description)}</Description>"
        f"<PicUrl>{_cdata(a.image)}</PicUrl><Url>{_cdata(a.url)}</Url></item>"
        for a in reply.articles[:1]
    )
    return head + f"<MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount><Articles>{items}</Articles></xml>"


def to_data(reply: Reply) -> dict:
    """Return a reply as JSON-ready data, to store it."""
    if isinstance(reply, TextReply):
        return {"type": "text", "content": reply.content}
    return {"type": "news", "articles": [vars(a) for a in reply.articles]}


def from_data(data: dict) -> Reply:
    """Rebuild a stored reply."""
    if data["type"] == "text":
        return TextReply(data["content"])
    return NewsReply([Article(**a) for a in data["articles"]])
