"""Composing the weekly 手机报: issues, their articles in five sections, approval, the time it goes out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from . import audit, push_ledger
from .access import Actor
from .base import LOCAL_TZ, as_utc, utcnow
from .digests import APPROVED, DRAFT, PUBLISHED, SECTIONS, WITHDRAWN, Article, Digest
from .errors import Conflict, Forbidden, Invalid, NotFound
from .pushes import Push
from .unions import TradeUnion, UnionKind
from .workers import Worker, reach

SECTION_ORDER = {code: order for order, code in enumerate(SECTIONS, start=1)}
MAX_PER_SECTION = 12
MAX_TITLE, MAX_SUMMARY, MAX_BODY, MAX_URL = 100, 300, 20_000, 500
LATEST_SCHEDULE = timedelta(days=90)  # an issue is weekly news: further ahead is a typo
_URL = re.compile(r"https?://[^\s\"'<>\\]+", re.IGNORECASE)
_LOCAL = re.compile(r"/(?![/\\])[^\s\"'<>\\]*")  # a picture this service serves, e.g. /digest/static/covers/…
PICTURE = re.compile(r"\.(jpe?g|png)$", re.IGNORECASE)  # what WeChat shows on an article card
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Schedule:
    """The weekly time an issue goes out by default: an ISO weekday and a time of day, China time."""

    weekday: int = 5  # Friday
    at: time = time(18, 0)

    @classmethod
    def of(cls, weekday: int, at: str) -> Schedule:
        """Read the settings DIGEST_PUBLISH_DAY and DIGEST_PUBLISH_TIME (checked by config)."""
        hours, minutes = at.split(":")
        return cls(weekday, time(int(hours), int(minutes)))

    def slot(self, day: date) -> datetime:
        """Return the publishing time of the week (Monday to Sunday) that holds `day`, in UTC."""
        monday = day - timedelta(days=day.isoweekday() - 1)
        local = datetime.combine(monday + timedelta(days=self.weekday - 1), self.at, LOCAL_TZ)
        return local.astimezone(UTC)

    def next_slot(self, now: datetime) -> datetime:
        """Return the first publishing time after `now`."""
        slot = self.slot(now.astimezone(LOCAL_TZ).date())
        return slot if slot > now else self.slot(now.astimezone(LOCAL_TZ).date() + timedelta(days=7))

    @property
    def label(self) -> str:
        """Say it as officials do: 周五18:00."""
        return f"周{'一二三四五六日'[self.weekday - 1]}{self.at:%H:%M}"


DEFAULT_SCHEDULE = Schedule()


def local_date(moment: datetime) -> date:
    """Return the date in China of a moment."""
    return as_utc(moment).astimezone(LOCAL_TZ).date()


def week_of(day: date) -> tuple[date, date]:
    """Return the Monday and the Sunday of a date's week."""
    monday = day - timedelta(days=day.isoweekday() - 1)
    return monday, monday + timedelta(days=6)


def paper_name(union: TradeUnion) -> str:
    """Return the name of a union's paper: 新乡工会手机报 (the region without 市 or 省)."""
    region = (union.region or union.name.removesuffix("总工会")).removesuffix("市").removesuffix("省")
    return f"{region}工会手机报"


def issue_title(union: TradeUnion, day: date, number: int) -> str:
    """Return an issue's title: 新乡工会手机报 2026年第32期."""
    return f"{paper_name(union)} {day.year}年第{number}期"


# Officials' side: compose, approve, schedule, withdraw.


