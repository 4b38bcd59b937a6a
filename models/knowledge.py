"""The knowledge base the bot answers from, kept in the database so officials can edit it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class KnowledgeEntry(Base):
    """One question-and-answer: the ways workers ask it (one per line), the answer and where it comes from."""

    __tablename__ = "knowledge_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)  # e.g. law.probation.length
    topic: Mapped[str] = mapped_column(String(40), index=True)  # e.g. labour_law
    intent: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    questions: Mapped[str] = mapped_column(Text)  # one question per line
    answer: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
