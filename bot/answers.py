"""Reading a worker's answer: numbers written any way, numbered choices, yes or no, escape words."""

from __future__ import annotations

import re

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000}

ESCAPES = {
    "cancel": ("取消", "不办了", "算了", "不要了", "退出"),
    "back": ("返回", "上一步", "回到上一步"),
    "restart": ("重新开始", "重来", "重新填"),
    "handoff": ("转人工", "人工", "人工客服", "找人工", "真人"),
}
YES = ("确认", "确定", "是", "是的", "对", "对的", "好", "好的", "可以", "没问题", "提交", "yes", "y", "ok", "1")
NO = ("不对", "不是", "错了", "有误", "否", "no", "n", "2", "修改", "改一下")


def _clean(text: str) -> str:
    return re.sub(r"[\s，。！？!?,.、~～]+", "", text).lower()


def escape_word(text: str) -> str | None:
    """Return cancel, back, restart or handoff when the whole message is one of those words."""
    cleaned = _clean(text)
    return next((name for name, words in ESCAPES.items() if cleaned in words), None)


def yes_or_no(text: str) -> bool | None:
    """Read a confirmation: True, False, or None when it is neither."""
    cleaned = _clean(text)
    if cleaned in YES:
        return True
    if cleaned in NO:
        return False
    return None


def chinese_number(text: str) -> int | None:
    """Read 八, 十二, 三百五, 两千 or 12 as an integer."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in DIGITS:
            current = DIGITS[char]
        elif char in UNITS:
            total += (current or 1) * UNITS[char]
            current = 0
        else:
            return None
    return total + current


def number(text: str) -> float | None:
    """Find an amount in a text: 3000, 3,000元, 1.2万, 三千块, 八岁 → a number, or None."""
    text = text.replace(",", "").replace("，", "")
    match = re.search(r"(\d+(?:\.\d+)?)\s*(万)?", text)
    if match:
        value = float(match.group(1))
        return value * 10000 if match.group(2) else value
    match = re.search(r"([零〇一二两俩三四五六七八九十百千]+)\s*(万)?", text)
    if match:
        value = chinese_number(match.group(1))
        if value is not None:
            return float(value * 10000 if match.group(2) else value)
    return None


ORDINAL = re.compile(r"^(?:第)?([0-9零〇一二两三四五六七八九十]+)(?:个|项|种|条|号)?$")


def choice(text: str, options: list[str]) -> int | None:
    """Return the index of the option a worker picked by number (1, 第一个) or by name, or None."""
    cleaned = _clean(text)
    match = ORDINAL.match(cleaned)
    if match:
        picked = chinese_number(match.group(1))
        return picked - 1 if picked is not None and 1 <= picked <= len(options) else None
    named = [i for i, option in enumerate(options) if cleaned and (cleaned in option or option in cleaned)]
    return named[0] if len(named) == 1 else None


SEPARATORS = re.compile(r"[\s,，、;；/+＋]+")
SKIP = ("跳过", "不填", "不答", "略过", "不想答", "不想填")


def several(text: str, options: list[str]) -> list[int] | None:
    """Return the indexes of the options picked by numbers or names (1 3, 1、3, 135 for 1 3 5), or None."""
    parts = [part for part in SEPARATORS.split(text.strip()) if part]
    if len(parts) == 1 and parts[0].isdigit() and len(options) < 10 and int(parts[0]) > len(options):
        parts = list(parts[0])  # numbers run together
    picked: list[int] = []
    for part in parts:
        index = choice(part, options)
        if index is None:
            return None
        picked += [] if index in picked else [index]
    return picked or None


def skipped(text: str) -> bool:
    """Tell whether a worker passes on an optional question."""
    return _clean(text) in SKIP