def create_issue(
    session: Session,
    actor: Actor,
    *,
    union_id: int | None = None,
    issue_date: date | None = None,
    schedule: Schedule = DEFAULT_SCHEDULE,
    now: datetime | None = None,
) -> Digest:
    """Start the next issue of a city union's paper, due at the publishing time of its week."""
    actor.require_write()
    union = actor.require_union(session, union_id or actor.official.union_id)
    if union.kind != UnionKind.CITY:
        raise Forbidden("手机报由市总工会编发")
    now = now or utcnow()
    issue_date = issue_date or local_date(schedule.next_slot(now))
    publish_at = schedule.slot(issue_date)
    if publish_at <= now:
        raise Invalid(f"该日期所在周的发布时间（{schedule.label}）已过，请选择以后的日期", field="issue_date")
    if publish_at - now > LATEST_SCHEDULE:
        raise Invalid("只能提前90天内编排手机报", field="issue_date")
    monday, sunday = week_of(issue_date)
    same_week = session.scalar(
        select(Digest).where(
            Digest.union_id == union.id,
            Digest.issue_date.between(monday, sunday),
            Digest.status != WITHDRAWN,
        )
    )
    if same_week is not None:
        raise Conflict(f"本周已有第{same_week.number}期，请在该期中编辑", digest_id=same_week.id)
    digest = _new_issue(session, union, issue_date, publish_at, actor.id)
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="digest",
        object_id=digest.id,
        union_id=union.id,
        number=digest.number,
    )
    return digest


def _new_issue(
    session: Session, union: TradeUnion, issue_date: date, publish_at: datetime | None, official_id: int | None
) -> Digest:
    """Add the next issue of a union's paper (numbers go on from the highest, withdrawn issues included)."""
    number = (session.scalar(select(func.max(Digest.number)).where(Digest.union_id == union.id)) or 0) + 1
    digest = Digest(
        union_id=union.id,
        number=number,
        issue_date=issue_date,
        title=issue_title(union, issue_date, number),
        status=DRAFT,
        publish_at=publish_at,
        official_id=official_id,
    )
    session.add(digest)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:  # another official created the same number a moment ago
        raise Conflict("其他干部刚刚新建了一期，请刷新后再试") from error
    return digest


def issue_in_scope(session: Session, actor: Actor, digest_id: int) -> Digest:
    """Return an issue of a union in the official's scope, or raise NotFound."""
    digest = session.get(Digest, digest_id)
    if digest is None or digest.union_id not in actor.union_ids:
        raise NotFound("未找到该期手机报")
    return digest


def list_issues(session: Session, actor: Actor, *, status: str | None = None, limit: int = 100) -> list[Digest]:
    """List the issues of the unions in scope, the newest first."""
    query = select(Digest).where(Digest.union_id.in_(actor.union_ids))
    if status is not None:
        query = query.where(Digest.status == status)
    query = query.options(selectinload(Digest.articles), selectinload(Digest.union))  # counted and named in lists
    return list(session.scalars(query.order_by(Digest.issue_date.desc(), Digest.number.desc()).limit(limit)))


def _editable(session: Session, actor: Actor, digest: Digest) -> None:
    """Refuse changes to a sent or withdrawn issue; a change to an approved one needs approving again."""
    actor.require_write()
    if digest.status == PUBLISHED:
        raise Conflict(f"第{digest.number}期已发布，不能再修改")
    if digest.status == WITHDRAWN:
        raise Conflict(f"第{digest.number}期已撤回，请先恢复为草稿")
    if digest.status == APPROVED:
        # What goes out is exactly what was approved: any change takes the approval back.
        digest.status, digest.approved_by, digest.approved_at = DRAFT, None, None
        audit.record(
            session,
            actor=actor,
            action="unapprove",
            object_type="digest",
            object_id=digest.id,
            union_id=digest.union_id,
        )


def _section_articles(digest: Digest, section: str, leave_out: Article | None = None) -> list[Article]:
    rows = [a for a in digest.articles if a.section == section and a is not leave_out]
    return sorted(rows, key=lambda a: (a.position, a.id or 0))


def _place(digest: Digest, article: Article, section: str, position: int | None) -> None:
    """Put an article at a position of a section (the end when None), numbering the section 1, 2, 3…"""
    others = _section_articles(digest, section, leave_out=article)
    if len(others) >= MAX_PER_SECTION:
        raise Invalid(f"每个栏目最多{MAX_PER_SECTION}篇文章", field="section")
    index = len(others) if position is None else max(0, min(position - 1, len(others)))
    others.insert(index, article)
    article.section, article.section_order = section, SECTION_ORDER[section]
    for number, row in enumerate(others, start=1):
        row.position = number


def _renumber(digest: Digest, section: str) -> None:
    for number, row in enumerate(_section_articles(digest, section), start=1):
        row.position = number


