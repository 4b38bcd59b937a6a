"""The 手机报 in the admin API: request bodies, validated by pydantic (the domain checks the rules)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from models.digest_issues import MAX_BODY, MAX_PER_SECTION, MAX_SUMMARY, MAX_TITLE, MAX_URL

from .schemas import Body, Id, Text, printable, printable_lines
from .training_schemas import Patch

Section = Literal["union_news", "city_news", "union_info", "county_news", "rights"]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE), AfterValidator(printable)
]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_SUMMARY), AfterValidator(printable)]
Paragraphs = Annotated[str, StringConstraints(max_length=MAX_BODY), AfterValidator(printable_lines)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_URL), AfterValidator(printable)]
Position = Annotated[int, Field(ge=1, le=MAX_PER_SECTION)]


class DigestIn(Body):
    union_id: Id | None = None  # the official's own (city) union when left out
    issue_date: date | None = None  # the next publishing day when left out


class ArticleIn(Body):
    section: Section
    title: Title
    summary: Summary = ""
    body: Paragraphs = ""  # plain text: one paragraph a line; HTML is shown as typed, never run
    cover_url: Url | None = None
    link: Url | None = None
    position: Position | None = None  # the end of the section when left out


class ArticlePatch(Patch):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"cover_url", "link"})

    section: Section | None = None
    title: Title | None = None
    summary: Summary | None = None
    body: Paragraphs | None = None
    cover_url: Url | None = None
    link: Url | None = None
    position: Position | None = None


class OrderIn(Body):
    article_ids: list[Id] = Field(max_length=MAX_PER_SECTION)


class ScheduleIn(Body):
    publish_at: AwareDatetime


class WithdrawIn(Body):
    reason: Text = ""


class AcceptIn(Body):
    digest_id: Id
    title: Title | None = None  # the worker's title when left out
    summary: Summary | None = None
    body: Paragraphs | None = None  # the worker's text when left out


class DeclineIn(Body):
    reason: Text = ""
