"""The three documents of a grievance (三书): 告知书, 意见书, 建议书, as PDF or Word, from their facts.

No Flask and no database: the case model builds a DocumentFacts and stores the bytes or the facts.

    facts = DocumentFacts(kind="opinion", number=document_number("获工", "opinion", 2026, 12), ...)
    render_pdf(facts)   # bytes; FontMissing when the server has no Chinese font
    render_docx(facts)  # bytes; needs no font on the server
"""

from __future__ import annotations

from .compose import Block, compose, plain_text
from .facts import (
    DocumentFacts,
    DocumentKind,
    Escalation,
    amount_in_words,
    chinese_date,
    document_number,
)
from .fonts import FontMissing, find_font
from .laws import CATEGORIES, DEPARTMENTS, UNION_BASIS, Category, Department, category, department, join_laws


def render_pdf(facts: DocumentFacts) -> bytes:
    """The document as PDF, set in the server's CJK font (see fonts.py); FontMissing if there is none."""
    from .pdf import write_pdf  # fpdf2 and fontTools load only when a PDF is asked for

    return write_pdf(compose(facts), facts, find_font())


def render_docx(facts: DocumentFacts) -> bytes:
    """The document as a Word file (.docx); the reader's Word supplies the fonts."""
    from .word import write_docx

    return write_docx(compose(facts), facts)


def laws_for(code_or_label: str) -> tuple[str, ...]:
    """The laws a grievance of this category (code or label) breaches, as the documents cite them."""
    return category(code_or_label).laws


__all__ = [
    "CATEGORIES",
    "DEPARTMENTS",
    "UNION_BASIS",
    "Block",
    "Category",
    "Department",
    "DocumentFacts",
    "DocumentKind",
    "Escalation",
    "FontMissing",
    "amount_in_words",
    "category",
    "chinese_date",
    "compose",
    "department",
    "document_number",
    "find_font",
    "join_laws",
    "laws_for",
    "plain_text",
    "render_docx",
    "render_pdf",
]
