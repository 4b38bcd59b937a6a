"""Childcare in the chat: sign a child up for an open session, and tell what is on offer."""

from __future__ import annotations

import re
from datetime import date

from models.base import utcnow
from models.childcare import KIND_LABELS, WAITLISTED, CareSession, Kind
from models.errors import DomainError
from models.programs import open_sessions
from models.registrations import ChildInfo, age_on, may_register, register_child, waitlist_position
from models.workers import worker_for_openid

from .dialogue import Dialogue, Reprompt, Step, text_of
from .dialogues import read_name, read_phone
from .messages import TextReply


def describe(care: CareSession) -> str:
    """One line about a session: program, kind, ages, dates, places left."""
    program = care.program
    places = f"余{care.places_left}个名额" if care.places_left else "已满，可排候补"
    return (
        f"{program.title}·{care.name}（{program.kind_label}，{program.min_age}-{program.max_age}岁，"
        f"{care.starts_on:%m月%d日}-{care.ends_on:%m月%d日}，{places}）"
    )


def _open_to_asker(context) -> list[CareSession]:
    """The sessions taking registrations that the worker writing may register for (members_only programs)."""
    incoming = context.incoming
    guardian = worker_for_openid(context.session, incoming.openid, channel=incoming.channel)
    return [s for s in open_sessions(context.session, utcnow()) if may_register(context.session, guardian, s.program)]


def _kinds(context, slots: dict) -> list[tuple[str, str]]:
    offered = {s.program.kind for s in _open_to_asker(context)}
    return [(KIND_LABELS[k], KIND_LABELS[k]) for k in Kind if k in offered]


def _sessions(context, slots: dict) -> list[tuple[str, int]]:
    chosen = slots.get("kind")
    label = chosen["value"] if isinstance(chosen, dict) else chosen  # a plain name in dialogues begun before
    rows = [s for s in _open_to_asker(context) if label is None or s.program.kind_label == label]
    return [(describe(s), s.id) for s in rows]


def _birth_date(text: str, context, slots: dict) -> str:
    match = re.search(r"(20\d{2})\s*[年\-./]?\s*(\d{1,2})\s*[月\-./]?\s*(\d{1,2})", text)
    try:
        born = date(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None
    except ValueError:
        born = None
    if born is None:
        raise Reprompt("请回复孩子的出生日期，例如“2018年5月1日”（报名需要准确的出生日期）")
    care = context.session.get(CareSession, slots["session"]["value"])
    age = age_on(born, care.starts_on)
    if not care.program.min_age <= age <= care.program.max_age:
        raise Reprompt(
            f"开班时孩子{age}岁，这个班招收{care.program.min_age}至{care.program.max_age}岁。"
            "请核对出生日期，或回复“返回”换一个班"
        )
    return born.isoformat()


def _precheck(context, incoming) -> TextReply | None:
    if not open_sessions(context.session, utcnow()):
        return TextReply("目前没有正在报名的托管班。寒暑假托管一般提前一个月开放报名，届时会在本号通知。")
    if not _open_to_asker(context):
        return TextReply(
            "正在报名的托管班只面向举办工会及下属工会的会员，您的会员信息不在其中。"
            "已是会员请回复“人工”核对所在工会；还不是会员可回复“我要入会”。"
        )
    return None


def _register(slots: dict, context, incoming) -> TextReply:
    guardian = worker_for_openid(context.session, incoming.openid, channel=incoming.channel)
    try:
        registration = register_child(
            context.session,
            guardian=guardian,
            session_id=slots["session"]["value"],
            child=ChildInfo(
                slots["child"],
                date.fromisoformat(slots["birth_date"]),
                slots["gender"],
                None if slots["health"] == "无" else slots["health"],
            ),
            guardian_phone=slots["phone"],
            emergency_contact=slots["emergency"],
            consent=True,  # the confirmation text asks for it, and the worker confirmed
        )
    except DomainError as refusal:
        return TextReply(f"报名没有成功：{refusal.message}\n如有疑问请回复“人工”。")
    if registration.status == WAITLISTED:
        position = waitlist_position(context.session, registration)
        return TextReply(f"名额已满，{slots['child']}已进入候补第{position}位。有人退出时会自动递补并通知您。")
    care = registration.session
    return TextReply(
        f"报名成功！{slots['child']}：{care.program.title}·{care.name}，{care.starts_on:%m月%d日}开班，"
        f"地点：{care.program.place}。开班前一天会提醒您。"
    )


def _health(text: str, *_) -> str:
    return "无" if re.fullmatch(r"\s*(无|没有|健康|都好|没)\s*", text) else text_of(1, "对花生过敏", 200)(text)


REGISTER = Dialogue(
    "childcare.register",
    "托管报名",
    [
        Step("kind", "托管类型", "想报哪种托管？", choices=_kinds),
        Step("session", "托管班", "请选择托管班：", choices=_sessions),
        Step("child", "孩子姓名", "孩子的姓名？", read_name),
        Step("birth_date", "出生日期", "孩子的出生日期？例如“2018年5月1日”", _birth_date),
        Step("gender", "性别", "孩子的性别？", options=["男", "女"]),
        Step("phone", "监护人电话", "您（监护人）的手机号码？", read_phone),
        Step("emergency", "紧急联系人", "紧急联系人和电话？例如“奶奶 13937310000”", text_of(4, "奶奶 13937310000", 50)),
        Step("health", "健康情况", "孩子有过敏、疾病等需要老师注意的吗？没有请回复“无”。", _health),
    ],
    _register,
    _precheck,
    consent="提交即表示您作为监护人同意工会为托管服务收集和使用孩子的上述信息。",
)
