"""Images officials upload (covers of the 手机报's articles): kept in the database, so every machine serves them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Image(Base):
    """One uploaded image, stored once per content (sha256)."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(30))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
