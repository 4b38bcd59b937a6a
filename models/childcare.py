"""Holiday childcare (托管): programs of a union, their sessions, children and registrations."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .crypto import EncryptedText
from .unions import TradeUnion
from .workers import Worker


class Kind(enum.StrEnum):
    """The three kinds of care the seeds describe."""

    DAY = "day"  # 日托
    WEEK = "week"  # 周托 (boarding through the week)
    PRESCHOOL = "preschool"  # 幼托


KIND_LABELS = {Kind.DAY: "日托", Kind.WEEK: "周托", Kind.PRESCHOOL: "幼托"}
SEASON_LABELS = {"summer": "暑期", "winter": "寒假"}
CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"
STATUS_LABELS = {CONFIRMED: "已报名", WAITLISTED: "候补中", CANCELLED: "已取消"}


class Program(Base):
    """A union's childcare offer for one season: who, what, where, when, and who may register."""

    __tablename__ = "childcare_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    season: Mapped[str] = mapped_column(String(10))  # summer | winter
    year: Mapped[int]
    kind: Mapped[Kind] = mapped_column(String(12))
    min_age: Mapped[int]
    max_age: Mapped[int]
    place: Mapped[str] = mapped_column(String(200))
    daily_hours: Mapped[str] = mapped_column(String(50))
    fee_yuan: Mapped[int] = mapped_column(default=0)
    courses: Mapped[list] = mapped_column(JSON, default=list)
    timetable: Mapped[str] = mapped_column(Text, default="")
    meals: Mapped[str] = mapped_column(Text, default="")
    staff: Mapped[str] = mapped_column(Text, default="")
    members_only: Mapped[bool] = mapped_column(default=True)  # members of the union or the unions below it
    registration_opens: Mapped[datetime]
    registration_closes: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    union: Mapped[TradeUnion] = relationship()
    sessions: Mapped[list[CareSession]] = relationship(back_populates="program", order_by="CareSession.starts_on")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[Kind(self.kind)]


class CareSession(Base):
    """One period of a program (第一期 7月6日–7月24日) with its own places."""

    __tablename__ = "childcare_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("childcare_programs.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    capacity: Mapped[int]
    # Confirmed places taken, changed only by conditional UPDATEs so that it never exceeds capacity.
    taken: Mapped[int] = mapped_column(default=0)

    program: Mapped[Program] = relationship(back_populates="sessions")

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.taken, 0)


class Child(Base):
    """A worker's child; everything about a child is sensitive personal data (PIPL art. 28)."""

    __tablename__ = "children"
    __table_args__ = (UniqueConstraint("guardian_id", "identity_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    # Keyed hash of name and birth date: the same child registered again is recognised without decrypting.
    identity_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(EncryptedText)
    birth_date: Mapped[str] = mapped_column(EncryptedText)  # ISO date, encrypted like the rest
    gender: Mapped[str] = mapped_column(EncryptedText)
    health_notes: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    guardian: Mapped[Worker] = relationship()

    @property
    def born(self) -> date:
        return date.fromisoformat(self.birth_date)


class Registration(Base):
    """A child's place (or place on the waitlist) in a session."""

    __tablename__ = "childcare_registrations"
    __table_args__ = (
        # A child holds at most one live registration per session, however many requests race.
        Index(
            "uq_childcare_registrations_live",
            "session_id",
            "child_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("childcare_sessions.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    guardian_phone: Mapped[str] = mapped_column(EncryptedText)
    emergency_contact: Mapped[str] = mapped_column(EncryptedText)
    consent_at: Mapped[datetime]  # the guardian agreed to the processing of the child's data
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    session: Mapped[CareSession] = relationship()
    child: Mapped[Child] = relationship()
