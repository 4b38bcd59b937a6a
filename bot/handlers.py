"""The bot's answers: welcome, menu clicks, help; texts go to the conversation engine."""

from __future__ import annotations

from models.base import utcnow
from models.workers import follow, unfollow, worker_for_openid

from .core import Bot, Context
from .messages import Incoming, Reply, TextReply

bot = Bot()

HELP = (
    "您好，这里是新乡市总工会职工服务平台。您可以直接发文字或语音告诉我：\n"
    "1. 托管报名：寒暑假职工子女托管（日托、周托、幼托）\n"
    "2. 菜单式培训：查看培训菜单、报名、点题\n"
    "3. 维权服务：欠薪、解除合同、工伤等投诉，法律咨询\n"
    "4. 工会手机报：每周一期\n"
    "5. 困难帮扶、心理咨询、义诊、职工服务站\n"
    "6. 入会申请（快递员、外卖骑手、网约车司机等均可加入）\n"
    "回复“人工”可转接工会工作人员。"
)
WELCOME = "欢迎关注新乡市总工会！工会是职工之家。\n\n" + HELP

# Menu CLICK keys (see app/wechat/menu.py) and the answer each gives until its feature is built.
MENU_ANSWERS = {
    "CHILDCARE": "职工子女寒暑假托管：请直接回复孩子的年龄和想报的托管类型（日托/周托/幼托）。",
    "TRAINING": "菜单式培训：回复“培训菜单”查看可报名的培训班，或直接告诉我您想学的内容。",
    "HARDSHIP": "困难帮扶：请简要说明您的困难情况，工会工作人员会尽快与您联系。",
    "COUNSELING": "心理咨询：职工心理咨询中心为您免费提供咨询，请回复您方便的时间。",
    "GRIEVANCE_FILE": "我要维权：请说明单位名称、发生了什么（如欠薪、被迫辞职）、涉及人数和金额。",
    "GRIEVANCE_STATUS": "案件查询：请回复您的案件编号。",
    "LEGAL": "法律咨询：请直接描述您的问题，我们会为您解答或安排律师。",
    "DIGEST_LATEST": "新乡工会手机报每周五发布，敬请关注。",
    "JOIN": "入会申请：请回复您的姓名和工作单位，快递员、外卖骑手、网约车司机等新就业形态劳动者均可加入。",
    "HUMAN": "正在为您转接工会工作人员，请稍候。工作时间：周一至周五 8:30-17:30。",
}


def _seen(context: Context, incoming: Incoming) -> None:
    # Any message opens WeChat's 48-hour window for customer-service messages.
    worker_for_openid(context.session, incoming.openid, channel=incoming.channel).last_message_at = utcnow()


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
    return TextReply(MENU_ANSWERS.get(incoming.event_key or "", HELP))


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
    return TextReply(f"已收到您的消息：“{incoming.text[:200]}”。\n\n{HELP}")


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
