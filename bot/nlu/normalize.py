"""Normalise a worker's WeChat text before it is classified.

WeChat texts mix full-width and half-width forms, traditional characters, emoji, numbers written
in Chinese, voice-input filler and repeated characters; the classifier should see one spelling.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import warnings
from pathlib import Path

import emoji

# zhconv 1.4.3 imports pkg_resources, which warns on newer setuptools: keep `-W error` runs clean.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import zhconv
    import zhconv.zhconv as _zhconv_module

# Emoji that carry meaning for the union's services become words; every other emoji goes.
EMOJI_WORDS: dict[str, str] = {
    "💰": "钱",
    "💴": "钱",
    "💵": "钱",
    "💸": "钱",
    "👶": "孩子",
    "🧒": "孩子",
    "👦": "孩子",
    "👧": "孩子",
    "🏥": "医院",
    "💊": "看病",
    "📰": "新闻",
    "📞": "电话",
    "☎": "电话",
}

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
# Only numerals before a measure word become digits: 一下, 统一, 三书一公布 must stay words.
_MEASURES = "(?:岁|周岁|个|月|天|年|块|元|万|号|期|人|名|小时|周|次|点|家|份|倍|级|节|课时|套|项|条|遍|班|位|口)"
_NUMERAL_RE = re.compile(rf"([零〇一二两三四五六七八九十百千万]+)(?={_MEASURES})")
_PUNCT_RE = re.compile(r"[^\w?+%]+")  # keep "?" (a question), "+" (1+5+N) and "%"
_REPEAT_RE = re.compile(r"(\D)\1{2,}")  # never collapse digits: 1000 must stay 1000
_FILLER_RE = re.compile(r"嗯+|呃+|额{2,}|emm+|hmm+")
_SPACE_RE = re.compile(r"\s+")


def chinese_to_int(numeral: str) -> int | None:
    """Return the value of a Chinese numeral such as 八, 十二, 一百五, 两万, 二零二四; None if not one."""
    if all(ch in _DIGITS for ch in numeral):
        return int("".join(str(_DIGITS[ch]) for ch in numeral))  # read digit by digit: 二零二四
    total, section, digit, last_unit = 0, 0, None, 1
    for ch in numeral:
        if ch in "零〇":
            digit, last_unit = None, 10  # 一百零五: the digit after 零 counts ones
        elif ch in _DIGITS:
            if digit is not None:
                return None  # two digits in a row inside a unit numeral: not a number we know
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit, last_unit = None, _UNITS[ch]
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit, last_unit = 0, None, 10000
        else:
            return None
    if digit is not None:
        # Colloquial abbreviation: 一百五 is 150 and 一万二 is 12000, but 十二 is 12.
        section += digit * (last_unit // 10 if last_unit > 10 else 1)
    return total + section


def _numerals_to_digits(text: str) -> str:
    """Rewrite Chinese numerals that precede a measure word as digits (八岁 → 8岁)."""

    def repl(match: re.Match[str]) -> str:
        value = chinese_to_int(match.group(1))
        return match.group(1) if value is None else str(value)

    return _NUMERAL_RE.sub(repl, text)


def _replace_emoji(text: str) -> str:
    """Replace meaningful emoji with words and drop the rest."""
    return emoji.replace_emoji(text, replace=lambda chars, _data: f" {EMOJI_WORDS.get(chars[0], '')} ")


_zhconv_lock = threading.Lock()


def _load_zhconv() -> None:
    """Load zhconv's table once, from an explicit path, which zhconv closes (its default leaks the file)."""
    if _zhconv_module.zhcdicts is None:
        with _zhconv_lock:
            _zhconv_module.loaddict(str(Path(_zhconv_module.__file__).with_name("zhcdict.json")))


def normalize(text: str) -> str:
    """Return the canonical form of a worker's text, the one the classifier is trained on."""
    text = unicodedata.normalize("NFKC", text)  # full-width letters, digits and punctuation → half-width
    _load_zhconv()
    text = zhconv.convert(text, "zh-hans")  # traditional → simplified, script only
    text = _replace_emoji(text).lower()
    text = _FILLER_RE.sub(" ", text)
    text = _numerals_to_digits(text)
    text = _PUNCT_RE.sub(" ", text).replace("_", " ")
    text = re.sub(r"\?+", "?", text)
    text = _REPEAT_RE.sub(r"\1\1", text)  # 啊啊啊啊 → 啊啊, but 谢谢 stays
    return _SPACE_RE.sub(" ", text).strip()
