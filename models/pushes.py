"""Pushes (手机报 issues, broadcasts): what goes to whom, and a delivery ledger of one row per recipient."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .unions import TradeUnion
from .workers import Worker

DIGEST, BROADCAST, TEST = "digest", "broadcast", "test"
# A push's life: drafted, scheduled for a time, its recipients listed (expanding), sent, possibly paused
# (45009: WeChat's quota) and resumed, then done; or cancelled before it is done.
DRAFT, SCHEDULED, EXPANDING, SENDING, PAUSED, DONE, CANCELLED = (
    "draft",
    "scheduled",
    "expanding",
    "sending",
    "paused",
    "done",
    "cancelled",
)
PUSH_STATUS_LABELS = {
    DRAFT: "草稿",
    SCHEDULED: "已定时",
    EXPANDING: "准备名单",
    SENDING: "发送中",
    PAUSED: "已暂停（额度用完，稍后自动继续）",
    DONE: "已完成",
    CANCELLED: "已取消",
}
# A recipient's row: waiting, taken by a sender (with a lease), sent, skipped with a reason (43101 no grant,
# 45015 outside the 48-hour window, unsubscribed, monthly limit reached), or failed after the retries.
PENDING, CLAIMED, SENT, SKIPPED, FAILED = "pending", "claimed", "sent", "skipped", "failed"
# How it reaches the worker: the service account's mass send, a subscribe message, or only the mini-program.
MASS, SUBSCRIBE, INBOX = "mass", "subscribe", "inbox"


class Push(Base):
    """One message to an audience, now or at a time, sent through the ledger exactly once per recipient."""

    __tablename__ = "pushes"

    id: Mapped[int] = mapped_column(primary_key=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)  # whose scope the audience is in
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    kind: Mapped[str] = mapped_column(String(12))  # digest | broadcast | test
    title: Mapped[str] = mapped_column(String(100))
    # {"type": "text", "text"} | {"type": "article", "title", "description", "url", "picurl"}
    # | {"type": "template", "template_id", "data", "page"}
    message: Mapped[dict] = mapped_column(JSON)
    # {"unions": [ids], "below": true, "industries": [...], "enterprise_ids": [...], "tags": [...],
    #  "care_session_id": id, "training_class_id": id, "everyone": true} — the union scope is always applied.
    audience: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    send_at: Mapped[datetime | None] = mapped_column(index=True)  # None: as soon as it is started
    paused_until: Mapped[datetime | None]
    recipients: Mapped[int] = mapped_column(default=0)  # rows in the ledger once expanded
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    union: Mapped[TradeUnion] = relationship()


class Delivery(Base):
    """The ledger: one row per push and recipient; a row is claimed with a lease, then sent once."""

    __tablename__ = "push_deliveries"
    __table_args__ = (
        UniqueConstraint("push_id", "worker_id", name="uq_push_deliveries_push_worker"),
        Index("ix_push_deliveries_push_status", "push_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    push_id: Mapped[int] = mapped_column(ForeignKey("pushes.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(12))  # mass | subscribe | inbox
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    reason: Mapped[str | None] = mapped_column(String(60))  # why skipped or failed: "43101 no subscription grant"
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    batch: Mapped[str | None] = mapped_column(String(64), index=True)  # a mass send's clientmsgid
    wechat_msgid: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]

    worker: Mapped[Worker] = relationship()


class WorkerTag(Base):
    """A label officials put on workers to reach them (e.g. 群监员, 困难职工)."""

    __tablename__ = "worker_tags"
    __table_args__ = (UniqueConstraint("worker_id", "tag", name="uq_worker_tags_worker_tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(30), index=True)


class MassQuota(Base):
    """How many mass messages a follower received in a month: WeChat allows 4 (service accounts)."""

    __tablename__ = "mass_quotas"
    __table_args__ = (UniqueConstraint("worker_id", "month", name="uq_mass_quotas_worker_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # 2026-11, China time
    used: Mapped[int] = mapped_column(default=0)
