"""Broadcasts in the admin API: request bodies (the domain checks message and audience) and pushes as JSON."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, StringConstraints

from models.base import as_utc
from models.pushes import PUSH_STATUS_LABELS, Push

from .schemas import Body, Id, printable
from .serialize import union_ref

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(printable)
]
OpenId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(printable)]


class BroadcastIn(Body):
    union_id: Id | None = None  # the official's own union when left out: the audience stays within its scope
    title: Title
    # {"type": "text", "text"} | {"type": "article", "title", "description", "url", "picurl"}
    # | {"type": "template", "template_id", "data", "page"}
    message: dict
    # {"everyone": true} or any of "unions" (+ "below"), "industries", "enterprise_ids", "tags",
    # "care_session_id", "training_class_id": kinds narrow each other, values of one kind add up
    audience: dict
    send_at: AwareDatetime | None = None  # kept with the draft; scheduling it is a separate step


class ScheduleIn(Body):
    send_at: AwareDatetime | None = None  # the time kept with the draft when left out


class WeChatIn(Body):
    openid: OpenId | None  # null unbinds


def _at(moment) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()


def broadcast(row: Push, progress: dict | None = None) -> dict:
    body = {
        "id": row.id,
        "kind": row.kind,
        "union": union_ref(row.union),
        "title": row.title,
        "message": {k: v for k, v in row.message.items() if k != "media_id"},
        "audience": row.audience,
        "status": row.status,
        "status_label": PUSH_STATUS_LABELS[row.status],
        "send_at": _at(row.send_at),
        "recipients": row.recipients,
        "created_at": _at(row.created_at),
        "started_at": _at(row.started_at),
        "finished_at": _at(row.finished_at),
        "paused_until": _at(row.paused_until),
    }
    if progress is not None:
        body["progress"] = progress
    return body
