"""Grievances (维权) in the chat: file a case, follow one's cases, add details and pictures, rate the handling."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from models.base import LOCAL_TZ, as_utc
from models.errors import DomainError
from models.grievance_cases import (
    OPEN_STATES,
    WORKER,
    Complaint,
    add_information,
    cases_of,
    collective_size,
    file_case,
    note_shown_to_worker,
    rate_case,
)
from models.grievance_deadlines import ACCEPT, rules
from models.grievances import CATEGORIES, CLOSED, RECEIVED, RESOLVED, CaseEvent, GrievanceCase
from models.workers import Worker, worker_for_openid

from .answers import number
from .dialogue import Dialogue, Reprompt, Step, text_of
from .dialogues import read_name, read_phone
from .messages import Incoming, TextReply
from .state import StoreUnavailable

STATUS = "grievance.status"
SHOWN = 5  # cases listed in the chat; the mini-program lists them all
MAX_PICTURES = 20  # what the domain takes with one complaint
CODES = {label: code for code, label in CATEGORIES.items()}
ACTIONS = {"received": "收到求助"}  # the domain's actions are Chinese words, but for this one
ADDED = "补充材料"  # the action of what the worker adds (models.grievance_cases.add_information)
_CASE = r"WQ\d{8,}"
_SCORE = r"(?:[\s,，:：]+|(?=[一二三四五六七八九十]))(\d+|[一二三四五六七八九十]+)"
_RATE = re.compile(rf"^(?:评价|评分|打分)\s*[:：]?\s*({_CASE}){_SCORE}\s*[分星]?\s*[,，。;；:：]?\s*(.*)$", re.I | re.S)
_RATE_LIKE = re.compile(r"^(?:评价|评分|打分)\s*[:：]?\s*(?:WQ|\d)", re.I)
_ADD = re.compile(rf"^补充(?:材料|情况|说明|证据)?\s*[:：]?\s*({_CASE})\s*[,，:：]?\s*(.*)$", re.I | re.S)


def _count(text: str, *_) -> int:
    value = number(text)
    if value is None or not 1 <= value <= 100000:
        raise Reprompt("请回复涉及的人数，例如：“13”或“十三人”")
    return int(value)


def _amount(text: str, *_) -> dict:
    """Read an amount owed as {"label": 39,000元, "value": "39000.00"}; none is {"label": 不涉及, "value": None}."""
    if re.fullmatch(r"\s*(没有|无|不涉及|0)\s*", text):
        return {"label": "不涉及", "value": None}
    value = number(text)
    if value is None or not 0 <= value < 100_000_000:
        raise Reprompt("请回复大约的金额，例如：“8000”“1.2万”，不涉及钱款请回复“没有”")
    amount = Decimal(f"{value:.2f}")
    shown = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return {"label": f"{shown}元", "value": str(amount)}


def _who(context, incoming: Incoming) -> dict:
    return {"openid": incoming.openid, "channel": incoming.channel}


def _unnamed(context, slots: dict) -> bool:
    """Tell whether the union does not know the worker's name yet (the 告知书 to the worker needs it)."""
    if "openid" not in slots:  # a dialogue begun before the name was asked for
        return False
    return worker_for_openid(context.session, slots["openid"], channel=slots["channel"]).name is None


def _contact_note(context, slots: dict) -> str:
    return "另请写上您的姓名，工会出具的告知书上要写明，例如：“王丽 13837310011”" if _unnamed(context, slots) else ""


def _contact(text: str, context, slots: dict):
    """Read the phone number; from a worker the union has no name for, their name with it."""
    found = re.search(r"(?:\+?86)?1[3-9](?:[\s-]?\d){9}", text)
    phone = read_phone(found.group() if found else text)
    if not _unnamed(context, slots):
        return phone
    rest = re.sub(r"我叫|我是|姓名|名字|电话|手机|号码|联系方式", "", text.replace(found.group(), "") if found else "")
    try:
        name = read_name(re.sub(r"[^\u4e00-\u9fff·]", "", rest))
    except Reprompt:
        raise Reprompt("请回复您的姓名和手机号码，例如：“王丽 13837310011”") from None
    return {"label": f"{phone}（{name}）", "value": phone, "name": name}


def _worker(context, incoming: Incoming) -> Worker:
    return worker_for_openid(context.session, incoming.openid, channel=incoming.channel)


def _day(moment: datetime | None) -> str:
    local = as_utc(moment).astimezone(LOCAL_TZ)
    return f"{local.month}月{local.day}日"


def _collective(context, case: GrievanceCase) -> tuple[int, int] | None:
    """Return (cases, workers) of the collective case this one belongs to, or None when it stands alone."""
    cases, workers = collective_size(context.session, case)
    return (cases, workers) if cases > 1 else None


