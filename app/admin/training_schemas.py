"""Menu-style training in the admin API: request bodies, validated by pydantic (the domain checks the rules)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints, model_validator

from models.training_enrolments import MAX_LIST, Trainee

from .schemas import Body, Id, Name, Short, Text, printable, printable_lines


def _words(most: int, least: int = 1):
    return Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=least, max_length=most), AfterValidator(printable)
    ]


Title = _words(60)  # training_topics.title is VARCHAR(60)
Industry = _words(30)
Audience = _words(100, 0)
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(printable_lines)]
Experts = Annotated[list[Short], Field(max_length=20)]
Place = _words(200)


class Patch(Body):
    """A partial update: a field left out is kept; null is refused unless the field may be empty."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_nulls(self):
        nulls = sorted(n for n in self.model_fields_set - self.NULLABLE if getattr(self, n) is None)
        if nulls:
            raise ValueError(f"may not be null: {', '.join(nulls)}")
        return self


class TopicPatch(Patch):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"industry"})  # null: a topic for every industry

    title: Title | None = None
    industry: Industry | None = None
    description: Description | None = None
    experts: Experts | None = None
    days: int | None = None
    hours: int | None = None
    audience: Audience | None = None
    active: bool | None = None


class TopicIn(Body):
    union_id: Id | None = None  # the official's own union when left out
    title: Title
    industry: Industry | None = None
    description: Description = ""
    experts: Experts = Field(default_factory=list)
    days: int
    hours: int
    audience: Audience = ""


class OrderIn(Body):
    enterprise_id: Id
    topic_id: Id
    headcount: int
    note: Text = ""


class ClassPatch(Patch):
    title: Name | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    place: Place | None = None
    experts: Experts | None = None
    hours: int | None = None
    capacity: int | None = None
    registration_closes: AwareDatetime | None = None


class ClassIn(Body):
    topic_id: Id
    title: Name | None = None  # the topic's title when left out
    starts_on: date
    ends_on: date
    place: Place
    capacity: int
    registration_closes: AwareDatetime
    experts: Experts | None = None  # the topic's experts when left out
    hours: int | None = None  # the topic's hours when left out


class QuotaIn(Body):
    seats: int


class CancelIn(Body):
    reason: Text


class TraineeIn(Body):
    name: Short
    phone: Short
    role: Short | None = None

    def to_domain(self) -> Trainee:
        """Return the person as the domain takes them."""
        return Trainee(self.name, self.phone, self.role)


class EnrolListIn(Body):
    enterprise_id: Id
    trainees: list[TraineeIn] = Field(min_length=1, max_length=MAX_LIST)
