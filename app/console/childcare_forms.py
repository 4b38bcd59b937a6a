"""Childcare forms in the console: the admin API's schemas read from posted forms, with the fields' Chinese names."""

from __future__ import annotations

import re
from datetime import datetime

from flask import request
from pydantic import ConfigDict

from models.base import LOCAL_TZ, as_utc
from models.childcare import Program

from ..admin.schemas import CareSessionIn, ProgramIn, ProgramPatch
from .web import FormInvalid, form

# Forms post text: the console's copies of the API's schemas convert "40" and "2027-01-25" as typed.
LAX = ConfigDict(extra="ignore", strict=False)


class ProgramForm(ProgramIn):
    model_config = LAX


class ProgramEditForm(ProgramPatch):
    model_config = LAX


class SessionForm(CareSessionIn):
    model_config = LAX


PROGRAM_LABELS = {
    "union_id": "主办工会",
    "title": "项目名称",
    "season": "季节",
    "year": "年度",
    "kind": "托管类型",
    "min_age": "最小年龄",
    "max_age": "最大年龄",
    "place": "托管地点",
    "daily_hours": "每日时间",
    "fee_yuan": "收费",
    "courses": "课程",
    "timetable": "作息安排",
    "meals": "餐饮",
    "staff": "师资配备",
    "members_only": "仅限会员",
    "registration_opens": "报名开始时间",
    "registration_closes": "报名截止时间",
}
SESSION_LABELS = {"name": "期次名称", "starts_on": "开班日期", "ends_on": "结班日期", "capacity": "名额"}
# Text a program may have none of: a field emptied in the edit form clears it instead of being left as it was.
CLEARABLE = ("timetable", "meals", "staff")
NEW_PROGRAM = dict(season="summer", kind="day", min_age="6", max_age="12", fee_yuan="0", members_only="on")
_SEPARATORS = re.compile(r"[、,，;；\n]+")


def program_form(model: type[ProgramForm] | type[ProgramEditForm]):
    """Read the program form: courses one a line (or 、-separated), the box for members, times in China's time."""
    extra: dict = {
        "courses": [c.strip() for c in _SEPARATORS.split(request.form.get("courses", "")) if c.strip()],
        "members_only": request.form.get("members_only") == "on",
        **{name: "" for name in CLEARABLE if name in request.form and not request.form[name].strip()},
    }
    for name in ("registration_opens", "registration_closes"):
        moment = local_moment(name, PROGRAM_LABELS[name])
        if moment is not None:
            extra[name] = moment
    if model is ProgramEditForm:
        # Blank required fields are errors when editing too ("项目名称不能为空"), not "keep the old value".
        extra |= {name: "" for name in ("title", "place", "daily_hours") if not request.form.get(name, "").strip()}
    return form(model, PROGRAM_LABELS, **extra)


def session_form() -> SessionForm:
    return form(SessionForm, SESSION_LABELS)


def local_moment(name: str, label: str) -> datetime | None:
    """Read a datetime-local field as a time in China; None when blank."""
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=LOCAL_TZ)
    except ValueError as error:
        raise FormInvalid(f"{label}应为日期和时间，如 2027-05-15 08:00") from error


def changes(program: Program, fields: dict) -> dict:
    """Keep the fields whose value differs from the program's (times compared as instants)."""

    def same(old, new) -> bool:
        return as_utc(old) == as_utc(new) if isinstance(new, datetime) else old == new

    return {name: value for name, value in fields.items() if not same(getattr(program, name), value)}


def program_values(program: Program | None) -> dict:
    """The form's values for a program (its current ones), or a new program's defaults."""
    if program is None:
        return NEW_PROGRAM
    moment = "%Y-%m-%dT%H:%M"
    return {
        "title": program.title,
        "season": program.season,
        "year": str(program.year),
        "kind": program.kind,
        "min_age": str(program.min_age),
        "max_age": str(program.max_age),
        "place": program.place,
        "daily_hours": program.daily_hours,
        "fee_yuan": str(program.fee_yuan),
        "courses": "\n".join(program.courses),
        "timetable": program.timetable,
        "meals": program.meals,
        "staff": program.staff,
        "members_only": "on" if program.members_only else "",
        "registration_opens": as_utc(program.registration_opens).astimezone(LOCAL_TZ).strftime(moment),
        "registration_closes": as_utc(program.registration_closes).astimezone(LOCAL_TZ).strftime(moment),
    }
