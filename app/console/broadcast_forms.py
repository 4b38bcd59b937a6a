"""The broadcast form of the console: read into the admin API's BroadcastIn, and an audience said in words."""

from __future__ import annotations

import re
from contextlib import contextmanager

from flask import request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from models.childcare import CareSession
from models.enterprises import Enterprise
from models.errors import Invalid
from models.training import TrainingClass
from models.unions import TradeUnion

from ..admin.broadcast_schemas import BroadcastIn
from .web import FormInvalid, describe

MAX_ID = 2**31 - 1
KINDS = {"text": "文字消息", "article": "图文消息（链接到一篇文章）", "template": "模板消息（小程序订阅消息）"}
# The domain names the message's fields as the API does (message.text); officials read these instead.
FIELD_LABELS = {
    "title": "标题",
    "message.text": "消息内容",
    "message.title": "文章标题",
    "message.description": "文章摘要",
    "message.url": "文章链接",
    "message.picurl": "封面图片地址",
    "message.template_id": "模板编号",
    "message.data": "模板内容",
    "message.page": "小程序页面",
}
_TEMPLATE_LINE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*[=:：]\s*(.+?)\s*")
_TAGS = re.compile(r"[,，、;；\s]+")


def read_broadcast() -> BroadcastIn:
    """Read the posted compose form: a title, a message of one type and an audience."""
    data = {"title": _field("title"), "message": _message(), "audience": _audience()}
    try:
        return BroadcastIn.model_validate(data)
    except ValidationError as error:
        raise FormInvalid(describe(error, FIELD_LABELS)) from error


@contextmanager
def in_words():
    """Say the domain's refusals of a message with the form's labels rather than the API's field names."""
    try:
        yield
    except Invalid as error:
        field = error.detail.get("field") or ""
        if field not in FIELD_LABELS:
            raise
        raise Invalid(error.message.replace(field, FIELD_LABELS[field]), field=field) from error


def _field(name: str) -> str:
    # Browsers send a textarea's line breaks as CR LF; messages keep plain LF.
    return request.form.get(name, "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _message() -> dict:
    kind = request.form.get("type", "")
    if kind == "text":
        return {"type": "text", "text": _field("text")}
    if kind == "article":
        return {
            "type": "article",
            "title": _field("article_title"),
            "description": _field("description"),
            "url": _field("url"),
            "picurl": _field("picurl") or None,
        }
    if kind == "template":
        fields = {}
        for line in filter(None, _field("template_data").split("\n")):
            found = _TEMPLATE_LINE.fullmatch(line)
            if found is None:
                raise Invalid("模板内容每行写一项：字段名=内容，如 thing1=防暑降温用品发放", field="message.data")
            fields[found[1]] = {"value": found[2]}
        page = _field("page") or None
        return {"type": "template", "template_id": _field("template_id"), "data": fields, "page": page}
    raise Invalid("请选择消息类型：" + "、".join(KINDS.values()), field="message.type")


def _audience() -> dict:
    if request.form.get("audience") == "everyone":
        return {"everyone": True}
    audience: dict = {}
    unions = _ids("unions")
    if unions:
        audience["unions"], audience["below"] = unions, request.form.get("below") == "1"
    industries = [value for value in request.form.getlist("industries") if value.strip()]
    if industries:
        audience["industries"] = industries
    enterprises = _ids("enterprise_ids")
    if enterprises:
        audience["enterprise_ids"] = enterprises
    tags = [tag for tag in _TAGS.split(_field("tags")) if tag]
    if tags:
        audience["tags"] = tags
    for name in ("care_session_id", "training_class_id"):
        chosen = _ids(name)
        if chosen:
            audience[name] = chosen[0]
    return audience


def _ids(name: str) -> list[int]:
    values = [value.strip() for value in request.form.getlist(name) if value.strip()]
    if not all(value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID for value in values):
        raise Invalid("发送对象的选项有误，请刷新页面后重选", field="audience")
    return [int(value) for value in values]


def audience_in_words(session: Session, audience: dict) -> list[str]:
    """Say who a push reaches, one line per kind of criterion (the kinds narrow each other)."""
    if audience.get("everyone"):
        return ["本单位及下级工会的全部职工"]

    def names(model, ids, attribute="name") -> str:
        rows = (session.get(model, i) for i in ids)
        return "、".join(getattr(row, attribute) for row in rows if row is not None)

    lines = []
    if audience.get("unions"):
        below = "（含下级工会）" if audience.get("below", True) else "（不含下级工会）"
        lines.append(f"工会：{names(TradeUnion, audience['unions'])}{below}")
    if audience.get("industries"):
        lines.append("行业：" + "、".join(audience["industries"]))
    if audience.get("enterprise_ids"):
        lines.append("企业：" + names(Enterprise, audience["enterprise_ids"]))
    if audience.get("tags"):
        lines.append("标签：" + "、".join(audience["tags"]))
    if audience.get("care_session_id"):
        care = session.get(CareSession, audience["care_session_id"])
        lines.append(f"托管班次：{care.program.title} {care.name} 的家长" if care else "托管班次（已删除）")
    if audience.get("training_class_id"):
        lines.append(f"培训班：{names(TrainingClass, [audience['training_class_id']], 'title')} 的学员")
    return lines
