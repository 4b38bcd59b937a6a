"""Lay the blocks out as an A4 PDF the way GB/T 9704 lays out 公文: red issuer and rule, 16 pt body, page numbers."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TextMode

from .compose import Block
from .facts import DocumentFacts
from .fonts import CjkFont, truetype_subset

FAMILY = "cjk"
RED = (200, 0, 0)
# Millimetres: GB/T 9704 margins (top 37, left 28, right 26, bottom 35) and the type sizes
# 三号 (16 pt) for the text, 二号 (22 pt) for the title, 四号 (14 pt) for notes.
LEFT, TOP, RIGHT, BOTTOM = 28, 37, 26, 35
BODY_PT, TITLE_PT, ISSUER_PT, NOTE_PT = 16, 22, 26, 14
EM = BODY_PT * 25.4 / 72  # one character of the text, in mm
LINE = 10.0  # 22 lines to the page, as GB/T 9704 sets them
INDENT = "\u3000\u3000"  # a paragraph starts two characters in
MISSING = "□"  # how Chinese print marks a character it cannot show

# Kinsoku (避头尾): marks that may not start a line, and those that may not end one.
NO_LINE_START = set("，。、；：？！）》」』〕】〉”’…—·,.;:?!)]}%")
NO_LINE_END = set("（《「『〔【〈“‘([{")
# A number, a Latin word, a phone or an amount (186,400.00) stays on one line.
TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,:/%@_+\-]*|.", re.S)


FOOTER = "— {} —"
# The issuer and the title are bold: the outlines stroked as well as filled (mm of stroke), which
# spares a second font for a dozen characters.
BOLD_STROKE = {ISSUER_PT: 0.45, TITLE_PT: 0.35}


class _Document(FPDF):
    def footer(self):
        self.set_y(-BOTTOM + 12)
        self.set_font(FAMILY, "", NOTE_PT)
        self.set_text_color(0)
        self.cell(0, 7, FOOTER.format(self.page_no()), align="C")


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break a text into lines no wider than width, keeping numbers whole and punctuation off line starts."""
    lines: list[str] = []
    for source in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for token in _tokens(source, width, measure):
            size = measure(token)
            if line and used + size > width:
                # Pull characters down until the new line starts with something that may start one,
                # and the old one ends with something that may end one.
                carry: list[str] = []
                head = token
                while len(line) > 1 and (head[0] in NO_LINE_START or line[-1][-1] in NO_LINE_END):
                    head = line.pop()
                    carry.insert(0, head)
                lines.append("".join(line).rstrip())
                line, used = carry, sum(measure(t) for t in carry)
                if token.isspace() and not line:
                    continue
            line.append(token)
            used += size
        lines.append("".join(line).rstrip())
    return lines


def _tokens(text: str, width: float, measure: Callable[[str], float]):
    for token in TOKEN.findall(text):
        if len(token) > 1 and measure(token) > width:
            yield from token  # a run too long for any line breaks anywhere
        else:
            yield token


def _ems(text: str) -> float:
    """The width of a text in ems: full-width characters 1, the others ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def write_pdf(blocks: list[Block], facts: DocumentFacts, font: CjkFont) -> bytes:
    """The document as PDF bytes, set in (a subset of) the given font."""
    characters = "".join(b.text for b in blocks) + INDENT + MISSING + FOOTER + "0123456789"
    with tempfile.TemporaryDirectory(prefix="gonghui-font-") as folder:
        subset = Path(folder) / "subset.ttf"
        subset.write_bytes(truetype_subset(font, characters))
        return _write(blocks, facts, subset)


def _write(blocks: list[Block], facts: DocumentFacts, font_file: Path) -> bytes:
    pdf = _Document(format="A4", unit="mm")
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, BOTTOM)
    pdf.add_font(FAMILY, "", str(font_file))
    pdf.set_title(f"{facts.kind.title}（{facts.number}）")
    pdf.set_subject(f"案件编号：{facts.case_number}")
    pdf.set_author(facts.union_name)
    pdf.set_creator(facts.union_name)
    pdf.set_lang("zh-CN")
    pdf.add_page()
    width = pdf.w - LEFT - RIGHT

    def put(text: str, size: float, *, align: str = "L", height: float = LINE, pad: float = 0, color=(0, 0, 0)):
        pdf.set_font(FAMILY, "", size)
        cmap = pdf.current_font.cmap
        text = "".join(c if c == "\n" or ord(c) in cmap else MISSING for c in text)
        stroke = BOLD_STROKE.get(size)
        mode = TextMode.FILL_STROKE if stroke else TextMode.FILL
        with pdf.local_context(text_mode=mode, line_width=stroke or 0.2, text_color=color, draw_color=color):
            for line in wrap(text, width - pad, pdf.get_string_width):
                pdf.cell(width - pad, height, line, align=align, new_x="LMARGIN", new_y="NEXT")

    signature = [b.text for b in blocks if b.style == "right"]
    for block in blocks:
        text = block.text
        if block.style == "issuer":
            put(text, ISSUER_PT, align="C", height=14, color=RED)
        elif block.style == "number":
            put(text, BODY_PT, align="C")
            y = pdf.get_y() + 2
            pdf.set_draw_color(*RED)
            pdf.set_line_width(0.6)
            pdf.line(LEFT, y, pdf.w - RIGHT, y)
            pdf.set_y(y + 6)
        elif block.style == "title":
            put(text, TITLE_PT, align="C", height=13)
        elif block.style == "to":
            put(text, BODY_PT)
        elif block.style == "body":
            put(INDENT + text, BODY_PT)
        elif block.style == "right":
            # GB/T 9704: the date four characters in from the right, the signature centred over it.
            ems = 4 if text == signature[-1] else max(0.0, 4 + (_ems(signature[-1]) - _ems(text)) / 2)
            put(text, BODY_PT, align="R", pad=ems * EM)
        elif block.style == "note":
            put(text, NOTE_PT, height=8)
        elif block.style == "space":
            pdf.ln(LINE / 2)
    return bytes(pdf.output())
