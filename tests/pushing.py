"""Helpers for the push tests: bulk workers with WeChat identities, and running a push to its end."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.push import queue, tick
from models import notifications
from models.push_audience import NEWS_TEMPLATE
from models.pushes import Delivery, Push
from models.workers import Worker


def add_workers(session, union, prefix: str, count: int, *, follow=False, mini=False, grant=None, simulator=None):
    """Add members of a union: followers of the service account, mini-program users with a grant, or neither."""
    made = []
    for n in range(count):
        worker = Worker(
            name=f"{prefix}{n}",
            union_id=union.id,
            member_since=date(2020, 1, 1),
            openid=f"o-mp-{prefix}-{n}" if follow else None,
            miniapp_openid=f"o-mini-{prefix}-{n}" if mini or grant else None,
            subscribed=follow,
        )
        session.add(worker)
        made.append(worker)
    session.flush()
    for worker in made:
        if grant:
            notifications.grant(session, worker.id, NEWS_TEMPLATE if grant is True else grant)
            if simulator is not None:
                simulator.state.grant(worker.miniapp_openid, NEWS_TEMPLATE if grant is True else grant)
        if follow and simulator is not None:
            simulator.state.add_followers([worker.openid])
    session.commit()
    return made


def run(app, rounds: int = 5) -> dict:
    """Run the scheduler's tick and the queue until nothing is left to do (or `rounds` have passed)."""
    for _ in range(rounds):
        done = tick.tick(app)
        worked = queue.drain(app)
        if not worked and not done["queued"] and not done["started"]:
            break
    return tick.tick(app)


def rows(session, push_id: int) -> list[Delivery]:
    session.expire_all()
    return list(session.scalars(select(Delivery).where(Delivery.push_id == push_id).order_by(Delivery.id)))


def status(session, push_id: int) -> str:
    session.expire_all()
    return session.get(Push, push_id).status


def sent_per_openid(simulator, kind: str | None = None) -> dict[str, int]:
    """Count what the simulator delivered to each openid (mass skips aside)."""
    counts: dict[str, int] = {}
    for record in simulator.state.sent_messages(kind=kind):
        if not record["skipped"] and record["kind"] in ("mass", "subscribe"):
            counts[record["openid"]] = counts.get(record["openid"], 0) + 1
    return counts
