"""Grievances in the admin API: request bodies, validated by pydantic (the domain checks the rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from models.grievance_cases import Complaint

from .schemas import Body, Id, Name, Short, Text, printable, printable_lines


def _lines(most: int):
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=most), AfterValidator(printable_lines)]


# Yuan and fen: a JSON number or a decimal string, never more than 2 decimals (1.005 is refused, not rounded).
Amount = Annotated[Decimal, Field(decimal_places=2, allow_inf_nan=False)]
Law = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(printable)]
Industry = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30), AfterValidator(printable)]


class VisitIn(Body):
    """A walk-in or a phone call an official records (category, channel and lengths are the domain's to check)."""

    name: Short
    phone: Short
    channel: Short
    category: Short
    employer: Name
    facts: _lines(5000)
    workers_count: int = 1
    amount_owed: Amount | None = None
    address: Text | None = None
    township: Short | None = None
    county: Short | None = None
    industry: Industry | None = None

    def to_domain(self) -> Complaint:
        """Return the complaint as the domain takes it."""
        return Complaint(**self.model_dump(exclude={"name", "phone", "channel"}))


class AcceptIn(Body):
    handler_id: Id | None = None  # the accepting official when left out
    legal_adviser: Short | None = None


class NoteIn(Body):
    note: _lines(500)


class ResolveIn(Body):
    outcome: _lines(2000)
    amount_recovered: Amount | None = None
    workers_covered: int | None = None


class RulesIn(Body):
    rules: list[Short] = Field(max_length=10)


class DeadlineIn(Body):
    days: int
    working_days: bool


class OpinionIn(Body):
    requests: list[_lines(300)] = Field(default=[], max_length=10)  # what the union asks; the law's by default
    laws: list[Law] = Field(default=[], max_length=10)  # the articles breached; the category's by default
    answer_by: date | None = None  # the day the employer must answer by; the deadline rule's by default


class SuggestIn(Body):
    department: Short  # petition, mediation, labour_inspection, arbitration, court, procuratorate
    reason: Short  # no_answer (the 意见书 went unanswered) or mediation_failed
    requests: list[_lines(300)] = Field(default=[], max_length=10)


class AssignIn(Body):
    handler_id: Id | None = None  # an official of the case's union or of a union above it
    legal_adviser: Short | None = None  # 法律顾问


class MediationIn(Body):
    held_on: date
    participants: _lines(200)  # who took part: the worker, the employer, the union, a lawyer…
    agreement: _lines(2000)  # what was agreed (or why nothing was)
    agreed: bool = True


class MessageIn(Body):
    text: _lines(500)
