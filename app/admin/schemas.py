"""Request bodies of the admin API, validated by pydantic."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from models.officials import Role
from models.unions import UnionKind

MAX_ID = 2**31 - 1


def printable(value: str) -> str:
    """Refuse control characters in text people type."""
    # Control characters (NUL above all: PostgreSQL refuses it) have no place in names or addresses.
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise ValueError("contains control characters")
    return value


def printable_lines(value: str) -> str:
    """Refuse control characters, line breaks aside."""
    return "\n".join(printable(line) for line in value.split("\n"))


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(printable)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), AfterValidator(printable)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(printable)]


class Body(BaseModel):
    """A request body: unknown fields are refused and types are not coerced (true is not 1)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class LoginIn(Body):
    username: Short
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class UnionIn(Body):
    parent_id: Id
    name: Name
    kind: UnionKind
    region: Short | None = None
    industries: list[Short] = Field(default_factory=list, max_length=20)
    phone: Short | None = None
    address: Text | None = None


class EnterpriseIn(Body):
    name: Name
    address: Text | None = None
    county: Short | None = None
    township: Short | None = None
    industry: Short | None = None
    union_id: Id | None = None


class WorkerIn(Body):
    name: Short
    phone: Short | None = None
    id_number: Short | None = None
    employer_id: Id | None = None
    union_id: Id | None = None
    member_since: date | None = None


class CareSessionIn(Body):
    name: Short
    starts_on: date
    ends_on: date
    capacity: Annotated[int, Field(ge=1, le=2000)]


Season = Literal["summer", "winter"]
CareKind = Literal["day", "week", "preschool"]
Age = Annotated[int, Field(ge=0, le=16)]


class ProgramPatch(Body):
    title: Name | None = None
    season: Season | None = None
    year: Annotated[int, Field(ge=2020, le=2100)] | None = None
    kind: CareKind | None = None
    min_age: Age | None = None
    max_age: Age | None = None
    place: Text | None = None
    daily_hours: Short | None = None
    fee_yuan: Annotated[int, Field(ge=0, le=100000)] | None = None
    courses: list[Short] | None = Field(default=None, max_length=40)
    timetable: Annotated[str, StringConstraints(max_length=2000), AfterValidator(printable_lines)] | None = None
    meals: Text | None = None
    staff: Text | None = None
    members_only: bool | None = None
    registration_opens: AwareDatetime | None = None
    registration_closes: AwareDatetime | None = None


class ProgramIn(ProgramPatch):
    union_id: Id
    title: Name
    season: Season
    year: Annotated[int, Field(ge=2020, le=2100)]
    kind: CareKind
    min_age: Age
    max_age: Age
    place: Text
    daily_hours: Short
    registration_opens: AwareDatetime
    registration_closes: AwareDatetime
    sessions: list[CareSessionIn] = Field(default_factory=list, max_length=20)


class TicketAnswerIn(Body):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]


class OfficialIn(Body):
    username: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9_.-]{2,49}$")]
    password: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    name: Short
    role: Role
    union_id: Id
