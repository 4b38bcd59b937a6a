"""The bot's handlers: welcome, menu clicks, pictures, places; texts go to the conversation."""

from __future__ import annotations

from models.workers import follow, seen, unfollow

from .conversation import converse, start
from .core import Bot, Context
from .messages import Incoming, Reply, TextReply
from .texts import HELP, MENU_ANSWERS, MENU_INTENTS, WELCOME

bot = Bot()


def _seen(context: Context, incoming: Incoming) -> None:
    # Any message opens WeChat's 48-hour window for customer-service messages.
    seen(context.session, incoming.openid, channel=incoming.channel)


@bot.on("event", "subscribe")
def welcome(incoming: Incoming, context: Context) -> Reply:
    """Greet a new (or returning) follower and create or re-activate their record."""
    follow(context.session, incoming.openid)
    _seen(context, incoming)
    return TextReply(WELCOME)


@bot.on("event", "unsubscribe")
def goodbye(incoming: Incoming, context: Context) -> None:
    """Mark the worker as no longer following; WeChat shows nothing to them."""
    unfollow(context.session, incoming.openid)


@bot.on("event", "SCAN")
def scanned(incoming: Incoming, context: Context) -> Reply:
    """A follower scanned one of the union's QR codes."""
    _seen(context, incoming)
    return TextReply(HELP)


@bot.on("event", "CLICK")
def menu_click(incoming: Incoming, context: Context) -> Reply:
    """Answer a click on the custom menu."""
    _seen(context, incoming)
    key = incoming.event_key or ""
    if key in MENU_INTENTS:
        return start(MENU_INTENTS[key], incoming, context)
    return TextReply(MENU_ANSWERS.get(key, HELP))


@bot.on("event")
def other_event(incoming: Incoming, context: Context) -> None:
    """Menu links (VIEW) and other events need no answer."""


@bot.on("text")
@bot.on("voice")
def text(incoming: Incoming, context: Context) -> Reply:
    """Answer a text or a recognised voice message."""
    _seen(context, incoming)
    if not incoming.text:
        return TextReply("抱歉，没有听清您的语音，请再说一遍或直接发送文字。")
    return converse(incoming, context)


@bot.on("image")
def image(incoming: Incoming, context: Context) -> Reply:
    """Acknowledge a picture."""
    _seen(context, incoming)
    return TextReply("图片已收到。如需反映问题，请再用文字说明情况。")


@bot.on("location")
def location(incoming: Incoming, context: Context) -> Reply:
    """Acknowledge a location."""
    _seen(context, incoming)
    place = f"（{incoming.label}）" if incoming.label else ""
    return TextReply(f"已收到您的位置{place}。附近职工服务站查询即将开通，可拨打12351咨询。")


@bot.on("*")
def anything_else(incoming: Incoming, context: Context) -> Reply:
    """Video, links and other kinds: say what the bot understands."""
    _seen(context, incoming)
    return TextReply(HELP)
