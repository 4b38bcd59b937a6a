"""Requests answered with a ticket for an official (membership, suggestions); features with a domain have modules."""

from __future__ import annotations

import re

from models.errors import Conflict, Invalid
from models.identity import normalize_phone
from models.tickets import open_ticket
from models.workers import worker_for_openid

from .dialogue import Dialogue, Reprompt, Step, text_of
from .messages import TextReply

# Words that are in what workers write, never in a name: "我要入会" at the name step is the request again.
NOT_A_NAME = re.compile("我|你|您|怎么|什么|工会|入会|报名|托管|维权|培训|请问|[吗呢吧]$")


def read_name(text: str, *_) -> str:
    name = re.sub(r"\s", "", text)
    if not re.fullmatch(r"[\u4e00-\u9fff·]{2,10}", name) or NOT_A_NAME.search(name):
        raise Reprompt("请回复您的真实姓名（2到10个汉字），例如：“张伟”")
    return name


def read_phone(text: str, *_) -> str:
    try:
        return normalize_phone(text)
    except Invalid as error:
        raise Reprompt("请回复11位手机号码，例如：“13837310001”") from error


def _reply_number(ticket, what: str, when: str) -> TextReply:
    return TextReply(f"{what}已提交，编号 {ticket.number}。{when}可回复“人工”咨询工作人员。")


def _join(slots: dict, context, incoming) -> TextReply:
    worker = worker_for_openid(context.session, incoming.openid, channel=incoming.channel)
    worker.name = worker.name or slots["name"]
    try:
        if worker.phone is None:
            worker.phone = slots["phone"]
            context.session.flush()
    except Conflict:
        context.session.rollback()
        worker = worker_for_openid(context.session, incoming.openid, channel=incoming.channel)
    summary = "\n".join(f"{k}：{slots[k]}" for k in ("name", "occupation", "employer", "phone"))
    ticket = open_ticket(
        context.session,
        openid=incoming.openid,
        channel=incoming.channel,
        kind="membership",
        summary=summary,
        employer=slots["employer"],
    )
    return _reply_number(ticket, "入会申请", "工会审核后会通知您结果；")


def _already_member(context, incoming) -> TextReply | None:
    worker = worker_for_openid(context.session, incoming.openid, channel=incoming.channel)
    if not worker.is_member:
        return None
    return TextReply(f"您已是{worker.union.name}的会员（{worker.member_since:%Y年%m月%d日}入会），无需重复申请。")


def _suggest(slots: dict, context, incoming) -> TextReply:
    summary = f"建议：{slots['content']}\n单位：{slots['employer']}"
    ticket = open_ticket(
        context.session,
        openid=incoming.openid,
        channel=incoming.channel,
        kind="suggestion",
        summary=summary,
        employer=slots["employer"],
    )
    return _reply_number(ticket, "您的金点子", "工会会定期评选并反馈采纳情况；")


OCCUPATIONS = ["企业职工", "外卖骑手", "快递员", "网约车司机", "货车司机", "其他"]
DIALOGUES = {
    d.name: d
    for d in (
        Dialogue(
            "membership.join",
            "申请入会",
            [
                Step("name", "姓名", "请问您的姓名？", read_name),
                Step("occupation", "职业", "您从事哪类工作？", options=OCCUPATIONS),
                Step("employer", "单位或平台", "您的工作单位或所在平台？", text_of(2, "获嘉县恒达机械有限公司", 100)),
                Step("phone", "手机", "您的手机号码？", read_phone),
            ],
            _join,
            _already_member,
        ),
        Dialogue(
            "suggestion.submit",
            "金点子",
            [
                Step(
                    "content",
                    "建议",
                    "请写下您的建议（做法和好处）：",
                    text_of(10, "车间夜班增加一名安全巡查员，减少事故隐患"),
                ),
                Step("employer", "单位", "您所在的单位？", text_of(2, "新乡县华兴食品有限公司", 100)),
            ],
            _suggest,
        ),
    )
}
