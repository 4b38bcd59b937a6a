"""Fill a kind's template with the facts and read the result as blocks that the PDF and Word writers lay out.

A template (templates/<kind>.txt, Jinja2) is plain text whose every line starts with a tag:
`# ` the issuing union (red, centred), `^ ` the document number (centred, a red rule below it),
`## ` the title, `@ ` the addressee, `| ` a paragraph (indented two characters), `> ` the signature
and date (right), `. ` a note (small, flush left); a blank line is a gap. A value never starts a
line: its line breaks become soft breaks inside its paragraph, so no fact can forge a heading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .facts import DocumentFacts, DocumentKind, chinese_date, clean, money
from .laws import UNION_BASIS, join_laws

TAGS = {"#": "issuer", "^": "number", "##": "title", "@": "to", "|": "body", ">": "right", ".": "note"}
SOFT_BREAK = "\u2028"  # stands for a line break inside a value until the blocks are read
ENDING = "。！？；”"


@dataclass(frozen=True)
class Block:
    """One paragraph of a document: its style (a value of TAGS, or "space") and its text."""

    style: str
    text: str


def _plain(value) -> str:
    """Print a value: line breaks kept as soft breaks, control characters dropped."""
    return clean(value).replace("\n", SOFT_BREAK)


def _sentence(text: str) -> str:
    """End a text as a sentence: 企业拖欠工资 → 企业拖欠工资。"""
    text = text.strip().rstrip("，,；;、：: ")
    return text if not text or text.endswith(tuple(ENDING)) else text + "。"


def _clause(text: str, last: bool) -> str:
    """End an item of a numbered list: with ； and the last one with 。."""
    return text.strip().rstrip("。；;，,、.： ") + ("。" if last else "；")


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十: numbering of the items of a document (一、二、)."""
    digits = "零一二三四五六七八九"
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")) + (digits[ones] if ones else "")


def _date(value: date | None) -> str:
    return chinese_date(value) if value else ""


def _money(value: Decimal | None) -> str:
    return money(value) if value is not None else ""


ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(),  # escapes .html/.xml only: these templates are text
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    finalize=_plain,
)
ENV.filters.update(
    cn_date=_date,
    money=_money,
    laws=join_laws,
    sentence=_sentence,
    clause=_clause,
    cn_numeral=chinese_numeral,
)


def context(facts: DocumentFacts) -> dict:
    """What a template sees: the facts, the category and department entries, the laws and requests to print."""
    category = facts.category_entry
    department = facts.department_entry
    if facts.requests:
        requests = facts.requests
    elif facts.kind is DocumentKind.SUGGESTION:
        requests = department.asks
    else:
        requests = category.asks
    return {
        "f": facts,
        "kind": facts.kind,
        "category": category,
        "department": department,
        "laws": facts.laws or category.laws,
        "requests": requests,
        "basis": UNION_BASIS,
    }


def compose(facts: DocumentFacts) -> list[Block]:
    """The document as blocks, in order."""
    name = f"{facts.kind.value}.txt"
    text = ENV.get_template(name).render(context(facts))
    blocks: list[Block] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            if blocks and blocks[-1].style != "space":
                blocks.append(Block("space", ""))
            continue
        tag, separator, rest = line.partition(" ")
        if tag not in TAGS or not separator:
            raise ValueError(f"{name}, line {number}: a line must start with one of {' '.join(TAGS)}: {line!r}")
        rest = rest.rstrip().replace(SOFT_BREAK, "\n")
        if rest.strip():
            blocks.append(Block(TAGS[tag], rest))
    while blocks and blocks[-1].style == "space":
        blocks.pop()
    return blocks


def plain_text(facts: DocumentFacts) -> str:
    """The document as plain text (a preview, a message, a test)."""
    return "\n".join(block.text for block in compose(facts))
