"""Request and response bodies of the mini-program API; the OpenAPI document is made from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, StringConstraints

from models.workers import Worker

from ..admin.schemas import Body, Short

# wx.login and getPhoneNumber codes are short printable ASCII; anything else never reaches WeChat.
Code = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")]


class Empty(Body):
    """No fields: an empty JSON object (or no body at all)."""


class LoginIn(Body):
    code: Code = Field(description="the code of wx.login()")


class PhoneIn(Body):
    code: Code = Field(description="the code of the getPhoneNumber button")


class ProfileIn(Body):
    name: Short = Field(description="the worker's name, 1 to 50 characters")


class Answer(BaseModel):
    """A response body: every field is always present, defaults included, so the document marks them required."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class Ref(Answer):
    id: int
    name: str


class Profile(Answer):
    """What a worker sees of their own record; the phone is masked."""

    id: int
    name: str | None
    phone: str | None = Field(description="masked: 138****0001; null until bound")
    employer: Ref | None
    union: Ref | None = Field(description="the union the worker is a member of")
    is_member: bool
    member_since: date | None

    @classmethod
    def of(cls, worker: Worker) -> Profile:
        """Describe a worker record."""
        return cls(
            id=worker.id,
            name=worker.name,
            phone=worker.masked_phone,
            employer=None if worker.employer is None else Ref(id=worker.employer.id, name=worker.employer.name),
            union=None if worker.union is None else Ref(id=worker.union.id, name=worker.union.name),
            is_member=worker.is_member,
            member_since=worker.member_since,
        )


class LoginOut(Answer):
    token: str = Field(description="send it as 'Authorization: Bearer <token>'")
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105  (a scheme's name, not a secret)
    expires_at: datetime
    worker: Profile


class FieldProblem(BaseModel):
    field: str
    problem: str
    detail: str


class ErrorBody(BaseModel):
    # Domain errors add their details (e.g. "field") next to code and message.
    model_config = ConfigDict(extra="allow")

    code: str = Field(description="for programs, in English: invalid_payload, auth_failed, conflict, …")
    message: str = Field(description="for people, in Chinese")
    fields: list[FieldProblem] | None = Field(default=None, description="what was wrong with the payload")


class ErrorDocument(BaseModel):
    """The body of every error answer."""

    error: ErrorBody


class OpenApiDocument(RootModel[dict[str, Any]]):
    """An OpenAPI 3.1 document."""
