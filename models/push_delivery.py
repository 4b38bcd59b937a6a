"""The delivery ledger: a push's recipients listed once, rows claimed with a lease, then settled exactly once.

A row goes pending → claimed (a sender holds it until lease_until) → attempted (the WeChat call is being made)
→ sent, skipped (with the reason) or failed; 45009 gives it back (pending). A claimed row whose sender died is
claimed again once its lease is over: nothing was sent for it. An *attempted* row whose sender died may or may
not have reached the worker: WeChat has no idempotency key for subscribe messages, so it is not sent again but
skipped as IN_DOUBT (at most once; see app/push/send.py). Mass sends carry a clientmsgid per batch, so a batch
whose sender died is simply sent again: WeChat answers 45065 if it already went out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, exists, func, insert, literal, null, or_, select, union, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .base import LOCAL_TZ, as_utc, utcnow
from .notifications import DELIVERED, Notification, SubscriptionGrant
from .notifications import INBOX as INBOX_NOTIFICATION
from .push_audience import follower, granted, inbox_text, massable, recipients, subscribe_message
from .pushes import (
    CLAIMED,
    EXPANDING,
    FAILED,
    INBOX,
    MASS,
    PENDING,
    SENDING,
    SENT,
    SKIPPED,
    SUBSCRIBE,
    Delivery,
    MassQuota,
    Push,
)
from .workers import Worker

ATTEMPTED = "attempted"
OPEN = (PENDING, CLAIMED, ATTEMPTED)  # rows not settled yet
MASS_PER_MONTH = 4  # WeChat: a service account reaches each follower by mass send at most 4 times a month
MASS_BATCH = 10_000  # openids per mass send, WeChat's maximum
EXPAND_STEP = 10_000  # workers per INSERT … SELECT while listing recipients
CHUNK = 1_000  # ledger rows per queued job ("send chunk k of push p")
MAX_BATCH_ATTEMPTS = 5

MONTHLY_LIMIT = "本月群发次数已满"  # not by mass send: a subscribe message or the inbox instead
LONE_FOLLOWER = "群发至少需要两位粉丝"
UNFOLLOWED = "已取消关注公众号"
CANCELLED_REASON = "推送已取消"
IN_DOUBT = "发送中断，可能已送达（未重发）"
GAVE_UP = "多次发送未成功"


@dataclass(frozen=True)
class Claimed:
    """A row a sender holds: who it is for and where to send it."""

    id: int
    worker_id: int
    openid: str | None


def china_month(moment: datetime) -> str:
    """Return the month WeChat counts mass sends in (China time), e.g. 2026-11."""
    return as_utc(moment).astimezone(LOCAL_TZ).strftime("%Y-%m")


def _month(push: Push) -> str:
    return china_month(push.started_at or utcnow())


def _claimable(now: datetime):
    return or_(Delivery.status == PENDING, and_(Delivery.status == CLAIMED, Delivery.lease_until < now))


def _sending(push_id: int):
    return exists(select(Push.id).where(Push.id == push_id, Push.status == SENDING))


def _update(*where):
    return update(Delivery).where(*where).execution_options(synchronize_session=False)


# -- listing the recipients --------------------------------------------------------------------------------


def expand(session: Session, push_id: int, step: int = EXPAND_STEP, on_step: Callable[[], None] | None = None) -> int:
    """List an expanding push's recipients, one row each, and start sending; idempotent (commits per step).

    Each step is one transaction over a range of worker ids: followers' monthly mass quota is reserved
    (a conditional UPDATE, so two pushes racing cannot give anyone a fifth), their rows inserted, then
    everyone else's by INSERT … SELECT; a worker who already has a row is left out, so a step run twice,
    or after a crash, adds nobody twice.
    """
    push = session.get(Push, push_id, populate_existing=True)
    if push is None or push.status != EXPANDING:
        return 0 if push is None else push.recipients
    template = subscribe_message(push)[0]
    by_mass = massable(push.message)
    month = _month(push)
    low, high = session.execute(select(func.min(Worker.id), func.max(Worker.id))).one()
    listed = exists(select(Delivery.id).where(Delivery.push_id == push.id, Delivery.worker_id == Worker.id))
    for start in range(low or 0, (high or -1) + 1, step):
        fresh = (Worker.id >= start, Worker.id < start + step, ~listed)
        if by_mass:
            followers = list(session.scalars(recipients(session, push).where(*fresh, follower())))
            reserved = _reserve(session, followers, month) if followers else []
            if reserved:
                rows = [{"push_id": push.id, "worker_id": w, "channel": MASS, "status": PENDING} for w in reserved]
                session.execute(insert(Delivery), rows)
        channel = case((granted(template), SUBSCRIBE), else_=INBOX)
        reason = case((follower(), MONTHLY_LIMIT), else_=null()) if by_mass else null()
        rest = recipients(session, push, literal(push.id), Worker.id, channel, literal(PENDING), literal(0), reason)
        columns = ["push_id", "worker_id", "channel", "status", "attempts", "reason"]
        session.execute(insert(Delivery).from_select(columns, rest.where(*fresh)))
        session.commit()
        if on_step is not None:
            on_step()
    plan_mass_batches(session, push)
    total = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.push_id == push.id))
    session.execute(
        update(Push)
        .where(Push.id == push.id, Push.status == EXPANDING)
        .values(status=SENDING, recipients=total)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    session.refresh(push)
    return total


def _reserve(session: Session, worker_ids: list[int], month: str) -> list[int]:
    """Count one mass message for each follower still under the monthly limit; return those counted."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = MassQuota.__table__
    add = dialect.insert(table).on_conflict_do_nothing(index_elements=["worker_id", "month"])
    session.execute(add, [{"worker_id": w, "month": month, "used": 0} for w in worker_ids])
    counted = (
        update(table)
        .where(table.c.month == month, table.c.used < MASS_PER_MONTH, table.c.worker_id.in_(worker_ids))
        .values(used=table.c.used + 1)
        .returning(table.c.worker_id)
    )
    return list(session.scalars(counted))


