"""Masking of personal data in logs and lists: 138****1234."""

from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dXx])(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])")


def mask_phone(phone: str | None) -> str | None:
    """Hide the middle four digits of a mobile number."""
    if not phone:
        return phone
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_id_number(number: str | None) -> str | None:
    """Hide the birth date and sequence of an ID number."""
    if not number:
        return number
    return number[:6] + "********" + number[-4:] if len(number) >= 10 else "****"


def mask_text(text: str) -> str:
    """Mask every phone and ID number found in free text."""
    text = _ID_NUMBER.sub(r"\1********\2", text)
    return _PHONE.sub(r"\1****\2", text)


def install_log_masking() -> None:
    """Make every log record mask phones and ID numbers, whoever logs it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "masks_personal_data", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is the logger's problem, not ours
            return record
        record.msg, record.args = mask_text(message), ()
        return record

    factory.masks_personal_data = True
    logging.setLogRecordFactory(factory)
