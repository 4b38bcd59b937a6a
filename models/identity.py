"""Validation and normalisation of phone numbers and resident ID numbers."""

from __future__ import annotations

import re

from .errors import Invalid

_MOBILE = re.compile(r"1[3-9]\d{9}")
_ID = re.compile(r"\d{17}[\dX]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalize_phone(raw: str) -> str:
    """Return a mainland mobile number as 11 digits, or raise Invalid."""
    phone = re.sub(r"[\s\-()（）]", "", raw or "")
    phone = re.sub(r"^(\+?86)", "", phone)
    if not _MOBILE.fullmatch(phone):
        raise Invalid("请输入正确的11位手机号码", field="phone")
    return phone


def normalize_id_number(raw: str) -> str:
    """Return an 18-character resident ID number with a valid check digit, or raise Invalid."""
    number = (raw or "").strip().upper()
    if not _ID.fullmatch(number):
        raise Invalid("请输入正确的18位身份证号码", field="id_number")
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True)) % 11]
    if number[17] != check:
        raise Invalid("身份证号码校验位不正确", field="id_number")
    return number
