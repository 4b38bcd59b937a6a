"""Turn a WeChat push (XML or the mini-program's JSON) into fields, refusing anything unsafe."""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.messages import Incoming

MAX_DEPTH = 5  # the deepest WeChat event (SendPicsInfo/PicList/item/PicMd5Sum) is 4
MAX_ELEMENTS = 100
MAX_FIELD = 8192


class BadPush(ValueError):
    """A body that is not a well-formed WeChat message."""


def parse_xml(body: bytes) -> dict[str, Any]:
    """Parse XML without DTDs or entities, bounded in depth and size."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise BadPush("not well-formed XML") from error
    if root.tag != "xml":
        raise BadPush("root element is not <xml>")
    if sum(1 for _ in root.iter()) > MAX_ELEMENTS:
        raise BadPush("too many elements")
    return _fields(root, 1)


def _fields(element: Element, depth: int) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise BadPush("nested too deeply")
    fields: dict[str, Any] = {}
    for child in element:
        fields[child.tag] = _fields(child, depth + 1) if len(child) else (child.text or "").strip()
    return fields


def parse_json(body: bytes) -> dict[str, Any]:
    """Parse the mini-program's JSON push format."""
    try:
        fields = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadPush("not JSON") from error
    if not isinstance(fields, dict):
        raise BadPush("not a JSON object")
    return {str(k): v if isinstance(v, dict | list) else ("" if v is None else str(v)) for k, v in fields.items()}


def _text(fields: dict, name: str, required: bool = False) -> str | None:
    value = fields.get(name)
    if isinstance(value, dict | list) or (value is not None and len(value) > MAX_FIELD):
        raise BadPush(f"{name} is malformed")
    if required and not value:
        raise BadPush(f"{name} is missing")
    return value or None


def _number(fields: dict, name: str, kind=int):
    value = _text(fields, name)
    if value is None:
        return None
    try:
        return kind(value)
    except ValueError as error:
        raise BadPush(f"{name} is not a number") from error


def to_incoming(fields: dict[str, Any], channel: str) -> tuple[Incoming, str]:
    """Return the message and the key that identifies it across WeChat's retries."""
    openid = _text(fields, "FromUserName", required=True)
    kind = _text(fields, "MsgType", required=True)
    created_at = _number(fields, "CreateTime")
    if created_at is None:
        raise BadPush("CreateTime is missing")
    if kind == "event":
        event = _text(fields, "Event", required=True)
        event_key = _text(fields, "EventKey")
        key = f"{openid}:{created_at}:{event}:{event_key or ''}"
    else:
        msg_id = _number(fields, "MsgId")
        if msg_id is None:
            raise BadPush("MsgId is missing")
        event = event_key = None
        key = f"{openid}:{msg_id}"
    text = _text(fields, "Content") if kind == "text" else _text(fields, "Recognition") if kind == "voice" else None
    incoming = Incoming(
        channel=channel,
        openid=openid,
        kind=kind,
        created_at=created_at,
        text=text,
        event=event,
        event_key=event_key,
        media_id=_text(fields, "MediaId"),
        pic_url=_text(fields, "PicUrl"),
        latitude=_number(fields, "Location_X", float),
        longitude=_number(fields, "Location_Y", float),
        label=_text(fields, "Label"),
    )
    return incoming, key