def _text(value: str | None, field: str, most: int, label: str, *, lines: bool = False, least: int = 0) -> str:
    value = (value or "").strip()
    if lines:
        value = "\n".join(line.rstrip() for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    if _CONTROL.search(value.replace("\n", "") if lines else value):
        raise Invalid(f"{label}含有无法显示的字符", field=field)
    if not least <= len(value) <= most:
        raise Invalid(f"{label}不能为空，且不超过{most}个字" if least else f"{label}不超过{most}个字", field=field)
    return value


def _url(value: str | None, field: str, label: str, *, local: bool = False) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > MAX_URL or not (_URL.fullmatch(value) or (local and _LOCAL.fullmatch(value))):
        raise Invalid(f"{label}应以 http:// 或 https:// 开头，不超过{MAX_URL}个字符", field=field)
    return value


def _clean_article(fields: dict) -> dict:
    """Check an article's fields; text stays plain (pages escape it), links must be web addresses."""
    clean = dict(fields)
    if "section" in clean and clean["section"] not in SECTIONS:
        raise Invalid("栏目应为：" + "、".join(SECTIONS.values()), field="section")
    if "title" in clean:
        clean["title"] = _text(clean["title"], "title", MAX_TITLE, "标题", least=1)
    if "summary" in clean:
        clean["summary"] = _text(clean["summary"], "summary", MAX_SUMMARY, "摘要")
    if "body" in clean:
        clean["body"] = _text(clean["body"], "body", MAX_BODY, "正文", lines=True)
    if "cover_url" in clean:
        clean["cover_url"] = _url(clean["cover_url"], "cover_url", "封面图片地址", local=True)
    if "link" in clean:
        clean["link"] = _url(clean["link"], "link", "原文链接")
    return clean


def add_article(
    session: Session,
    actor: Actor,
    digest_id: int,
    *,
    section: str,
    title: str,
    summary: str = "",
    body: str = "",
    cover_url: str | None = None,
    link: str | None = None,
    position: int | None = None,
    suggestion_id: int | None = None,
) -> Article:
    """Add an article to a section of an issue (at the end unless a position is given)."""
    actor.require_write()
    digest = issue_in_scope(session, actor, digest_id)
    fields = _clean_article(
        {"section": section, "title": title, "summary": summary, "body": body, "cover_url": cover_url, "link": link}
    )
    _editable(session, actor, digest)
    article = Article(suggestion_id=suggestion_id, **fields)
    _place(digest, article, fields["section"], position)
    digest.articles.append(article)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="add_article",
        object_type="digest",
        object_id=digest.id,
        union_id=digest.union_id,
        article_id=article.id,
        section=article.section,
    )
    return article


def article_in_scope(session: Session, actor: Actor, digest_id: int, article_id: int) -> Article:
    """Return an article of an issue in scope, or raise NotFound."""
    digest = issue_in_scope(session, actor, digest_id)
    article = session.get(Article, article_id)
    if article is None or article.digest_id != digest.id:
        raise NotFound("未找到该文章")
    return article


def update_article(session: Session, actor: Actor, digest_id: int, article_id: int, **fields) -> Article:
    """Change an article; a new section or position moves it there."""
    actor.require_write()
    article = article_in_scope(session, actor, digest_id, article_id)
    digest = session.get(Digest, article.digest_id)
    position = fields.pop("position", None)
    fields = _clean_article(fields)
    _editable(session, actor, digest)
    section = fields.pop("section", article.section)
    changed = sorted(fields) + (["section"] if section != article.section else []) + (["position"] if position else [])
    for name, value in fields.items():
        setattr(article, name, value)
    old = article.section
    if section != old or position is not None:
        _place(digest, article, section, position)
        if old != section:
            _renumber(digest, old)
    audit.record(
        session,
        actor=actor,
        action="update_article",
        object_type="digest",
        object_id=digest.id,
        union_id=digest.union_id,
        article_id=article.id,
        fields=changed,
    )
    return article


def remove_article(session: Session, actor: Actor, digest_id: int, article_id: int) -> Digest:
    """Take an article out of an issue."""
    article = article_in_scope(session, actor, digest_id, article_id)
    digest = session.get(Digest, article.digest_id)
    _editable(session, actor, digest)
    section = article.section
    digest.articles.remove(article)
    _renumber(digest, section)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="remove_article",
        object_type="digest",
        object_id=digest.id,
        union_id=digest.union_id,
        article_id=article_id,
        title=article.title,
    )
    return digest


