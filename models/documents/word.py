"""Lay the blocks out as a Word document (.docx) with the same structure as the PDF, in fonts Chinese Word has."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .compose import Block
from .facts import DocumentFacts

# Fonts every Chinese Windows, WPS and macOS Office resolve: 仿宋 for the text as 公文 use,
# 宋体 bold for the title and the issuer; Latin letters and digits in Times New Roman.
BODY_FONT, HEADING_FONT, LATIN_FONT = "仿宋", "宋体", "Times New Roman"
RED = RGBColor(0xC8, 0x00, 0x00)
BODY_PT, TITLE_PT, ISSUER_PT, NOTE_PT = 16, 22, 26, 14
LINE_PT = 28.95  # 22 lines to the page (GB/T 9704)


def _fonts(element, east_asian: str) -> None:
    """Set the East Asian font of a style or run: python-docx sets only the Latin ones."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def _ems(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def _rule_below(paragraph) -> None:
    """A red line under the paragraph (the 版头 rule under the document number)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "6"), ("color", "C80000")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    properties = paragraph._p.get_or_add_pPr()
    properties.insert_element_before(
        border, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc", "w:rPr", "w:sectPr"
    )


def _page_numbers(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def write_docx(blocks: list[Block], facts: DocumentFacts) -> bytes:
    """The document as .docx bytes."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element, BODY_FONT)
    spacing = normal.paragraph_format
    spacing.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    spacing.line_spacing = Pt(LINE_PT)
    spacing.space_before = spacing.space_after = Pt(0)
    _page_numbers(section)

    def paragraph(text: str, *, size: float = BODY_PT, bold: bool = False, font: str = BODY_FONT, align=None):
        p = document.add_paragraph()
        if align is not None:
            p.alignment = align
        run = p.add_run(text)  # python-docx turns "\n" into a line break
        if size != BODY_PT:
            run.font.size = Pt(size)
        run.bold = bold or None
        if font != BODY_FONT:
            _fonts(run._r, font)
        return p

    signature = [b.text for b in blocks if b.style == "right"]
    for block in blocks:
        text = block.text
        if block.style == "issuer":
            p = paragraph(text, size=ISSUER_PT, bold=True, font=HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
            p.paragraph_format.line_spacing = Pt(ISSUER_PT * 1.6)
            p.runs[0].font.color.rgb = RED
        elif block.style == "number":
            p = paragraph(text, align=WD_ALIGN_PARAGRAPH.CENTER)
            p.paragraph_format.space_after = Pt(12)
            _rule_below(p)
        elif block.style == "title":
            p = paragraph(text, size=TITLE_PT, bold=True, font=HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
            p.paragraph_format.line_spacing = Pt(TITLE_PT * 1.6)
            p.paragraph_format.space_before = Pt(12)
        elif block.style == "to":
            paragraph(text)
        elif block.style == "body":
            p = paragraph(text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
            p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        elif block.style == "right":
            # The date four characters in from the right, the signature centred over it (GB/T 9704).
            ems = 4 if text == signature[-1] else max(0.0, 4 + (_ems(signature[-1]) - _ems(text)) / 2)
            p = paragraph(text, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = Pt(BODY_PT * ems)
        elif block.style == "note":
            p = paragraph(text, size=NOTE_PT)
            p.paragraph_format.line_spacing = Pt(NOTE_PT * 1.5)
        elif block.style == "space":
            p = document.add_paragraph()
            p.paragraph_format.line_spacing = Pt(LINE_PT / 2)

    properties = document.core_properties
    properties.title = f"{facts.kind.title}（{facts.number}）"
    properties.subject = f"案件编号：{facts.case_number}"
    properties.author = properties.last_modified_by = facts.union_name
    properties.comments = properties.keywords = ""
    properties.category = facts.kind.label
    properties.created = properties.modified = datetime.now(UTC).replace(microsecond=0)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