def release_quota(session: Session, push: Push, worker_ids: list[int]) -> None:
    """Give back the monthly mass quota reserved for rows that will not go out by mass send."""
    if worker_ids:
        table = MassQuota.__table__
        session.execute(
            update(table)
            .where(table.c.month == _month(push), table.c.worker_id.in_(worker_ids), table.c.used > 0)
            .values(used=table.c.used - 1)
        )


def plan_mass_batches(session: Session, push: Push) -> list[str]:
    """Split the pending mass rows into batches of up to 10,000, each with its clientmsgid (commits).

    The batch id is the clientmsgid: fixed before the first call, so a batch sent again after a crash is
    the same mass message to WeChat. WeChat wants 2 openids at least: a lone follower is reached otherwise.
    """
    ids = list(
        session.scalars(
            select(Delivery.id)
            .where(Delivery.push_id == push.id, Delivery.channel == MASS, Delivery.batch.is_(None))
            .where(Delivery.status == PENDING)
            .order_by(Delivery.id)
        )
    )
    if len(ids) == 1:
        reroute(session, push, ids, LONE_FOLLOWER)
        ids = []
    batches = [ids[i : i + MASS_BATCH] for i in range(0, len(ids), MASS_BATCH)]
    if len(batches) > 1 and len(batches[-1]) == 1:
        batches[-1].insert(0, batches[-2].pop())
    names = []
    for batch in batches:
        name = f"gh{push.id}-{batch[0]}"
        session.execute(
            _update(
                Delivery.push_id == push.id,
                Delivery.channel == MASS,
                Delivery.batch.is_(None),
                Delivery.id.between(batch[0], batch[-1]),
            ).values(batch=name)
        )
        names.append(name)
    session.commit()
    return names


def reroute(session: Session, push: Push, ids: list[int], reason: str) -> None:
    """Send rows another way than mass: a subscribe message where granted, else the inbox (caller commits)."""
    template = subscribe_message(push)[0]
    rows = session.execute(select(Delivery.id, Delivery.worker_id).where(Delivery.id.in_(ids))).all()
    with_grant = set(
        session.scalars(select(Worker.id).where(Worker.id.in_([r.worker_id for r in rows]), granted(template)))
    )
    for row in rows:
        session.execute(
            _update(Delivery.id == row.id).values(
                channel=SUBSCRIBE if row.worker_id in with_grant else INBOX,
                status=PENDING,
                batch=None,
                lease_until=None,
                reason=reason,
            )
        )
    release_quota(session, push, [r.worker_id for r in rows])


