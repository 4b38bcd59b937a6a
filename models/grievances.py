"""Grievance cases (维权): the case, what happened to it, its attachments and its documents (三书)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .crypto import EncryptedText
from .enterprises import Enterprise
from .officials import Official
from .unions import TradeUnion
from .workers import Worker

CATEGORIES = {
    "unpaid_wages": "拖欠工资",
    "forced_resignation": "被迫辞职或辞退没有补偿",
    "no_contract": "没签劳动合同",
    "social_insurance": "不交社保",
    "work_injury": "工伤",
    "overtime": "超时加班",
    "illegal_fines": "乱罚款",
    "safety": "安全隐患",
    "other": "其他",
}
CHANNELS = {"mp": "公众号", "miniapp": "小程序", "walk_in": "来访", "phone": "来电"}
RECEIVED, ACCEPTED, HANDLING, ESCALATED, RESOLVED, CLOSED = (
    "received",
    "accepted",
    "handling",
    "escalated",
    "resolved",
    "closed",
)
STATUS_LABELS = {
    RECEIVED: "已收到",
    ACCEPTED: "已受理",
    HANDLING: "办理中",
    ESCALATED: "已上报",
    RESOLVED: "已解决",
    CLOSED: "已结案",
}
# The closed loop: every change of state is one of these, nothing else.
TRANSITIONS = {
    RECEIVED: {ACCEPTED, CLOSED},  # closed at once: not a matter for the union (不予受理), with the reason
    ACCEPTED: {HANDLING, ESCALATED},
    HANDLING: {RESOLVED, ESCALATED},
    ESCALATED: {HANDLING, RESOLVED},
    RESOLVED: {CLOSED},
    CLOSED: set(),
}
NOTICE, OPINION, SUGGESTION = "notice", "opinion", "suggestion"
DOCUMENT_LABELS = {NOTICE: "告知书", OPINION: "意见书", SUGGESTION: "建议书"}
DEPARTMENTS = {
    "petition": "信访局",
    "mediation": "矛盾纠纷调处化解中心",
    "labour_inspection": "人力资源和社会保障局劳动保障监察机构",
    "arbitration": "劳动人事争议仲裁委员会",
    "court": "人民法院",
    "procuratorate": "人民检察院",
}


class GrievanceCase(Base):
    """A worker's (or several workers') grievance against an employer, followed to its end."""

    __tablename__ = "grievance_cases"
    __table_args__ = (UniqueConstraint("worker_id", "client_key", name="uq_grievance_cases_client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    # The mini-program's key for one submission: sent again after a lost answer, it finds the case filed then.
    client_key: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default=RECEIVED, index=True)
    category: Mapped[str] = mapped_column(String(24), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))  # a walk-in or phone case
    # The employer: a known enterprise, else what the worker said.
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    employer_name: Mapped[str] = mapped_column(String(100))
    employer_address: Mapped[str | None] = mapped_column(String(200))
    township: Mapped[str | None] = mapped_column(String(50))
    county: Mapped[str | None] = mapped_column(String(50))
    industry: Mapped[str | None] = mapped_column(String(30))
    facts: Mapped[str] = mapped_column(EncryptedText)  # what happened, in the worker's words
    workers_count: Mapped[int] = mapped_column(default=1)
    amount_owed: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    contact_phone: Mapped[str | None] = mapped_column(EncryptedText)
    # Routing: the union responsible now, the rule and the reason in words (属地：亢村镇).
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    routing_rule: Mapped[str] = mapped_column(String(20))
    routing_reason: Mapped[str] = mapped_column(String(100))
    # The first case of a collective grievance (same employer, same problem); None for the first itself.
    collective_id: Mapped[int | None] = mapped_column(ForeignKey("grievance_cases.id"), index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    legal_adviser: Mapped[str | None] = mapped_column(String(50))
    deadline_at: Mapped[datetime | None] = mapped_column(index=True)  # of the current state
    escalations: Mapped[int] = mapped_column(default=0)
    department: Mapped[str | None] = mapped_column(String(24))  # the department a 建议书 went to
    outcome: Mapped[str | None] = mapped_column(EncryptedText)
    amount_recovered: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    workers_covered: Mapped[int | None]
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    accepted_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    worker: Mapped[Worker] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    union: Mapped[TradeUnion] = relationship()
    handler: Mapped[Official | None] = relationship(foreign_keys=[handler_id])
    events: Mapped[list[CaseEvent]] = relationship(order_by="CaseEvent.id", cascade="all, delete-orphan")
    attachments: Mapped[list[CaseAttachment]] = relationship(order_by="CaseAttachment.id", cascade="all, delete-orphan")
    documents: Mapped[list[CaseDocument]] = relationship(order_by="CaseDocument.id", cascade="all, delete-orphan")

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class CaseEvent(Base):
    """Who did what to a case and when: a change of state, a note, information the worker added."""

    __tablename__ = "grievance_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("grievance_cases.id", ondelete="CASCADE"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    actor: Mapped[str] = mapped_column(String(60))  # the official's login, 职工, or 系统 for the scheduler
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseAttachment(Base):
    """A picture the worker sent (WeChat media id or stored file) as evidence."""

    __tablename__ = "grievance_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("grievance_cases.id", ondelete="CASCADE"), index=True)
    media_id: Mapped[str | None] = mapped_column(String(128))
    url: Mapped[str | None] = mapped_column(String(500))
    caption: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseDocument(Base):
    """One of the three documents (告知书, 意见书, 建议书), numbered per union, kind and year, with its facts."""

    __tablename__ = "grievance_documents"
    __table_args__ = (UniqueConstraint("union_id", "kind", "year", "serial", name="uq_grievance_documents_serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("grievance_cases.id", ondelete="CASCADE"), index=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    kind: Mapped[str] = mapped_column(String(12))
    year: Mapped[int]
    serial: Mapped[int]
    number: Mapped[str] = mapped_column(String(40))
    addressed_to: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[datetime | None]
    # What was printed (JSON; it names the worker), so that the same document can be printed again.
    content: Mapped[str] = mapped_column(EncryptedText)
    answered_at: Mapped[datetime | None]  # the employer's answer to an 意见书
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
