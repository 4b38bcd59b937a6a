"""Pushes through their life: drafted, scheduled, started, paused and resumed, cancelled or done; their progress.

A push is sent by the scheduler and the job queue (app/push/): `start_push` or `schedule_push` only mark it
due, the scheduler's `pushes` job lists its recipients (`push_delivery.expand`) and queues the sending.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, exists, func, select, update
from sqlalchemy.orm import Session

from . import audit
from .access import Actor
from .base import as_utc, utcnow
from .errors import Conflict, Invalid, NotFound
from .officials import Official
from .push_audience import validate_audience, validate_message
from .push_delivery import ATTEMPTED, OPEN, skip_pending
from .pushes import (
    BROADCAST,
    CANCELLED,
    CLAIMED,
    DIGEST,
    DONE,
    DRAFT,
    EXPANDING,
    FAILED,
    PAUSED,
    PENDING,
    PUSH_STATUS_LABELS,
    SCHEDULED,
    SENDING,
    SENT,
    SKIPPED,
    Delivery,
    Push,
)
from .unions import TradeUnion, subtree_ids

MAX_AHEAD = timedelta(days=90)
CANCELLABLE = (DRAFT, SCHEDULED, EXPANDING, SENDING, PAUSED)


def create_push(
    session: Session,
    actor: Actor | None,
    *,
    kind: str,
    title: str,
    message: dict,
    audience: dict,
    send_at: datetime | None = None,
    union_id: int | None = None,
) -> Push:
    """Draft a push to an audience within the scope of a union (the official's own by default).

    actor None is the system (the scheduled 手机报), which must name the union.
    """
    if kind not in (DIGEST, BROADCAST):
        raise Invalid("推送类型应为 digest 或 broadcast", field="kind")
    if actor is not None:
        actor.require_write()
        union = actor.require_union(session, union_id or actor.official.union_id)
    else:
        union = session.get(TradeUnion, union_id) if union_id else None
        if union is None:
            raise NotFound("未找到该工会")
    title = (title or "").strip()
    if not title or len(title) > 100:
        raise Invalid("标题应为 1 到 100 个字", field="title")
    push = Push(
        union_id=union.id,
        official_id=actor.id if actor else None,
        kind=kind,
        title=title,
        message=validate_message(message),
        audience=validate_audience(session, frozenset(subtree_ids(session, union.id)), audience),
        status=DRAFT,
        send_at=_future(send_at) if send_at else None,
    )
    session.add(push)
    session.flush()
    audit.record(
        session, actor=actor or "system", action="push.create", object_type="push", object_id=push.id, union_id=union.id
    )
    return push


def _future(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise Invalid("发送时间须带时区", field="send_at")
    if moment < utcnow() - timedelta(minutes=1) or moment > utcnow() + MAX_AHEAD:
        raise Invalid("发送时间应在现在到 90 天以内", field="send_at")
    return moment


def get_push(session: Session, actor: Actor, push_id: int) -> Push:
    """Return a push of a union in scope, or raise NotFound."""
    push = session.get(Push, push_id, populate_existing=True)
    if push is None or push.union_id not in actor.union_ids:
        raise NotFound("未找到该推送")
    return push


def list_pushes(
    session: Session, actor: Actor, *, status: str | None = None, kind: str | None = None, limit: int = 100
) -> list[Push]:
    """List the pushes of the unions in scope, newest first."""
    query = select(Push).where(Push.union_id.in_(actor.union_ids))
    if status:
        query = query.where(Push.status == status)
    if kind:
        query = query.where(Push.kind == kind)
    return list(session.scalars(query.order_by(Push.id.desc()).limit(limit)))


def schedule_push(session: Session, actor: Actor, push_id: int, send_at: datetime | None = None) -> Push:
    """Send a draft at a time (now when None); a scheduled push may be moved until it starts."""
    actor.require_write()
    push = get_push(session, actor, push_id)
    _schedule(session, push, _future(send_at) if send_at else utcnow())
    audit.record(
        session,
        actor=actor,
        action="push.schedule",
        object_type="push",
        object_id=push.id,
        union_id=push.union_id,
        send_at=as_utc(push.send_at).isoformat(),
    )
    return push


def start_push(session: Session, push_id: int) -> Push:
    """Send a push now (the 手机报's publisher calls this): the scheduler starts it within seconds."""
    push = session.get(Push, push_id, populate_existing=True)
    if push is None:
        raise NotFound("未找到该推送")
    _schedule(session, push, utcnow())
    return push


def _schedule(session: Session, push: Push, send_at: datetime) -> None:
    moved = session.execute(
        update(Push)
        .where(Push.id == push.id, Push.status.in_((DRAFT, SCHEDULED)))
        .values(status=SCHEDULED, send_at=send_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        raise Conflict("该推送已开始发送或已结束")
    session.refresh(push)


def cancel_push(session: Session, actor: Actor, push_id: int) -> Push:
    """Stop a push: recipients not reached yet are skipped; messages already on their way are not called back."""
    actor.require_write()
    push = get_push(session, actor, push_id)
    stopped = session.execute(
        update(Push)
        .where(Push.id == push.id, Push.status.in_(CANCELLABLE))
        .values(status=CANCELLED, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not stopped:
        raise Conflict("该推送已结束，不能取消")
    skip_pending(session, push)
    audit.record(
        session, actor=actor, action="push.cancel", object_type="push", object_id=push.id, union_id=push.union_id
    )
    session.refresh(push)
    return push


def begin_due(session: Session, now: datetime | None = None) -> list[int]:
    """Move scheduled pushes whose time has come to expanding; return those this caller moved (commits)."""
    now = now or utcnow()
    due = session.scalars(select(Push.id).where(Push.status == SCHEDULED, Push.send_at <= now).order_by(Push.id))
    started = []
    for push_id in list(due):
        moved = session.execute(
            update(Push)
            .where(Push.id == push_id, Push.status == SCHEDULED)
            .values(status=EXPANDING, started_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved:
            started.append(push_id)
    session.commit()
    return started


def pause(session: Session, push_id: int, until: datetime) -> bool:
    """Pause a sending push until a time (WeChat's quota, 45009); the caller commits."""
    return bool(
        session.execute(
            update(Push)
            .where(Push.id == push_id, Push.status == SENDING)
            .values(status=PAUSED, paused_until=until)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def resume_due(session: Session, now: datetime | None = None) -> list[int]:
    """Resume paused pushes whose pause is over; return their ids (commits)."""
    now = now or utcnow()
    paused = list(session.scalars(select(Push.id).where(Push.status == PAUSED, Push.paused_until <= now)))
    resumed = [
        push_id
        for push_id in paused
        if session.execute(
            update(Push)
            .where(Push.id == push_id, Push.status == PAUSED)
            .values(status=SENDING, paused_until=None)
            .execution_options(synchronize_session=False)
        ).rowcount
    ]
    session.commit()
    return resumed


def finish_if_done(session: Session, push_id: int) -> bool:
    """Mark a sending push done once no row is left open; the caller commits."""
    still_open = exists(select(Delivery.id).where(Delivery.push_id == push_id, Delivery.status.in_(OPEN)))
    return bool(
        session.execute(
            update(Push)
            .where(Push.id == push_id, Push.status == SENDING, ~still_open)
            .values(status=DONE, finished_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def active_pushes(session: Session) -> list[int]:
    """Return the ids of pushes being expanded or sent, and of cancelled ones with rows still out."""
    busy = select(Push.id).where(Push.status.in_((EXPANDING, SENDING)))
    leftovers = select(Delivery.push_id).where(Delivery.status.in_((CLAIMED, ATTEMPTED))).join(Push)
    leftovers = leftovers.where(Push.status == CANCELLED).distinct()
    return sorted(set(session.scalars(busy)) | set(session.scalars(leftovers)))


def progress(session: Session, push_id: int) -> dict:
    """Count a push's rows by status and channel, and the skipped and failed ones by reason."""
    push = session.get(Push, push_id, populate_existing=True)
    if push is None:
        raise NotFound("未找到该推送")
    sending = case((Delivery.status.in_((CLAIMED, ATTEMPTED)), "sending"), else_=Delivery.status)
    rows = session.execute(
        select(sending, Delivery.channel, Delivery.reason, func.count())
        .where(Delivery.push_id == push_id)
        .group_by(sending, Delivery.channel, Delivery.reason)
    ).all()
    counts = dict.fromkeys((PENDING, "sending", SENT, SKIPPED, FAILED), 0)
    channels: dict[str, dict[str, int]] = {}
    reasons: dict[str, dict[str, int]] = {SKIPPED: {}, FAILED: {}}
    fallbacks: dict[str, int] = {}
    for status, channel, reason, count in rows:
        counts[status] += count
        channels.setdefault(channel, dict.fromkeys(counts, 0))[status] += count
        if status in reasons:
            reasons[status][reason or "未知"] = reasons[status].get(reason or "未知", 0) + count
        elif reason:  # not by mass send: the monthly limit, or a lone follower
            fallbacks[reason] = fallbacks.get(reason, 0) + count
    return {
        "push_id": push.id,
        "status": push.status,
        "status_label": PUSH_STATUS_LABELS[push.status],
        "recipients": sum(counts.values()),
        "counts": counts,
        "by_channel": channels,
        "skipped": reasons[SKIPPED],
        "failed": reasons[FAILED],
        "fell_back": fallbacks,
        "paused_until": _iso(push.paused_until),
        "started_at": _iso(push.started_at),
        "finished_at": _iso(push.finished_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()


def bind_wechat(session: Session, actor: Actor, openid: str | None) -> Official:
    """Set (or clear, with None) the official's own WeChat openid, where previews go."""
    openid = (openid or "").strip() or None
    if openid is not None and (len(openid) > 64 or not openid.replace("-", "").replace("_", "").isalnum()):
        raise Invalid("openid 格式不正确", field="openid")
    official = session.get(Official, actor.id)
    taken = session.scalar(select(Official.id).where(Official.wechat_openid == openid, Official.id != official.id))
    if openid is not None and taken is not None:
        raise Conflict("该微信已绑定其他账号", field="openid")
    official.wechat_openid = openid
    audit.record(session, actor=actor, action="official.bind_wechat", object_type="official", object_id=official.id)
    session.flush()
    return official


UNBOUND = "请先绑定您本人的微信（PUT /api/admin/me/wechat），预览会发到那里"


def own_openid(session: Session, actor: Actor) -> str:
    """Return the official's own WeChat openid, where previews and test sends go, or raise Conflict."""
    openid = session.get(Official, actor.id).wechat_openid
    if not openid:
        raise Conflict(UNBOUND, field="wechat_openid")
    return openid


def preview_target(session: Session, actor: Actor, push_id: int) -> tuple[Push, str]:
    """Return a push and the official's own openid for a test send, or raise."""
    push = get_push(session, actor, push_id)
    openid = own_openid(session, actor)
    audit.record(
        session, actor=actor, action="push.test", object_type="push", object_id=push.id, union_id=push.union_id
    )
    return push, openid