# -- claiming and settling rows ----------------------------------------------------------------------------


class _Hot:
    """The statements a sender runs for every block of rows, built once (building them costs more than running them)."""

    def __init__(self) -> None:
        d, w, p = Delivery.__table__.c, Worker.__table__.c, Push.__table__.c
        now = bindparam("now")
        claimable = or_(d.status == PENDING, and_(d.status == CLAIMED, d.lease_until < now))
        sending = exists(select(p.id).where(p.id == bindparam("push_id"), p.status == SENDING))
        self.candidates = {
            channel: select(d.id, d.worker_id, openid)
            .select_from(Delivery.__table__.join(Worker.__table__, w.id == d.worker_id))
            .where(d.push_id == bindparam("push_id"), d.channel == channel, claimable, sending)
            .where(d.id >= bindparam("first_id"), d.id <= bindparam("last_id"))
            .order_by(d.id)
            .limit(bindparam("limit"))
            for channel, openid in ((SUBSCRIBE, w.miniapp_openid), (INBOX, w.miniapp_openid), (MASS, w.openid))
        }
        self.take = (
            update(Delivery.__table__)
            .where(d.id.in_(bindparam("ids", expanding=True)), claimable)
            .values(status=bindparam("status"), lease_until=bindparam("lease_until"), attempts=d.attempts + 1)
            .returning(d.id)
        )
        self.sent = (
            update(Delivery.__table__)
            .where(d.id == bindparam("row_id"), or_(d.status == CLAIMED, d.status == ATTEMPTED, d.reason == IN_DOUBT))
            .values(status=SENT, sent_at=bindparam("at"), wechat_msgid=bindparam("msgid"))
            .values(lease_until=None, reason=None)
        )
        g = SubscriptionGrant.__table__.c
        self.spend = (
            update(SubscriptionGrant.__table__)
            .where(g.template_id == bindparam("template"), g.remaining > 0)
            .where(g.worker_id.in_(bindparam("workers", expanding=True)))
            .values(remaining=g.remaining - 1)
        )
        self.settle = (
            update(Delivery.__table__)
            .where(d.id == bindparam("row_id"), or_(d.status == CLAIMED, d.status == ATTEMPTED))
            .values(status=bindparam("new_status"), reason=bindparam("why"), lease_until=None)
        )
        self.release = (
            update(Delivery.__table__)
            .where(d.id.in_(bindparam("ids", expanding=True)), or_(d.status == CLAIMED, d.status == ATTEMPTED))
            .values(status=PENDING, lease_until=None)
        )


_hot: _Hot | None = None


def _statements() -> _Hot:
    global _hot  # built on first use, once per process
    if _hot is None:
        _hot = _Hot()
    return _hot


def claim(
    session: Session,
    push_id: int,
    *,
    limit: int,
    lease_seconds: int,
    channel: str = SUBSCRIBE,
    first_id: int | None = None,
    last_id: int | None = None,
    attempt: bool = False,
) -> list[Claimed]:
    """Take up to `limit` pending rows (or rows whose sender's lease ran out) of a sending push; commits.

    A conditional UPDATE decides between racing senders. With attempt=True the rows are marked attempted
    at once, for a sender that calls WeChat for all of them right away.
    """
    hot, now = _statements(), utcnow()
    bounds = {"first_id": first_id or 0, "last_id": last_id if last_id is not None else 2**31 - 1}
    params = {"push_id": push_id, "now": now, "limit": limit, **bounds}
    candidates = session.execute(hot.candidates[channel], params).all()
    if not candidates:
        session.commit()
        return []
    taken = set(
        session.scalars(
            hot.take,
            {
                "ids": [c[0] for c in candidates],
                "now": now,
                "status": ATTEMPTED if attempt else CLAIMED,
                "lease_until": now + timedelta(seconds=lease_seconds),
            },
        )
    )
    session.commit()
    return [Claimed(*c) for c in candidates if c[0] in taken]


