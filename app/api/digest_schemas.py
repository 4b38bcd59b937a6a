"""Bodies of the mini-program's 手机报 endpoints: the latest issues, a worker's item for 县区动态."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from models.base import as_utc
from models.digest_issues import absolute, headlines, issue_url
from models.digest_suggestions import STATUS_LABELS
from models.digests import Digest, Suggestion

from ..admin.schemas import Body, printable, printable_lines
from .schemas import Answer, Ref

ItemTitle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100), AfterValidator(printable)
]
ItemText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000), AfterValidator(printable_lines)
]


class IssueOut(Answer):
    """A published issue of the 手机报, to open as a web page."""

    number: int = Field(description="第31期 is 31")
    title: str = Field(description="新乡工会手机报 2026年第31期")
    issue_date: date
    url: str = Field(description="the issue's page, for a web-view")
    cover: str | None = Field(description="the first article's cover picture; null when none has one")
    headlines: list[str] = Field(description="the first titles, in print order")

    @classmethod
    def of(cls, digest: Digest, base_url: str) -> IssueOut:
        """Describe a published issue."""
        ordered = sorted(digest.articles, key=lambda a: (a.section_order, a.position))
        cover = next((a.cover_url for a in ordered if a.cover_url), None)
        return cls(
            number=digest.number,
            title=digest.title,
            issue_date=digest.issue_date,
            url=issue_url(base_url, digest),
            cover=absolute(base_url, cover) if cover else None,
            headlines=headlines(digest),
        )


class IssueList(Answer):
    paper: str | None = Field(description="the paper's name, 新乡工会手机报; null where no union publishes one")
    issues: list[IssueOut] = Field(description="the latest issues, the newest first")


class ItemIn(Body):
    title: ItemTitle = Field(description="2 to 100 characters")
    body: ItemText = Field(description="what happened, where and when: 10 to 2000 characters")


class ItemOut(Answer):
    """A worker's item for 县区动态, as sent to their union."""

    id: int
    title: str
    body: str
    union: Ref = Field(description="the union it went to")
    status: Literal["pending", "accepted", "declined"]
    status_label: str = Field(description="待处理, 已采用 or 未采用")
    created_at: datetime

    @classmethod
    def of(cls, item: Suggestion, union: Ref) -> ItemOut:
        """Describe an item."""
        return cls(
            id=item.id,
            title=item.title,
            body=item.body,
            union=union,
            status=item.status,
            status_label=STATUS_LABELS[item.status],
            created_at=as_utc(item.created_at),
        )
