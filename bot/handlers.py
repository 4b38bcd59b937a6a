"""The bot's handlers: welcome, menu clicks, pictures, places; texts go to the conversation."""

from __future__ import annotations

from models.workers import follow, seen, unfollow

from .conversation import converse, start
from .core import Bot, Context
from .grievances import picture
from .messages import Incoming, Reply, TextReply
from .texts import HELP, MENU_ANSWERS, MENU_INTENTS, WELCOME

bot = Bot()


def _seen(context: Context, incoming: Incoming, reply: Reply) -> Reply:
    """Note that the worker wrote, last: any message opens WeChat's 48-hour window for customer service.

    Last, because this UPDATE opens the message's write transaction, which lasts until the commit:
    on SQLite that is the database's one write lock, which the dialogue store's round trips, the
    classifier and the knowledge base need not hold.
    """
    seen(context.session, incoming.openid, channel=incoming.channel)
    return reply


@bot.on("event", "subscribe")
def welcome(incoming: Incoming, context: Context) -> Reply:
    """Greet a new (or returning) follower and create or re-activate their record."""
    follow(context.session, incoming.openid)
    return _seen(context, incoming, TextReply(WELCOME))


@bot.on("event", "unsubscribe")
def goodbye(incoming: Incoming, context: Context) -> None:
    """Mark the worker as no longer following; WeChat shows nothing to them."""
    unfollow(context.session, incoming.openid)


@bot.on("event", "SCAN")
def scanned(incoming: Incoming, context: Context) -> Reply:
    """A follower scanned one of the union's QR codes."""
    return _seen(context, incoming, TextReply(HELP))


@bot.on("event", "CLICK")
def menu_click(incoming: Incoming, context: Context) -> Reply:
    """Answer a click on the custom menu."""
    key = incoming.event_key or ""
    if key in MENU_INTENTS:
        return _seen(context, incoming, start(MENU_INTENTS[key], incoming, context))
    return _seen(context, incoming, TextReply(MENU_ANSWERS.get(key, HELP)))


@bot.on("event")
def other_event(incoming: Incoming, context: Context) -> None:
    """Menu links (VIEW) and other events need no answer."""


def converses(incoming: Incoming) -> bool:
    """Tell whether a message goes to the conversation, under the worker's dialogue lock (see text)."""
    return incoming.kind in ("text", "voice") and bool(incoming.text)


@bot.on("text")
@bot.on("voice")
def text(incoming: Incoming, context: Context) -> Reply:
    """Answer a text or a recognised voice message."""
    if not incoming.text:
        return _seen(context, incoming, TextReply("抱歉，没有听清您的语音，请再说一遍或直接发送文字。"))
    return _seen(context, incoming, converse(incoming, context))


@bot.on("image")
def image(incoming: Incoming, context: Context) -> Reply:
    """Keep a picture as evidence of the worker's grievance, else acknowledge it."""
    kept = picture(incoming, context)
    return _seen(context, incoming, kept or TextReply("图片已收到。如需反映问题，请再用文字说明情况。"))


@bot.on("location")
def location(incoming: Incoming, context: Context) -> Reply:
    """Acknowledge a location."""
    place = f"（{incoming.label}）" if incoming.label else ""
    return _seen(context, incoming, TextReply(f"已收到您的位置{place}。附近职工服务站查询即将开通，可拨打12351咨询。"))


@bot.on("*")
def anything_else(incoming: Incoming, context: Context) -> Reply:
    """Video, links and other kinds: say what the bot understands."""
    return _seen(context, incoming, TextReply(HELP))