def reorder_section(session: Session, actor: Actor, digest_id: int, section: str, article_ids: list[int]) -> Digest:
    """Put a section's articles in the order given; the list must name each of them once."""
    digest = issue_in_scope(session, actor, digest_id)
    if section not in SECTIONS:
        raise NotFound("未找到该栏目")
    current = {a.id: a for a in _section_articles(digest, section)}
    if sorted(article_ids) != sorted(current):
        raise Invalid(f"请按新顺序列出“{SECTIONS[section]}”栏目的全部文章，每篇一次", field="article_ids")
    _editable(session, actor, digest)
    for number, article_id in enumerate(article_ids, start=1):
        current[article_id].position = number
    audit.record(
        session,
        actor=actor,
        action="reorder",
        object_type="digest",
        object_id=digest.id,
        union_id=digest.union_id,
        section=section,
    )
    return digest


def approve(session: Session, actor: Actor, digest_id: int) -> Digest:
    """Approve an issue as it stands (审核); it goes out at its publishing time. The approver is recorded."""
    digest = issue_in_scope(session, actor, digest_id)
    actor.require_write()
    if digest.status != DRAFT:
        raise Conflict(f"第{digest.number}期{_state(digest)}，不能审核")
    if not digest.articles:
        raise Invalid(f"第{digest.number}期还没有文章，不能审核")
    if digest.publish_at is None:
        raise Invalid("请先设定发布时间", field="publish_at")
    digest.status, digest.approved_by, digest.approved_at = APPROVED, actor.id, utcnow()
    audit.record(
        session,
        actor=actor,
        action="approve",
        object_type="digest",
        object_id=digest.id,
        union_id=digest.union_id,
        articles=len(digest.articles),
    )
    return digest


def schedule(
    session: Session, actor: Actor, digest_id: int, publish_at: datetime, now: datetime | None = None
) -> Digest:
    """Set when an issue goes out (its date follows); an approved issue stays approved."""
    digest = issue_in_scope(session, actor, digest_id)
    actor.require_write()
    if digest.status not in (DRAFT, APPROVED):
        raise Conflict(f"第{digest.number}期{_state(digest)}，不能再改发布时间")
    now = now or utcnow()
    if publish_at.tzinfo is None:
        raise Invalid("发布时间需带时区，例如 2026-11-27T18:00:00+08:00", field="publish_at")
    if publish_at < now - timedelta(minutes=5):
        raise Invalid("发布时间不能早于现在", field="publish_at")
    if publish_at - now > LATEST_SCHEDULE:
        raise Invalid("只能提前90天内设定发布时间", field="publish_at")
    digest.publish_at, digest.issue_date = publish_at.astimezone(UTC), local_date(publish_at)
    audit.record(
        session,
        actor=actor,
        action="schedule",
        object_type="digest",
        object_id=digest.id,
        union_id=digest.union_id,
        publish_at=digest.publish_at.isoformat(),
    )
    return digest


def withdraw(session: Session, actor: Actor, digest_id: int, reason: str = "") -> Digest:
    """Withdraw an issue: not sent if it has not gone out; if it has, off the web and no longer sent."""
    digest = issue_in_scope(session, actor, digest_id)
    actor.require_write()
    if digest.status == WITHDRAWN:
        raise Conflict(f"第{digest.number}期已撤回")
    before, digest.status = digest.status, WITHDRAWN
    push = session.get(Push, digest.push_id) if digest.push_id else None
    if push is not None and push.status in push_ledger.CANCELLABLE:
        push_ledger.cancel_push(session, actor, push.id)  # those not reached yet do not get it
    audit.record(
        session,
        actor=actor,
        action="withdraw",
        object_type="digest",
        object_id=digest.id,
        union_id=digest.union_id,
        before=before,
        reason=reason.strip()[:200],
    )
    return digest


