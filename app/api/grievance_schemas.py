"""Bodies of the mini-program's grievance endpoints: filing a case, the worker's own cases, adding to them, rating."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from models.base import as_utc
from models.grievance_cases import OPEN_STATES, SYSTEM, WORKER, Complaint, note_shown_to_worker
from models.grievances import (
    CATEGORIES,
    CLOSED,
    DOCUMENT_LABELS,
    RESOLVED,
    STATUS_LABELS,
    CaseAttachment,
    CaseDocument,
    CaseEvent,
    GrievanceCase,
)
from models.masking import mask_phone

from ..admin.schemas import Body, Name, Short, Text, printable, printable_lines
from .schemas import Answer, Ref

Category = Literal[tuple(CATEGORIES)]
Status = Literal[tuple(STATUS_LABELS)]
# Yuan as a decimal string (JSON numbers are floats, money is not): at most 2 decimals, under 100 million.
Money = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]{0,7})(\.[0-9]{1,2})?$")]
Mobile = Annotated[str, StringConstraints(pattern=r"^1[3-9][0-9]{9}$")]
# What wx.uploadFile's upload to WeChat gave back: printable ASCII, as long as a WeChat media id may be.
MediaId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]
Industry = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30), AfterValidator(printable)]
ACTIONS = {"received": "收到求助"}  # the domain's actions are Chinese words, but for this one
ADDED = "补充材料"  # the action of what the worker adds (models.grievance_cases.add_information)


def _lines(most: int):
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=most), AfterValidator(printable_lines)]


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


class CategoryOut(Answer):
    code: str
    label: str


class CategoryList(Answer):
    categories: list[CategoryOut]


class GrievanceIn(Body):
    """A grievance as the worker tells it; the employer is matched to a known enterprise where possible."""

    category: Category = Field(description="see GET /api/grievances/categories")
    employer: Name = Field(description="the employer's name")
    facts: _lines(5000) = Field(description="what happened, 5 to 5000 characters")
    workers_count: Annotated[int, Field(ge=1, le=100000)] = Field(default=1, description="workers concerned")
    amount_owed: Money | None = Field(default=None, description='yuan, a decimal string: "39000" or "1250.50"')
    contact_phone: Mobile | None = Field(default=None, description="null: the phone bound to the worker, if any")
    name: Short | None = Field(
        default=None, description="the worker's name; required while their profile has none (the 告知书 names them)"
    )
    address: Text | None = Field(default=None, description="the employer's address; its county and township route it")
    township: Short | None = None
    county: Short | None = None
    industry: Industry | None = Field(default=None, description="e.g. 教育: an industry union may handle it")
    media_ids: list[MediaId] = Field(default_factory=list, max_length=20, description="pictures uploaded to WeChat")
    client_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")] | None = Field(
        default=None,
        description="made once per submission (e.g. a UUID): sent again after a lost answer, it returns the case "
        "filed the first time instead of filing it twice",
    )

    def to_domain(self) -> Complaint:
        """Return the complaint as the domain takes it."""
        values = self.model_dump(exclude={"name", "amount_owed", "client_key"})
        return Complaint(**values, amount_owed=None if self.amount_owed is None else Decimal(self.amount_owed))


class InformationIn(Body):
    text: _lines(2000) = Field(default="", description="what the worker adds, up to 2000 characters")
    media_ids: list[MediaId] = Field(default_factory=list, max_length=20, description="pictures uploaded to WeChat")


class CaseRatingIn(Body):
    score: Annotated[int, Field(ge=1, le=5)] = Field(description="1 (poor) to 5 (excellent)")
    comment: _lines(500) = Field(default="", description="what the worker thought, up to 500 characters")


class CollectiveOut(Answer):
    """Several workers' cases of one employer and problem, handled as one."""

    cases: int
    workers: int


