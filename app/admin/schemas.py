"""Request bodies of the admin API, validated by pydantic."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from models.officials import Role
from models.unions import UnionKind

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class Body(BaseModel):
    """A request body: unknown fields are refused rather than silently dropped."""

    model_config = ConfigDict(extra="forbid")


class LoginIn(Body):
    username: Short
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class UnionIn(Body):
    parent_id: int
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
    union_id: int | None = None


class WorkerIn(Body):
    name: Short
    phone: Short | None = None
    id_number: Short | None = None
    employer_id: int | None = None
    union_id: int | None = None
    member_since: date | None = None


class OfficialIn(Body):
    username: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9_.-]{2,49}$")]
    password: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    name: Short
    role: Role
    union_id: int
