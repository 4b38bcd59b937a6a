"""Workers' items for the 手机报's 县区动态: sent to their union, taken into an issue or declined."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import audit, notifications
from .access import Actor
from .base import LOCAL_TZ, utcnow
from .digest_issues import add_article, issue_in_scope, paper_name
from .digests import ACCEPTED, DECLINED, PENDING, SECTIONS, Article, Suggestion
from .errors import Conflict, Invalid, NotFound
from .workers import Worker

SECTION = "county_news"  # 县区动态
PER_DAY = 3
STATUS_LABELS = {PENDING: "待处理", ACCEPTED: "已采用", DECLINED: "未采用"}


def union_for(worker: Worker) -> int | None:
    """Return the union a worker's item goes to: their own, else their employer's, else their employer's place."""
    employer = worker.employer
    return worker.union_id or (employer.union_id or employer.local_union_id if employer is not None else None)


def submit(session: Session, *, worker: Worker, title: str, body: str, now: datetime | None = None) -> Suggestion:
    """Send an item for 县区动态 to the worker's union (a few a day at most); commits."""
    title, body = (title or "").strip(), (body or "").strip()
    if not 2 <= len(title) <= 100:
        raise Invalid("标题应为2到100个字", field="title")
    if not 10 <= len(body) <= 2000:
        raise Invalid("内容应为10到2000个字，写清时间、地点和事情经过", field="body")
    union_id = union_for(worker)
    if union_id is None:
        raise Invalid("请先填写工作单位或加入工会，投稿会转给您所在的工会", field="worker")
    now = now or utcnow()
    midnight = now.astimezone(LOCAL_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    today = session.scalar(
        select(func.count()).where(Suggestion.worker_id == worker.id, Suggestion.created_at >= midnight)
    )
    if today >= PER_DAY:
        raise Conflict(f"每天最多投稿{PER_DAY}条，请明天再来")
    suggestion = Suggestion(worker_id=worker.id, union_id=union_id, title=title, body=body, created_at=now)
    session.add(suggestion)
    session.commit()
    return suggestion


def mine(session: Session, worker: Worker, limit: int = 50) -> list[Suggestion]:
    """List a worker's own items, the newest first."""
    query = select(Suggestion).where(Suggestion.worker_id == worker.id)
    return list(session.scalars(query.order_by(Suggestion.id.desc()).limit(limit)))


def list_suggestions(
    session: Session, actor: Actor, *, status: str | None = None, limit: int = 200
) -> list[Suggestion]:
    """List the items sent to the unions in scope, the newest first."""
    if status is not None and status not in STATUS_LABELS:
        raise Invalid("状态应为 pending、accepted 或 declined", field="status")
    query = select(Suggestion).where(Suggestion.union_id.in_(actor.union_ids))
    if status is not None:
        query = query.where(Suggestion.status == status)
    return list(session.scalars(query.order_by(Suggestion.id.desc()).limit(limit)))


def suggestion_in_scope(session: Session, actor: Actor, suggestion_id: int) -> Suggestion:
    """Return an item sent to a union in scope, or raise NotFound."""
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.union_id not in actor.union_ids:
        raise NotFound("未找到该投稿")
    return suggestion


def _take(session: Session, actor: Actor, suggestion: Suggestion, status: str) -> None:
    """Settle a pending item once, even when two officials act on it at the same moment."""
    took = session.execute(
        update(Suggestion)
        .where(Suggestion.id == suggestion.id, Suggestion.status == PENDING)
        .values(status=status, reviewed_by=actor.id, reviewed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not took:
        raise Conflict("该投稿已经处理过了")
    session.refresh(suggestion)


def accept(
    session: Session,
    actor: Actor,
    suggestion_id: int,
    *,
    digest_id: int,
    title: str | None = None,
    summary: str | None = None,
    body: str | None = None,
) -> Article:
    """Take an item into an issue's 县区动态 (edited if need be); the worker is told."""
    actor.require_write()
    suggestion = suggestion_in_scope(session, actor, suggestion_id)
    digest = issue_in_scope(session, actor, digest_id)
    if suggestion.status != PENDING:
        raise Conflict("该投稿已经处理过了")
    article = add_article(
        session,
        actor,
        digest.id,
        section=SECTION,
        title=title or suggestion.title,
        summary=summary if summary is not None else "",
        body=body or suggestion.body,
        suggestion_id=suggestion.id,
    )
    _take(session, actor, suggestion, ACCEPTED)
    _tell(
        session,
        suggestion,
        "已采用",
        f"您投稿的《{suggestion.title}》已被采用，将刊登在{paper_name(digest.union)}第{digest.number}期"
        f"“{SECTIONS[SECTION]}”栏目。感谢您的来稿！",
    )
    audit.record(
        session,
        actor=actor,
        action="accept",
        object_type="digest_suggestion",
        object_id=suggestion.id,
        union_id=suggestion.union_id,
        digest_id=digest.id,
        article_id=article.id,
    )
    return article


def decline(session: Session, actor: Actor, suggestion_id: int, *, reason: str = "") -> Suggestion:
    """Decline an item, saying why if the official wishes; the worker is told."""
    actor.require_write()
    suggestion = suggestion_in_scope(session, actor, suggestion_id)
    reason = reason.strip()[:200]
    _take(session, actor, suggestion, DECLINED)
    why = f"原因：{reason}。" if reason else ""
    _tell(session, suggestion, "未采用", f"您投稿的《{suggestion.title}》这次未被采用。{why}欢迎继续来稿。")
    audit.record(
        session,
        actor=actor,
        action="decline",
        object_type="digest_suggestion",
        object_id=suggestion.id,
        union_id=suggestion.union_id,
    )
    return suggestion


def _tell(session: Session, suggestion: Suggestion, outcome: str, text: str) -> None:
    notifications.queue(
        session,
        worker_id=suggestion.worker_id,
        kind="digest_suggestion",
        key=f"digest-suggestion:{suggestion.id}",
        title=f"手机报投稿{outcome}",
        body=text,
    )
