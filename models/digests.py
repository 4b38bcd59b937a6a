"""The weekly 新乡工会手机报: numbered issues in five sections, workers' suggestions for 县区动态."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .unions import TradeUnion

SECTIONS = {
    "union_news": "工会要闻",
    "city_news": "新乡新闻",
    "union_info": "工会资讯",
    "county_news": "县区动态",
    "rights": "维权服务",
}
DRAFT, APPROVED, PUBLISHED, WITHDRAWN = "draft", "approved", "published", "withdrawn"
STATUS_LABELS = {DRAFT: "编辑中", APPROVED: "已审核，待发布", PUBLISHED: "已发布", WITHDRAWN: "已撤回"}
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"


class Digest(Base):
    """An issue of the 手机报: its number, date, status, and the push that sent it."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("union_id", "number", name="uq_digests_union_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)  # the publisher (新乡市总工会)
    number: Mapped[int]  # 第32期
    issue_date: Mapped[date]
    title: Mapped[str] = mapped_column(String(100))  # 新乡工会手机报 2026年第32期
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    publish_at: Mapped[datetime | None] = mapped_column(index=True)  # default: the Friday 18:00 of its week
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    approved_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    push_id: Mapped[int | None] = mapped_column(ForeignKey("pushes.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    union: Mapped[TradeUnion] = relationship()
    articles: Mapped[list[Article]] = relationship(
        order_by=lambda: [Article.section_order, Article.position], cascade="all, delete-orphan"
    )


class Article(Base):
    """One article of an issue, in one of the five sections."""

    __tablename__ = "digest_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), index=True)
    section: Mapped[str] = mapped_column(String(16))
    section_order: Mapped[int]  # the section's place in SECTIONS, so that SQL sorts articles as printed
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    cover_url: Mapped[str | None] = mapped_column(String(500))
    link: Mapped[str | None] = mapped_column(String(500))
    suggestion_id: Mapped[int | None] = mapped_column(ForeignKey("digest_suggestions.id"))


class Suggestion(Base):
    """A worker's item for 县区动态, sent to their union, which takes it into an issue or declines it."""

    __tablename__ = "digest_suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    reviewed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