def claim_batch(session: Session, push: Push, batch: str, lease_seconds: int) -> list[Claimed]:
    """Take a mass batch's open rows for (re)sending with its clientmsgid; commits.

    Followers who left the account since are skipped; a batch tried too often fails.
    """
    now = utcnow()
    taken = session.execute(
        _update(Delivery.push_id == push.id, Delivery.batch == batch, _claimable(now), _sending(push.id))
        .values(status=CLAIMED, lease_until=now + timedelta(seconds=lease_seconds), attempts=Delivery.attempts + 1)
        .returning(Delivery.id, Delivery.attempts)
    ).all()
    ids = [row.id for row in taken]
    rows = session.execute(
        select(Delivery.id, Delivery.worker_id, Worker.openid, Worker.subscribed)
        .join(Worker, Worker.id == Delivery.worker_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.id)
    ).all()
    if taken and max(row.attempts for row in taken) > MAX_BATCH_ATTEMPTS:
        mark_failed(session, [(row.id, GAVE_UP) for row in rows])
        release_quota(session, push, [row.worker_id for row in rows])
        session.commit()
        return []
    gone = [row for row in rows if not (row.subscribed and row.openid)]
    if gone:
        mark_skipped(session, [(row.id, UNFOLLOWED) for row in gone])
        release_quota(session, push, [row.worker_id for row in gone])
    claimed = [Claimed(row.id, row.worker_id, row.openid) for row in rows if row.subscribed and row.openid]
    if len(claimed) == 1:  # WeChat's mass send wants two openids at least
        reroute(session, push, [claimed[0].id], LONE_FOLLOWER)
        claimed = []
    session.commit()
    return claimed


def mark_attempted(session: Session, ids: list[int]) -> None:
    """Record that the WeChat calls for these claimed rows are being made (the caller commits)."""
    if ids:
        session.execute(_update(Delivery.id.in_(ids), Delivery.status == CLAIMED).values(status=ATTEMPTED))


def mark_sent(session: Session, sent: list[tuple[Claimed, str | None]], *, grant_template: str | None = None) -> None:
    """Record rows as sent with WeChat's msgid; spend the subscribe grants they used (the caller commits).

    A row skipped as IN_DOUBT by another sender after this one's lease ran out is corrected to sent.
    """
    if not sent:
        return
    hot, now = _statements(), utcnow()
    session.execute(hot.sent, [{"row_id": row.id, "msgid": msgid, "at": now} for row, msgid in sent])
    if grant_template:
        session.execute(hot.spend, {"template": grant_template, "workers": [row.worker_id for row, _ in sent]})


def _settle(session: Session, status: str, rows: list[tuple[int, str]]) -> None:
    if rows:
        params = [{"row_id": row_id, "why": reason[:60], "new_status": status} for row_id, reason in rows]
        session.execute(_statements().settle, params)


def mark_skipped(session: Session, rows: list[tuple[int, str]]) -> None:
    """Record rows as skipped, each with its reason (43101, 45015, …); the caller commits."""
    _settle(session, SKIPPED, rows)


def mark_failed(session: Session, rows: list[tuple[int, str]]) -> None:
    """Record rows as failed after the retries, each with its reason; the caller commits."""
    _settle(session, FAILED, rows)


def release(session: Session, ids: list[int]) -> None:
    """Give rows back to pending, e.g. when WeChat's quota (45009) refused them; the caller commits."""
    if ids:
        session.execute(_statements().release, {"ids": ids})


def settle_in_doubt(
    session: Session, push_id: int, *, first_id: int | None = None, last_id: int | None = None, resend: bool = False
) -> int:
    """Settle attempted subscribe rows whose sender died: skipped as IN_DOUBT, or (resend=True) pending again.

    Skipping sends nobody anything twice, at the price of possibly missing the few rows that were on
    their way when the sender died; resending is the opposite trade. The caller commits.
    """
    where = [
        Delivery.push_id == push_id,
        Delivery.status == ATTEMPTED,
        Delivery.lease_until < utcnow(),
        Delivery.channel != MASS,
    ]
    if first_id is not None:
        where.append(Delivery.id >= first_id)
    if last_id is not None:
        where.append(Delivery.id <= last_id)
    values = {"status": PENDING} if resend else {"status": SKIPPED, "reason": IN_DOUBT}
    return session.execute(_update(*where).values(lease_until=None, **values)).rowcount


