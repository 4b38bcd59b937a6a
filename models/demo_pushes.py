"""Demo pushes, sent and settled: 第31期 of the 手机报 to the city's workers, and 获嘉县总工会's broadcasts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import audit
from .base import LOCAL_TZ, utcnow
from .demo_childcare import PARENTS, REFUSED, parent_openid
from .demo_digests import PUBLISHER
from .digest_publishing import message
from .digests import PUBLISHED, Digest
from .notifications import DELIVERED, Notification, SubscriptionGrant
from .notifications import INBOX as INBOX_NOTIFICATION
from .officials import Official
from .push_audience import granted, inbox_text, recipients, subscribe_message, validate_audience, validate_message
from .pushes import BROADCAST, DIGEST, DONE, INBOX, SENT, SKIPPED, SUBSCRIBE, Delivery, Push
from .unions import TradeUnion, subtree_ids
from .workers import Worker

SENT_ISSUE = 31
# What app/push/send.py records when WeChat refuses a subscribe message the worker had allowed (and then switched
# off in WeChat's settings): the row is skipped, never retried.
REFUSED_REASON = "43101 未授权订阅消息"


def _last_summer(now: datetime) -> datetime:
    """The morning of July 10th last summer, when the heat came."""
    local = now.astimezone(LOCAL_TZ)
    year = local.year if (local.month, local.day) > (7, 10) else local.year - 1
    return datetime.combine(date(year, 7, 10), time(9, 30), LOCAL_TZ)


def _days_ago(days: int) -> Callable[[datetime], datetime]:
    return lambda now: now - timedelta(days=days)


# (official, title, text, audience, when it went out)
BROADCASTS = [
    (
        "huojia",
        "获嘉县总工会“夏季送清凉”活动通知",
        "入伏以来持续高温，县总工会开展“夏季送清凉”活动：7月中旬起走进亢村镇工业园区、照镜镇建材企业等一线班组，"
        "为高温作业职工送去防暑降温药品和清凉饮品。请合理安排休息，注意防暑；"
        "高温天气不停工、不发高温津贴的，可在公众号发送“我要维权”。",
        {"industries": ["制造业", "建材"]},  # the workers in the heat: machinery plants, building materials
        _last_summer,
    ),
    (
        "huojia",
        "县职工心理咨询中心、法律服务中心开放预约",
        "县总工会职工心理咨询中心、法律服务中心免费向全县职工开放：心理咨询可预约一对一面谈，"
        "法律服务中心解答劳动合同、工资报酬、工伤认定等问题。在公众号留言“预约”，工作人员会与您联系。",
        {"everyone": True},
        _days_ago(10),
    ),
]


def load_pushes(session: Session, base_url: str) -> int:
    """Add the demo's past pushes with their delivery ledgers if missing; return how many rows were added."""
    created = 0
    city = session.scalars(select(TradeUnion).where(TradeUnion.name == PUBLISHER)).one()
    issue = session.scalars(select(Digest).where(Digest.union_id == city.id, Digest.number == SENT_ISSUE)).first()
    if issue is not None and issue.status == PUBLISHED and issue.push_id is None:
        # What publish() handed the push engine when the issue went out (the system sends it, for the city union).
        push = Push(
            union_id=city.id,
            kind=DIGEST,
            title=issue.title,
            message=validate_message(message(issue, base_url)),
            audience={"everyone": True},
            created_at=issue.published_at,
        )
        created += 1 + _sent(session, push, issue.published_at)
        issue.push_id = push.id
    for username, title, text, audience, when in BROADCASTS:
        if session.scalar(select(Push.id).where(Push.kind == BROADCAST, Push.title == title)) is not None:
            continue
        official = session.scalars(select(Official).where(Official.username == username)).one()
        at = when(utcnow())
        scope = frozenset(subtree_ids(session, official.union_id))
        push = Push(
            union_id=official.union_id,
            official_id=official.id,
            kind=BROADCAST,
            title=title,
            message=validate_message({"type": "text", "text": text}),
            audience=validate_audience(session, scope, audience),
            created_at=at - timedelta(hours=1),
        )
        created += 1 + _sent(session, push, at)
        # The audit trail create_push and schedule_push left, at the time.
        schedule = {"send_at": at.astimezone(UTC).isoformat()}
        for action, moment, detail in (("push.create", push.created_at, {}), ("push.schedule", at, schedule)):
            audit.record(
                session,
                actor=official,
                action=action,
                object_type="push",
                object_id=push.id,
                union_id=push.union_id,
                **detail,
            ).at = moment
    session.flush()
    return created


def _sent(session: Session, push: Push, at: datetime) -> int:
    """Record a push as sent at a time, with the ledger its senders left; return how many rows the ledger has.

    Not start_push and the push jobs: those send now, through WeChat, and commit as they go. These rows are what
    they wrote then: expand listed the recipients (the demo's workers follow no service account, so none by mass
    send), a subscribe message went to each worker who had allowed one, except where WeChat refused it (43101), and
    everyone else found the push in the mini-program's inbox.
    """
    session.add(push)
    session.flush()
    template, _, page = subscribe_message(push)
    refused = {parent_openid(phone) for _, phone, _, _, news, _ in PARENTS if news == REFUSED}
    listed = session.execute(
        recipients(session, push, Worker.id, Worker.miniapp_openid, granted(template)).order_by(Worker.id)
    ).all()
    moment, rows, inbox, spent = at, [], [], []
    for worker_id, openid, by_subscribe in listed:
        moment += timedelta(seconds=1)
        row = Delivery(push_id=push.id, worker_id=worker_id, channel=INBOX, status=SENT, attempts=1, sent_at=moment)
        if by_subscribe:
            row.channel = SUBSCRIBE
            if openid in refused:
                row.status, row.reason, row.sent_at = SKIPPED, REFUSED_REASON, None
            else:
                row.wechat_msgid = f"{push.id}{worker_id:06d}"
                spent.append(worker_id)
        else:
            inbox.append(
                Notification(
                    worker_id=worker_id,
                    kind=f"push_{push.kind}",
                    dedup_key=f"push:{push.id}:{worker_id}",
                    title=push.title[:60],
                    body=inbox_text(push),
                    page=page,
                    data={},
                    status=DELIVERED,
                    channel=INBOX_NOTIFICATION,
                    created_at=moment,
                    delivered_at=moment,
                )
            )
        rows.append(row)
    session.add_all(rows + inbox)
    if spent:  # each subscribe message sent used up the grant it went out on
        session.execute(
            update(SubscriptionGrant)
            .where(
                SubscriptionGrant.template_id == template,
                SubscriptionGrant.worker_id.in_(spent),
                SubscriptionGrant.remaining > 0,
            )
            .values(remaining=SubscriptionGrant.remaining - 1)
        )
    push.status, push.send_at, push.started_at = DONE, at, at
    push.finished_at, push.recipients = moment + timedelta(seconds=1), len(listed)
    session.flush()
    return len(listed)