class GrievanceOut(Answer):
    """One of the worker's cases, shown only to them."""

    id: int
    number: str = Field(description="the case number, e.g. WQ202611230005")
    status: Status
    status_label: str = Field(description="已收到, 已受理, 办理中, 已上报, 已解决 or 已结案")
    category: Category
    category_label: str
    employer: str
    union: Ref = Field(description="the union handling the case")
    routing_reason: str = Field(description="why that union, e.g. 属地：亢村镇 or 企业建有工会")
    workers_count: int
    amount_owed: str | None = Field(description="yuan, two decimals")
    collective: CollectiveOut | None = Field(description="null unless other workers' cases are handled with it")
    deadline_at: datetime | None = Field(description="when the current stage is due; null once resolved")
    created_at: datetime
    rating: int | None
    can_add_information: bool = Field(description="the case is open: POST …/information")
    can_rate: bool = Field(description="resolved or closed and not rated yet: POST …/rating")

    @classmethod
    def fields(cls, case: GrievanceCase, collective: tuple[int, int]) -> dict:
        """Return the fields of a case, with the size of its collective case."""
        cases, workers = collective
        return {
            "id": case.id,
            "number": case.number,
            "status": case.status,
            "status_label": case.status_label,
            "category": case.category,
            "category_label": case.category_label,
            "employer": case.employer_name,
            "union": Ref(id=case.union.id, name=case.union.name),
            "routing_reason": case.routing_reason,
            "workers_count": case.workers_count,
            "amount_owed": _money(case.amount_owed),
            "collective": CollectiveOut(cases=cases, workers=workers) if cases > 1 else None,
            "deadline_at": as_utc(case.deadline_at),
            "created_at": as_utc(case.created_at),
            "rating": case.rating,
            "can_add_information": case.status in OPEN_STATES,
            "can_rate": case.status in (RESOLVED, CLOSED) and case.rating is None,
        }

    @classmethod
    def of(cls, case: GrievanceCase, collective: tuple[int, int]) -> GrievanceOut:
        """Describe a case in a list."""
        return cls(**cls.fields(case, collective))


class GrievanceList(Answer):
    grievances: list[GrievanceOut] = Field(description="newest first")


class GrievanceEventOut(Answer):
    """A step of the case; officials' notes stay in the record, the worker's own and documents' numbers are shown."""

    action: str = Field(description="as recorded: 受理, 办理, 告知书, 补充材料, … (received for the intake)")
    label: str = Field(description="what to show")
    by: Literal["worker", "union", "system"]
    from_status: Status | None
    from_label: str | None
    to_status: Status | None
    to_label: str | None
    note: str | None = Field(description="the worker's own addition, the union's message, or a document's number")
    at: datetime

    @classmethod
    def of(cls, event: CaseEvent) -> GrievanceEventOut:
        """Describe a step as the worker may see it."""
        shown = note_shown_to_worker(event)
        return cls(
            action=event.action,
            label=ACTIONS.get(event.action, event.action),
            by="worker" if event.actor == WORKER else "system" if event.actor == SYSTEM else "union",
            from_status=event.from_status,
            from_label=STATUS_LABELS.get(event.from_status),
            to_status=event.to_status,
            to_label=STATUS_LABELS.get(event.to_status),
            note=event.note if shown else None,
            at=as_utc(event.at),
        )


class GrievanceDocumentOut(Answer):
    """One of the case's documents (三书); officials print them."""

    kind: Literal[tuple(DOCUMENT_LABELS)]
    label: str = Field(description="告知书, 意见书 or 建议书")
    number: str
    deadline: datetime | None = Field(description="the deadline it sets")
    created_at: datetime

    @classmethod
    def of(cls, document: CaseDocument) -> GrievanceDocumentOut:
        """Describe a document."""
        return cls(
            kind=document.kind,
            label=DOCUMENT_LABELS[document.kind],
            number=document.number,
            deadline=as_utc(document.deadline),
            created_at=as_utc(document.created_at),
        )


class AttachmentOut(Answer):
    id: int
    media_id: str | None
    at: datetime

    @classmethod
    def of(cls, attachment: CaseAttachment) -> AttachmentOut:
        """Describe a picture the worker sent."""
        return cls(id=attachment.id, media_id=attachment.media_id, at=as_utc(attachment.at))


class GrievanceDetail(GrievanceOut):
    """One of the worker's cases in full: what they said, its steps and documents."""

    facts: str
    employer_address: str | None
    contact_phone: str | None = Field(description="masked: 138****0011")
    handler: str | None = Field(description="the official handling it, once accepted")
    amount_recovered: str | None = Field(description="yuan, two decimals, once resolved")
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    rating_comment: str | None
    events: list[GrievanceEventOut] = Field(description="oldest first")
    documents: list[GrievanceDocumentOut]
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, case: GrievanceCase, collective: tuple[int, int]) -> GrievanceDetail:
        """Describe a case with its history."""
        return cls(
            **cls.fields(case, collective),
            facts=case.facts,
            employer_address=case.employer_address,
            contact_phone=mask_phone(case.contact_phone),
            handler=None if case.handler is None else case.handler.name,
            amount_recovered=_money(case.amount_recovered),
            accepted_at=as_utc(case.accepted_at),
            resolved_at=as_utc(case.resolved_at),
            closed_at=as_utc(case.closed_at),
            rating_comment=case.rating_comment,
            events=[GrievanceEventOut.of(e) for e in case.events],
            documents=[GrievanceDocumentOut.of(d) for d in case.documents],
            attachments=[AttachmentOut.of(a) for a in case.attachments],
        )