def _file(slots: dict, context, incoming: Incoming) -> TextReply:
    pictures, contact = slots.get("media_ids", []), slots["phone"]
    # A dialogue begun before this version kept the amount as its label (39,000元): read it again.
    amount = slots["amount"] if isinstance(slots["amount"], dict) else _amount(slots["amount"])
    worker = _worker(context, incoming)
    if isinstance(contact, dict):
        worker.name = worker.name or contact["name"]
    complaint = Complaint(
        category=CODES[slots["category"]],
        employer=slots["employer"],
        facts=slots["details"],
        workers_count=slots["workers"],
        amount_owed=None if amount["value"] is None else Decimal(amount["value"]),
        contact_phone=contact["value"] if isinstance(contact, dict) else contact,
        address=slots["place"],  # the domain finds the county and the township in it
        media_ids=pictures,
    )
    try:
        case = file_case(context.session, worker=worker, channel=incoming.channel, complaint=complaint)
    except DomainError as refusal:
        return TextReply(f"没有提交成功：{refusal.message}\n请重新回复“我要维权”，或回复“人工”找工作人员。")
    days, working = rules(context.session)[ACCEPT]
    lines = [
        f"维权求助已提交，编号 {case.number}。",
        f"由{case.union.name}受理（{case.routing_reason}），"
        f"工会将在{days}个{'工作日' if working else '自然日'}内（{_day(case.deadline_at)}前）受理并告诉您经办人。",
    ]
    together = _collective(context, case)
    if together is not None:
        lines.append(
            f"同一单位已有职工反映同样的问题，您的求助已并入集体案件（共{together[0]}件、{together[1]}人），工会一并办理。"
        )
    if pictures:
        lines.append(f"已附图片{len(pictures)}张作为证据。")
    lines.append(
        "办理的每一步都会在这里通知您。可以继续发送图片（工资条、聊天记录等）作为证据，回复“案件查询”查看进度。"
    )
    return TextReply("\n".join(lines))


FILE = Dialogue(
    "grievance.file",
    "维权求助",
    [
        Step("category", "问题", "遇到了什么问题？", options=list(CATEGORIES.values())),
        Step("employer", "单位", "用人单位的名称？", text_of(2, "获嘉县恒达机械有限公司", 100)),
        Step("place", "地点", "单位在哪个县区、乡镇？", text_of(2, "获嘉县亢村镇", 100)),
        Step("workers", "人数", "涉及多少名职工？", _count),
        Step("amount", "金额", "涉及多少钱（如欠薪金额）？不涉及请回复“没有”。", _amount),
        Step(
            "details",
            "经过",
            "请简单说说经过（也可以随时发送图片作为证据）：",
            text_of(5, "公司以搬迁为由让我们写自愿辞职报告，只给一个月工资"),
        ),
        Step("phone", "电话", "方便联系您的手机号码？", _contact, note=_contact_note),
    ],
    _file,
    begin=_who,
)


def _open_case(context, worker: Worker) -> GrievanceCase | None:
    return next((c for c in cases_of(context.session, worker) if c.status in OPEN_STATES), None)


def picture(incoming: Incoming, context) -> TextReply | None:
    """Keep a picture as evidence: for the case being filed, else on the worker's latest open case; else None."""
    if not incoming.media_id:
        return None
    if context.store is not None:
        try:
            with context.store.locked(incoming.openid):
                state = context.store.load(incoming.openid)
                if state is not None and state.dialogue == FILE.name:
                    pictures = state.slots.setdefault("media_ids", [])
                    if len(pictures) >= MAX_PICTURES:
                        return TextReply(f"每件维权求助最多附{MAX_PICTURES}张图片，这张没有收下。")
                    pictures.append(incoming.media_id)
                    context.store.save(incoming.openid, state)
                    slots = state.slots
                    ask = FILE.confirmation(slots) if state.confirming else FILE.ask(state.step, context, slots)
                    return TextReply(f"图片已收到（共{len(pictures)}张），提交后作为证据附在案件中。\n\n{ask}")
        except StoreUnavailable:
            pass  # whether a dialogue is open is unknown: the picture goes to the open case, if any
    worker = _worker(context, incoming)
    case = _open_case(context, worker)
    if case is None:
        return None
    try:
        add_information(context.session, worker=worker, case_id=case.id, text="", media_ids=[incoming.media_id])
    except DomainError as refusal:
        return TextReply(f"图片没有附上：{refusal.message}")
    return TextReply(
        f"图片已收到，已作为证据附在案件 {case.number}（{case.employer_name}）中。"
        f"如需说明图片内容，请回复“补充 {case.number} 说明”。"
    )


def _step(event: CaseEvent) -> str:
    """Say what happened: the action and when; officials' notes are for the record, a document's number is shown."""
    action = ACTIONS.get(event.action, event.action)
    shown = event.note and note_shown_to_worker(event)
    return f"{_day(event.at)} {action}" + (f"（{event.note}）" if shown else "")


