"""digest.latest: the bot answers with a card of the latest 手机报 issue, which opens its page."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from app.wechat.replies import to_xml
from bot.core import Context
from bot.digests import HOW_TO_SUGGEST, NONE_YET, NOT_HERE, public_base_url
from bot.handlers import bot
from bot.messages import Incoming, NewsReply, TextReply
from models import digest_issues as issues
from models.digests import Digest

_ids = itertools.count(10_000)


def send(demo, store, openid: str = "oDemo-zhangwei", **fields):
    incoming = Incoming(channel="mp", openid=openid, created_at=next(_ids), **fields)
    reply = bot.reply(incoming, Context(demo.session, store))
    demo.session.commit()
    return reply


def says(demo, store, text: str, openid: str = "oDemo-zhangwei"):
    return send(demo, store, openid, kind="text", text=text)


@pytest.mark.parametrize("text", ["手机报", "最新一期手机报", "这周的工会手机报出了吗"])
def test_asking_for_the_paper_brings_the_latest_issue_as_a_card(demo, store, text):
    reply = says(demo, store, text)
    assert isinstance(reply, NewsReply) and len(reply.articles) == 1
    [card] = reply.articles
    latest = demo.session.scalars(select(Digest).where(Digest.number == 31)).one()
    assert card.title == latest.title == f"新乡工会手机报 {latest.issue_date.year}年第31期"
    assert card.url == f"{public_base_url()}/digest/31"
    assert card.description == (
        "本期要闻：新乡工会重点创新案例发布（2024年第3期）；新乡市总工会构建工会宣传矩阵 打造“两厅一报”平台；"
        "全市教师队伍整体教学水平得到很大提升"
    )
    assert card.image == ""  # the demo's covers are drawings (SVG), which WeChat's cards do not show
    xml = to_xml(reply, to_user="oDemo-zhangwei", from_user="gh_gonghui")
    assert "<MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount>" in xml
    assert f"<Url><![CDATA[{card.url}]]></Url>" in xml


def test_the_menu_button_brings_the_same_card(demo, store):
    reply = send(demo, store, kind="event", event="CLICK", event_key="DIGEST_LATEST")
    assert isinstance(reply, NewsReply) and reply.articles[0].url.endswith("/digest/31")


def test_a_worker_who_wants_to_contribute_is_told_how(demo, store):
    assert says(demo, store, "我想给手机报投稿") == TextReply(HOW_TO_SUGGEST)


def test_before_any_issue_is_out_the_bot_says_so(demo, store):
    admin = demo.actor("xinxiang-admin")
    for digest in demo.session.scalars(select(Digest).where(Digest.status == "published")):
        issues.withdraw(demo.session, admin, digest.id)
    demo.session.commit()
    assert says(demo, store, "手机报") == TextReply(NONE_YET)


def test_workers_outside_xinxiang_have_no_paper_yet(demo, store):
    assert says(demo, store, "最新一期手机报", openid="oDemo-lijianguo") == TextReply(NOT_HERE)


def test_someone_new_gets_the_city_paper(demo, store):
    reply = says(demo, store, "手机报", openid="o-first-time")
    assert isinstance(reply, NewsReply) and reply.articles[0].url.endswith("/digest/31")
