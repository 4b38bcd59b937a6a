"""The 手机报 in the chat: the latest issue as a one-article card that opens its page."""

from __future__ import annotations

from functools import cache

from sqlalchemy import select

from config import Config
from models import digest_issues as issues
from models.digest_publishing import message
from models.workers import Worker

from .messages import Article, Incoming, NewsReply, Reply, TextReply

LATEST = "digest.latest"
NONE_YET = "新乡工会手机报每周发布一期，目前还没有可以阅读的一期。发布后回复“手机报”即可阅读。"
NOT_HERE = "您所在地区的工会还没有开通手机报。需要帮助请回复“帮助”。"
HOW_TO_SUGGEST = (
    "欢迎为手机报“县区动态”栏目投稿：在工会小程序的手机报页面点“我要投稿”，写下标题和事情经过"
    "（时间、地点、做了什么）。稿件会转给您所在的工会，采用与否都会通知您。"
)


@cache
def public_base_url() -> str:
    """Return where workers reach the service (PUBLIC_BASE_URL): the bot has no app to ask."""
    return Config.from_env().PUBLIC_BASE_URL


def latest(incoming: Incoming, context) -> Reply:
    """Answer with the latest issue of the worker's paper: its title, headlines, picture and link."""
    if any(word in (incoming.text or "") for word in ("投稿", "爆料", "供稿")):
        return TextReply(HOW_TO_SUGGEST)
    column = Worker.openid if incoming.channel == "mp" else Worker.miniapp_openid
    worker = context.session.scalar(select(Worker).where(column == incoming.openid))
    union = issues.publisher_for(context.session, worker)
    if union is None:
        return TextReply(NOT_HERE)
    found = issues.published_issues(context.session, union.id, limit=1)
    if not found:
        return TextReply(NONE_YET)
    card = message(found[0], public_base_url())
    return NewsReply([Article(card["title"], card["description"], card["url"], card["picurl"])])
