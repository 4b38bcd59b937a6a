"""Sending the 手机报: an approved issue goes out once, at its time; one not ready is held and its officials told."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import audit, push_ledger
from .base import LOCAL_TZ, as_utc
from .digest_issues import DEFAULT_SCHEDULE, Schedule, card_picture, headlines, issue_url, local_date, week_of
from .digests import APPROVED, DRAFT, PUBLISHED, WITHDRAWN, Digest
from .official_notices import notify_union
from .pushes import DIGEST

log = logging.getLogger(__name__)

SYSTEM = "system"
NOT_SENT = "digest_not_sent"
DESCRIPTION = 120  # what an article card holds (the push engine refuses more)


@dataclass
class Round:
    """What one run of the publisher did: the numbers sent, and what it held back and told officials about."""

    published: list[int] = field(default_factory=list)
    held: list[str] = field(default_factory=list)


def describe(digest: Digest, most: int = DESCRIPTION) -> str:
    """Return the card's text: 本期要闻 and as many headlines as fit."""
    text = "本期要闻："
    for index, title in enumerate(headlines(digest)):
        line = ("；" if index else "") + title
        if len(text) + len(line) > most:
            return text + line[: most - len(text) - 1] + "…" if index == 0 else text
        text += line
    return text


def message(digest: Digest, base_url: str) -> dict:
    """Return the push's message: one article that opens the issue's page."""
    return {
        "type": "article",
        "title": digest.title,
        "description": describe(digest),
        "url": issue_url(base_url, digest),
        "picurl": card_picture(digest, base_url),
    }


def publish_due(session: Session, *, now: datetime, base_url: str, schedule: Schedule = DEFAULT_SCHEDULE) -> Round:
    """Send every approved issue whose time has come, and tell officials of issues due but not ready. Commits."""
    done = Round()
    due = select(Digest.id).where(Digest.status == APPROVED, Digest.publish_at <= now).order_by(Digest.publish_at)
    for digest_id in session.scalars(due).all():
        digest = session.get(Digest, digest_id)
        if not digest.articles:
            _hold_empty(session, digest, done)
            continue
        try:
            if publish(session, digest, now=now, base_url=base_url):
                done.published.append(digest.number)
        except Exception:  # one issue's failure must not hold back the others; it is tried again next run
            session.rollback()
            log.exception("digest %s could not be published; trying again next run", digest_id)
    for digest in session.scalars(select(Digest).where(Digest.status == DRAFT, Digest.publish_at <= now)).all():
        when = _when(digest.publish_at)
        text = f"第{digest.number}期手机报已到发布时间（{when}），但尚未审核，没有发送。审核后将立即发送。"
        _hold(session, digest.union_id, digest, text, done)
    _missing(session, now, schedule, done)
    session.commit()
    return done


def publish(session: Session, digest: Digest, *, now: datetime, base_url: str) -> bool:
    """Publish an approved issue and hand it to the push engine, once: the step from approved is taken by one caller.

    Commits. Returns False when another scheduler (or a withdrawal) got there first.
    """
    took = session.execute(
        update(Digest)
        .where(Digest.id == digest.id, Digest.status == APPROVED)
        .values(status=PUBLISHED, published_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not took:
        session.rollback()
        return False
    session.refresh(digest)
    digest.push_id = _push_issue(session, digest, message(digest, base_url))
    audit.record(
        session,
        actor=SYSTEM,
        action="publish",
        object_type="digest",
        object_id=digest.id,
        union_id=digest.union_id,
        number=digest.number,
        push_id=digest.push_id,
    )
    session.commit()
    log.info("published %s (push %s)", digest.title, digest.push_id)
    return True


def _hold_empty(session: Session, digest: Digest, done: Round) -> None:
    """Hold back an approved issue with no article (a change takes the approval back, so only by accident)."""
    reverted = session.execute(
        update(Digest)
        .where(Digest.id == digest.id, Digest.status == APPROVED)
        .values(status=DRAFT, approved_by=None, approved_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if reverted:
        session.refresh(digest)
        _hold(session, digest.union_id, digest, f"第{digest.number}期手机报没有文章，没有发送，已退回编辑。", done)
    session.commit()


def _push_issue(session: Session, digest: Digest, content: dict) -> int:
    """Hand an issue to the push engine: one article to every worker of the publisher; return the push's id."""
    push = push_ledger.create_push(
        session,
        None,  # the system sends it, on the approval recorded on the issue
        kind=DIGEST,
        title=digest.title,
        message=content,
        audience={"everyone": True},
        union_id=digest.union_id,
    )
    push_ledger.start_push(session, push.id)
    return push.id


def _hold(session: Session, union_id: int, digest: Digest | None, text: str, done: Round) -> None:
    """Tell a union's officials, once per issue and publishing time, that an issue was not sent."""
    key = digest.publish_at.isoformat() if digest is not None else text
    object_id = str(digest.id) if digest is not None else f"union-{union_id}"
    told = session.scalars(
        select(audit.AuditEntry.detail).where(
            audit.AuditEntry.action == "hold",
            audit.AuditEntry.object_type == "digest",
            audit.AuditEntry.object_id == object_id,
        )
    ).all()
    if any(detail.get("key") == key for detail in told):
        return
    audit.record(
        session, actor=SYSTEM, action="hold", object_type="digest", object_id=object_id, union_id=union_id, key=key
    )
    notify_union(session, union_id, NOT_SENT, text, "digest", digest.id if digest is not None else None)
    log.warning("digest not sent (union %s): %s", union_id, text)
    done.held.append(text)


def _missing(session: Session, now: datetime, schedule: Schedule, done: Round) -> None:
    """Tell each union that has published before when its week's publishing time passed with no issue at all."""
    day = local_date(now)
    if schedule.slot(day) > now:
        return
    monday, sunday = week_of(day)
    publishers = session.scalars(select(Digest.union_id).where(Digest.status == PUBLISHED).distinct()).all()
    for union_id in publishers:
        this_week = session.scalar(
            select(Digest.id).where(
                Digest.union_id == union_id, Digest.issue_date.between(monday, sunday), Digest.status != WITHDRAWN
            )
        )
        if this_week is None:
            text = f"本周（{monday:%m月%d日}起）还没有编排手机报，{schedule.label}未能发送。"
            _hold(session, union_id, None, text, done)


def _when(moment: datetime) -> str:
    return as_utc(moment).astimezone(LOCAL_TZ).strftime("%m月%d日 %H:%M")