def deliver_inbox(session: Session, push: Push, first_id: int, last_id: int) -> int:
    """Put a push in the mini-program inbox of its inbox rows in a range, marking them sent (the caller commits).

    The inbox rows and the ledger change in one transaction: exactly once without any lease.
    """
    now = utcnow()
    rows = session.execute(
        _update(
            Delivery.push_id == push.id,
            Delivery.channel == INBOX,
            Delivery.status == PENDING,
            Delivery.id.between(first_id, last_id),
            _sending(push.id),
        )
        .values(status=SENT, sent_at=now, attempts=Delivery.attempts + 1)
        .returning(Delivery.worker_id)
    ).all()
    if rows:
        page = subscribe_message(push)[2]
        common = {
            "kind": f"push_{push.kind}",
            "title": push.title[:60],
            "body": inbox_text(push),
            "page": page,
            "data": {},
            "status": DELIVERED,
            "channel": INBOX_NOTIFICATION,
            "delivered_at": now,
        }
        session.execute(
            insert(Notification), [{**common, "worker_id": w, "dedup_key": f"push:{push.id}:{w}"} for (w,) in rows]
        )
    return len(rows)


def skip_pending(session: Session, push: Push) -> int:
    """Skip a cancelled push's rows that were not taken yet, giving back their mass quota; the caller commits."""
    mass = list(
        session.scalars(
            select(Delivery.worker_id).where(
                Delivery.push_id == push.id, Delivery.channel == MASS, Delivery.status == PENDING
            )
        )
    )
    release_quota(session, push, mass)
    return session.execute(
        _update(Delivery.push_id == push.id, Delivery.status == PENDING).values(status=SKIPPED, reason=CANCELLED_REASON)
    ).rowcount


def settle_abandoned(session: Session, push: Push) -> int:
    """Settle a cancelled push's rows whose sender died: claimed ones were never sent, attempted ones are in doubt."""
    now = utcnow()
    expired = (Delivery.push_id == push.id, Delivery.lease_until < now)
    mass = list(
        session.scalars(
            select(Delivery.worker_id).where(*expired, Delivery.channel == MASS, Delivery.status == CLAIMED)
        )
    )
    release_quota(session, push, mass)
    count = session.execute(
        _update(*expired, Delivery.status == CLAIMED).values(status=SKIPPED, reason=CANCELLED_REASON)
    ).rowcount
    return (
        count
        + session.execute(
            _update(*expired, Delivery.status == ATTEMPTED).values(status=SKIPPED, reason=IN_DOUBT)
        ).rowcount
    )


# -- what is left to send, as jobs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A piece of a push one job sends: a mass batch, or a range of ledger rows (subscribe and inbox)."""

    push_id: int
    batch: str | None = None
    first_id: int | None = None
    last_id: int | None = None

    @property
    def key(self) -> str:
        return f"m:{self.batch}" if self.batch else f"r:{self.first_id}"


def open_units(session: Session, push_id: int, chunk: int = CHUNK) -> list[Unit]:
    """Return the units of a push that have rows to send: pending, or left by a sender whose lease ran out."""
    now = utcnow()

    def takeable(column, *where):
        # Two index range scans (push, status) rather than one scan of every row of the push.
        pending = select(column).where(Delivery.push_id == push_id, Delivery.status == PENDING, *where)
        left = select(column).where(
            Delivery.push_id == push_id, Delivery.status.in_((CLAIMED, ATTEMPTED)), Delivery.lease_until < now, *where
        )
        return union(pending, left)

    batches = session.scalars(takeable(Delivery.batch, Delivery.channel == MASS, Delivery.batch.is_not(None)))
    units = [Unit(push_id, batch=batch) for batch in sorted(batches)]
    base = session.scalar(select(func.min(Delivery.id)).where(Delivery.push_id == push_id))
    if base is None:
        return units
    chunks = session.scalars(takeable(((Delivery.id - base) // chunk).label("k"), Delivery.channel != MASS))
    for k in sorted(chunks):
        units.append(Unit(push_id, first_id=base + k * chunk, last_id=base + (k + 1) * chunk - 1))
    return units
