"""What the bot receives and answers, independent of WeChat's wire formats."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Incoming:
    """A worker's message or event, as the bot sees it."""

    channel: str  # "mp" (service account) or "miniapp"
    openid: str
    kind: str  # text, voice, image, location, link, video, event, ...
    created_at: int
    text: str | None = None  # a text, or the recognition of a voice message
    event: str | None = None  # subscribe, unsubscribe, CLICK, VIEW, SCAN, ...
    event_key: str | None = None
    media_id: str | None = None
    pic_url: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    label: str | None = None


@dataclass(frozen=True)
class Article:
    """One entry of a news (图文) reply."""

    title: str
    description: str = ""
    url: str = ""
    image: str = ""


@dataclass(frozen=True)
class TextReply:
    content: str


@dataclass(frozen=True)
class NewsReply:
    articles: list[Article] = field(default_factory=list)


Reply = TextReply | NewsReply
