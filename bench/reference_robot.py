"""The reference for the /wechat throughput bench: a minimal Flask + wechatpy keyword robot.

It does what the textbook WeChat robot does and nothing more: check the URL signature, decrypt in
safe (AES) mode, parse, answer a TextReply chosen by keyword (encrypted in AES mode). No
de-duplication of WeChat's retries, no nonce or timestamp check, no storage, no thread pool.
It uses our app's development token, appid and EncodingAESKey, so the same pushes work on both.

    gunicorn --workers 2 --bind 127.0.0.1:8001 bench.reference_robot:app
"""

from __future__ import annotations

from flask import Flask, Response, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from config import DEV_DEFAULTS

TOKEN = DEV_DEFAULTS["WECHAT_TOKEN"]
APPID = DEV_DEFAULTS["WECHAT_APPID"]
AES_KEY = DEV_DEFAULTS["WECHAT_AES_KEY"]

HELP = (
    "您好，这里是新乡市总工会职工服务平台。您可以直接发文字或语音告诉我：\n"
    "1. 托管报名 2. 菜单式培训 3. 维权服务 4. 工会手机报 5. 困难帮扶 6. 入会申请\n"
    "回复“人工”可转接工会工作人员。"
)
# First keyword found in the message wins; anything else gets the help text.
KEYWORDS = (
    ("托管", "职工子女寒暑假托管：请直接回复孩子的年龄和想报的托管类型（日托/周托/幼托）。"),
    ("培训", "菜单式培训：回复“培训菜单”查看可报名的培训班，或直接告诉我您想学的内容。"),
    ("维权", "我要维权：请说明单位名称、发生了什么（如欠薪、被迫辞职）、涉及人数和金额。"),
    ("手机报", "新乡工会手机报每周五发布，敬请关注。"),
    ("入会", "入会申请：请回复您的姓名和工作单位，快递员、外卖骑手、网约车司机等均可加入。"),
    ("人工", "正在为您转接工会工作人员，请稍候。工作时间：周一至周五 8:30-17:30。"),
)

app = Flask(__name__)
crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)


def answer(text: str) -> str:
    """Return the reply to a text: the first keyword's answer, or the help text."""
    for keyword, reply in KEYWORDS:
        if keyword in text:
            return reply
    return HELP


@app.route("/wechat", methods=["GET", "POST"])
def wechat() -> Response:
    """WeChat's server verification (GET) and message pushes (POST)."""
    args = request.args
    nonce, timestamp = args.get("nonce", ""), args.get("timestamp", "")
    try:
        check_signature(TOKEN, args.get("signature", ""), timestamp, nonce)
    except InvalidSignatureException:
        return Response("forbidden", status=403, mimetype="text/plain")
    if request.method == "GET":
        return Response(args.get("echostr", ""), mimetype="text/plain")
    aes = args.get("encrypt_type", "raw") == "aes"
    body = request.get_data()
    try:
        xml = crypto.decrypt_message(body, args.get("msg_signature", ""), timestamp, nonce) if aes else body
    except (InvalidSignatureException, InvalidAppIdException):
        return Response("forbidden", status=403, mimetype="text/plain")
    message = parse_message(xml)
    if message.type != "text":
        return Response("success", mimetype="text/plain")
    reply = TextReply(content=answer(message.content), message=message).render()
    if aes:
        reply = crypto.encrypt_message(reply, nonce, timestamp)
    return Response(reply, mimetype="application/xml")