def _describe(context, index: int, case: GrievanceCase) -> str:
    together = _collective(context, case)
    group = f"，集体案件共{together[1]}人" if together else ""
    lines = [
        f"{index}. {case.number}｜{case.employer_name}",
        f"   {case.category_label}｜{case.status_label}{group}",
        f"   受理工会：{case.union.name}",
    ]
    # The union's last step: what the worker added, they know; the list shows where the handling stands.
    steps = [e for e in case.events if not (e.actor == WORKER and e.action == ADDED)]
    if steps:
        lines.append(f"   最新进展：{_step(steps[-1])}")
    if case.amount_recovered:
        lines.append(f"   追回金额：{case.amount_recovered:,.2f}元")
    if case.deadline_at is not None:
        lines.append(f"   {'受理' if case.status == RECEIVED else '办理'}期限：{_day(case.deadline_at)}")
    if case.rating is not None:
        lines.append(f"   您的评价：{case.rating}分")
    return "\n".join(lines)


def status(incoming: Incoming, context) -> TextReply:
    """List the worker's cases, newest first, with what to do next: add to an open one, rate a resolved one."""
    cases = cases_of(context.session, _worker(context, incoming))
    if not cases:
        return TextReply(
            "您还没有维权求助记录。遇到欠薪、被迫辞职、工伤等问题，回复“我要维权”或点菜单“我要维权”即可求助。"
        )
    shown = cases[:SHOWN]
    more = f"（共{len(cases)}件，显示最近{SHOWN}件）" if len(cases) > SHOWN else ""
    parts = [f"您的维权案件{more}：", *(_describe(context, i, c) for i, c in enumerate(shown, 1))]
    still_open = [c for c in shown if c.status in OPEN_STATES]
    if still_open:
        parts.append(
            f"有新情况可回复“补充 {still_open[0].number} 新情况”，或直接发送图片作为证据"
            f"（附在最近的案件 {still_open[0].number} 中）。"
        )
    unrated = [c for c in shown if c.status in (RESOLVED, CLOSED) and c.rating is None]
    if unrated:
        parts.append(
            "对办理情况满意吗？请为工会打分（1到5分，分数后可写意见）：\n"
            + "\n".join(f"回复“评价 {c.number} 5”" for c in unrated)
        )
    return TextReply("\n\n".join(parts))


def command(incoming: Incoming, context) -> TextReply | None:
    """Answer "评价 <number> <1-5> [comment]" and "补充 <number> <text>"; None for any other text."""
    text = unicodedata.normalize("NFKC", incoming.text or "").strip()
    rating, adding = _RATE.match(text), _ADD.match(text)
    if rating is not None:
        return _rate(incoming, context, rating.group(1).upper(), rating.group(2), rating.group(3))
    if adding is not None:
        return _add(incoming, context, adding.group(1).upper(), adding.group(2))
    if _RATE_LIKE.match(text):
        return TextReply(
            "评价请按“评价 案件编号 分数 意见”回复，分数为1到5分，例如“评价 WQ202611230001 5 处理及时”。"
            "回复“案件查询”可看到您的案件编号。"
        )
    return None


def _own(context, worker: Worker, case_number: str) -> GrievanceCase | None:
    query = select(GrievanceCase).where(GrievanceCase.number == case_number, GrievanceCase.worker_id == worker.id)
    return context.session.scalar(query)


def _not_found(case_number: str) -> TextReply:
    return TextReply(f"没有找到您名下编号为 {case_number} 的维权案件。回复“案件查询”可查看您的案件和编号。")


def _rate(incoming: Incoming, context, case_number: str, score: str, comment: str) -> TextReply:
    worker = _worker(context, incoming)
    case = _own(context, worker, case_number)
    if case is None:
        return _not_found(case_number)
    value = int(score) if score.isdigit() else number(score)
    try:
        rate_case(context.session, worker=worker, case_id=case.id, score=int(value or 0), comment=comment)
    except DomainError as refusal:
        return TextReply(f"没有评价成功：{refusal.message}")
    return TextReply(f"感谢您的评价！案件 {case.number} 评为{case.rating}分。工会会根据职工的评价改进工作。")


def _add(incoming: Incoming, context, case_number: str, text: str) -> TextReply:
    worker = _worker(context, incoming)
    case = _own(context, worker, case_number)
    if case is None:
        return _not_found(case_number)
    if not text.strip():
        return TextReply(f"请在编号后写上要补充的情况，例如“补充 {case.number} 公司今天又通知我们周五前搬走”。")
    try:
        add_information(context.session, worker=worker, case_id=case.id, text=text)
    except DomainError as refusal:
        return TextReply(f"没有补充成功：{refusal.message}")
    return TextReply(f"已补充到案件 {case.number}，经办的工会工作人员会看到。")