def reopen(session: Session, actor: Actor, digest_id: int) -> Digest:
    """Make a withdrawn issue that never went out a draft again."""
    digest = issue_in_scope(session, actor, digest_id)
    actor.require_write()
    if digest.status != WITHDRAWN or digest.published_at is not None:
        raise Conflict(f"第{digest.number}期{_state(digest)}，不能恢复为草稿")
    digest.status = DRAFT
    audit.record(
        session, actor=actor, action="reopen", object_type="digest", object_id=digest.id, union_id=digest.union_id
    )
    return digest


def preview_of(session: Session, actor: Actor, digest_id: int) -> Digest:
    """Return an issue to preview in the official's own WeChat, noting that it was sent."""
    digest = issue_in_scope(session, actor, digest_id)
    if not digest.articles:
        raise Invalid(f"第{digest.number}期还没有文章，无法预览")
    audit.record(
        session, actor=actor, action="preview", object_type="digest", object_id=digest.id, union_id=digest.union_id
    )
    return digest


def _state(digest: Digest) -> str:
    return {DRAFT: "还在编辑", APPROVED: "已审核", PUBLISHED: "已发布", WITHDRAWN: "已撤回"}[digest.status]


# Readers' side: published issues only.


def publisher(session: Session, union_ids: set[int] | None = None) -> TradeUnion | None:
    """Return the city union whose paper readers get (the first one among `union_ids` when given)."""
    query = select(TradeUnion).where(TradeUnion.kind == UnionKind.CITY)
    if union_ids is not None:
        query = query.where(TradeUnion.id.in_(union_ids))
    return session.scalars(query.order_by(TradeUnion.id).limit(1)).first()


def publisher_for(session: Session, worker: Worker | None) -> TradeUnion | None:
    """Return the city union whose paper a worker gets: the one above them (any, for someone unplaced)."""
    if worker is None:
        return publisher(session)
    return publisher(session, reach(session, worker))


def published_issues(session: Session, union_id: int, limit: int = 200) -> list[Digest]:
    """List a union's published issues, the newest first."""
    query = select(Digest).where(Digest.union_id == union_id, Digest.status == PUBLISHED)
    query = query.options(selectinload(Digest.articles))  # their headlines are shown
    return list(session.scalars(query.order_by(Digest.number.desc()).limit(limit)))


def published_issue(session: Session, union_id: int, number: int) -> Digest | None:
    """Return a published issue by its number, or None (unknown, not yet out, or withdrawn)."""
    return session.scalar(
        select(Digest).where(Digest.union_id == union_id, Digest.number == number, Digest.status == PUBLISHED)
    )


def neighbours(session: Session, digest: Digest) -> tuple[int | None, int | None]:
    """Return the numbers of the published issues just before and after one."""
    mine = (Digest.union_id == digest.union_id, Digest.status == PUBLISHED)
    before = session.scalar(select(func.max(Digest.number)).where(*mine, Digest.number < digest.number))
    after = session.scalar(select(func.min(Digest.number)).where(*mine, Digest.number > digest.number))
    return before, after


def sections(digest: Digest) -> list[tuple[str, str, list[Article]]]:
    """Return the five sections of an issue in print order: (code, label, articles), empty ones included."""
    return [(code, label, _section_articles(digest, code)) for code, label in SECTIONS.items()]


def headlines(digest: Digest, most: int = 3) -> list[str]:
    """Return the first titles of an issue in print order."""
    ordered = sorted(digest.articles, key=lambda a: (a.section_order, a.position))
    return [a.title for a in ordered[:most]]


def absolute(base_url: str, url: str) -> str:
    """Return an address with this service's own paths made absolute."""
    return f"{base_url.rstrip('/')}{url}" if url.startswith("/") else url


def card_picture(digest: Digest, base_url: str) -> str:
    """Return the first cover of an issue that WeChat can show on an article card (JPEG or PNG), or ''."""
    ordered = sorted(digest.articles, key=lambda a: (a.section_order, a.position))
    found = next((a.cover_url for a in ordered if a.cover_url and PICTURE.search(a.cover_url.split("?")[0])), "")
    return absolute(base_url, found) if found else ""


def issue_url(base_url: str, digest: Digest) -> str:
    """Return the absolute address of an issue's page."""
    return f"{base_url.rstrip('/')}/digest/{digest.number}"
