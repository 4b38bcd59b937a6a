"""Menu-style training (菜单式培训): the menu of topics, orders and requests, classes, quotas and enrolments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .crypto import EncryptedText
from .enterprises import Enterprise
from .unions import TradeUnion
from .workers import Worker

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"
STATUS_LABELS = {CONFIRMED: "已报名", WAITLISTED: "候补中", CANCELLED: "已取消"}
ROLES = ["一线职工", "群监员", "班组长", "工会干部", "安全管理人员"]


class Topic(Base):
    """A dish on the menu: what a class teaches, for which industry, by which experts."""

    __tablename__ = "training_topics"
    __table_args__ = (UniqueConstraint("union_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    title: Mapped[str] = mapped_column(String(60))
    industry: Mapped[str | None] = mapped_column(String(30), index=True)  # None: every industry
    description: Mapped[str] = mapped_column(Text, default="")
    experts: Mapped[list] = mapped_column(JSON, default=list)
    days: Mapped[int]
    hours: Mapped[int]  # class hours (课时)
    audience: Mapped[str] = mapped_column(String(100), default="")  # e.g. 工会干部、一线群监员
    active: Mapped[bool] = mapped_column(default=True)  # off the menu, kept for its history
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    union: Mapped[TradeUnion] = relationship()


class TopicOrder(Base):
    """A worker's or an enterprise's order of a topic (点菜); an enterprise says how many it would send."""

    __tablename__ = "training_orders"
    # NULLs are distinct in unique constraints on both databases: one order per worker, one per enterprise.
    __table_args__ = (
        UniqueConstraint("topic_id", "worker_id", name="uq_training_orders_topic_worker"),
        UniqueConstraint("topic_id", "enterprise_id", name="uq_training_orders_topic_enterprise"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("training_topics.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    headcount: Mapped[int] = mapped_column(default=1)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    topic: Mapped[Topic] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()


class TopicRequest(Base):
    """A worker's wish for something to learn, in their words; matched to a topic when the menu has it."""

    __tablename__ = "training_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)  # who reads it
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    industry: Mapped[str | None] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(String(200))
    normalized: Mapped[str] = mapped_column(String(200), index=True)  # groups the same wish written twice
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("training_topics.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    topic: Mapped[Topic | None] = relationship()


class TrainingClass(Base):
    """A class of a topic (上菜): when, where, who teaches, how many places, the enterprises' quotas."""

    __tablename__ = "training_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("training_topics.id"), index=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    title: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200))
    experts: Mapped[list] = mapped_column(JSON, default=list)
    hours: Mapped[int]
    capacity: Mapped[int]
    # Seats reserved by quotas and open seats taken: changed only by conditional UPDATEs on this row,
    # so that quota_seats + open_taken never exceeds capacity, whatever races.
    quota_seats: Mapped[int] = mapped_column(default=0)
    open_taken: Mapped[int] = mapped_column(default=0)
    registration_closes: Mapped[datetime]
    checkin_code: Mapped[str] = mapped_column(String(8))
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    topic: Mapped[Topic] = relationship()
    union: Mapped[TradeUnion] = relationship()
    quotas: Mapped[list[ClassQuota]] = relationship(back_populates="training_class", order_by="ClassQuota.id")

    @property
    def open_seats(self) -> int:
        """Places anyone may take: capacity less the quotas."""
        return self.capacity - self.quota_seats

    @property
    def open_left(self) -> int:
        return max(self.open_seats - self.open_taken, 0)


class ClassQuota(Base):
    """Places of a class reserved for one enterprise, filled by its union (开滦 sent 83)."""

    __tablename__ = "training_quotas"
    __table_args__ = (UniqueConstraint("class_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    seats: Mapped[int]
    used: Mapped[int] = mapped_column(default=0)  # conditional UPDATEs keep used <= seats

    training_class: Mapped[TrainingClass] = relationship(back_populates="quotas")
    enterprise: Mapped[Enterprise] = relationship()

    @property
    def left(self) -> int:
        return max(self.seats - self.used, 0)


class Enrolment(Base):
    """A worker's place (or place on the waitlist) in a class, then attendance, rating and certificate."""

    __tablename__ = "training_enrolments"
    __table_args__ = (
        # A worker holds at most one live enrolment per class, however many requests race.
        Index(
            "uq_training_enrolments_live",
            "class_id",
            "worker_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    quota_id: Mapped[int | None] = mapped_column(ForeignKey("training_quotas.id"), index=True)  # else an open seat
    enrolled_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))  # the enterprise union's official
    role: Mapped[str | None] = mapped_column(String(20))  # 工会干部, 群监员…
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    rating: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(EncryptedText)  # free text may name people
    rated_at: Mapped[datetime | None]
    certificate_no: Mapped[str | None] = mapped_column(String(30), unique=True)

    training_class: Mapped[TrainingClass] = relationship()
    worker: Mapped[Worker] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
