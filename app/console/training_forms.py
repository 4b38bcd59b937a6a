"""Training forms in the console: the admin API's schemas read from posted forms, and the fields they need."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from flask import flash, request
from pydantic import ConfigDict, ValidationError

from models.base import LOCAL_TZ
from models.errors import DomainError
from models.surveys import KIND_LABELS

from ..admin.survey_schemas import SurveyIn
from ..admin.training_schemas import CancelIn, ClassIn, QuotaIn, TopicIn
from ..extensions import db
from .web import FormInvalid, describe

# Forms post text: the console's copies of the API's schemas convert "30" and "2026-12-14" as typed.
LAX = ConfigDict(extra="ignore", strict=False)


class TopicForm(TopicIn):
    model_config = LAX


class ClassForm(ClassIn):
    model_config = LAX


class QuotaForm(QuotaIn):
    model_config = LAX


class CancelForm(CancelIn):
    model_config = LAX


TOPIC_LABELS = {
    "title": "科目名称",
    "industry": "面向行业",
    "description": "培训内容",
    "experts": "授课专家",
    "days": "培训天数",
    "hours": "课时",
    "audience": "培训对象",
}
CLASS_LABELS = {
    "topic_id": "培训科目",
    "title": "班级名称",
    "starts_on": "开班日期",
    "ends_on": "结业日期",
    "place": "培训地点",
    "capacity": "名额",
    "registration_closes": "报名截止时间",
    "experts": "授课专家",
    "hours": "课时",
}
SURVEY_LABELS = {
    "title": "问卷标题",
    "intro": "问卷说明",
    "audience": "调查对象",
    "industries": "行业",
    "enterprise_ids": "企业",
    "opens_at": "开始时间",
    "closes_at": "截止时间",
    "questions": "题目",
}
QUESTION_BLOCKS, MOST_QUESTION_BLOCKS = 5, 50
_SEPARATORS = re.compile(r"[、,，;；\s]+")


def lines(name: str) -> list[str]:
    """Return the non-blank lines of a text area (one expert, one option a line)."""
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


def words(name: str) -> list[str]:
    """Return the items of a field written as 煤炭、化工 or 煤炭, 化工."""
    return [word for word in _SEPARATORS.split(request.form.get(name, "")) if word]


def local_moment(name: str, label: str) -> datetime | None:
    """Read a datetime-local field as a time in China; None when blank."""
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=LOCAL_TZ)
    except ValueError as error:
        raise FormInvalid(f"{label}应为日期和时间，如 2027-01-05 18:00") from error


def number(name: str, label: str) -> int | None:
    """Read an id or a count posted as text; None when blank."""
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise FormInvalid(f"{label}应为整数")
    return int(raw)


def question_blocks() -> int:
    """How many blank questions the new-survey form shows (?questions=8 for more)."""
    asked = request.args.get("questions", "")
    return min(int(asked), MOST_QUESTION_BLOCKS) if asked.isdigit() and int(asked) > 0 else QUESTION_BLOCKS


def survey_form() -> SurveyIn:
    """Read the new-survey form: its fields, then the question blocks that have a question written in them."""
    questions = []
    for n in range(1, MOST_QUESTION_BLOCKS + 1):
        text = request.form.get(f"q{n}_text", "").strip()
        if not text:
            continue
        kind = request.form.get(f"q{n}_kind", "single")
        if kind not in KIND_LABELS:
            raise FormInvalid(f"第{len(questions) + 1}题的题型不是可选的值")
        most = number(f"q{n}_max", f"第{len(questions) + 1}题的最多选几项")
        questions.append(
            {
                "kind": kind,
                "text": text,
                "required": request.form.get(f"q{n}_required") == "on",
                "options": lines(f"q{n}_options") if kind != "text" else [],
                "max_choices": most if kind == "multiple" else None,
                "max_length": 500 if kind == "text" else None,
            }
        )
    if not questions:
        raise FormInvalid("请至少写一道题")
    audience = request.form.get("audience", "")
    data = {
        "title": request.form.get("title", "").strip(),
        "intro": request.form.get("intro", "").strip().replace("\r\n", "\n"),
        "audience": audience,
        "industries": words("industries") if audience == "industry" else [],
        "enterprise_ids": [int(i) for i in request.form.getlist("enterprise_ids") if i.isdigit()]
        if audience == "enterprises"
        else [],
        "opens_at": local_moment("opens_at", "开始时间"),
        "closes_at": local_moment("closes_at", "截止时间"),
        "questions": questions,
    }
    try:
        return SurveyIn.model_validate({key: value for key, value in data.items() if value is not None})
    except ValidationError as error:
        raise FormInvalid(describe(error, SURVEY_LABELS)) from error


def uploaded_file() -> bytes:
    """Return the uploaded list's bytes; the admin API's reader checks that it is an Excel list."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise FormInvalid("请选择名单文件（Excel，列：姓名、手机号、岗位）")
    return upload.read()


def refill(error: DomainError, page: Callable[[], str]) -> tuple[str, int]:
    """Show a refused form again with what was typed and the reason, instead of losing a long form."""
    db.session.rollback()
    flash(error.message, "error")
    return page(), 400
