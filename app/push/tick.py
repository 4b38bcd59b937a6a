"""The scheduler's `pushes` job: start pushes that are due, resume paused ones, and keep every push moving.

Every few seconds it looks at the ledger, not at the queue: a unit with rows left to send (pending, or
left by a sender whose lease ran out) and no job waiting for it or working on it gets a new job. So a
worker killed with -9 costs a lease's time, and a lost job cannot strand a push.
"""

from __future__ import annotations

import logging

from flask import Flask

from models.access import Actor
from models.push_delivery import open_units, settle_abandoned
from models.push_ledger import active_pushes, begin_due, finish_if_done, get_push, resume_due, schedule_push
from models.pushes import CANCELLED, EXPANDING, SENDING, Push

from ..extensions import db
from . import queue

log = logging.getLogger(__name__)


def start_due(app: Flask) -> list[int]:
    """Start the pushes whose time has come: list their recipients in a job (also called for "send now")."""
    with app.app_context():
        started = begin_due(db.session)
    for push_id in started:
        queue.enqueue_expand(app, push_id)
        log.info("push %s started", push_id)
    return started


def send_now(app: Flask, actor: Actor, push_id: int) -> Push:
    """Send a draft (or a scheduled push) now, for an official: start it at once rather than at the next tick."""
    schedule_push(db.session, actor, push_id)
    db.session.commit()
    start_due(app)
    db.session.expire_all()
    return get_push(db.session, actor, push_id)


def tick(app: Flask) -> dict[str, int]:
    """Start due pushes, resume paused ones, queue what is left to send, finish what is done."""
    started = start_due(app)
    queued = finished = 0
    with app.app_context():
        session = db.session
        resumed = resume_due(session)
        for push_id in active_pushes(session):
            push = session.get(Push, push_id, populate_existing=True)
            if push.status == EXPANDING:
                queued += queue.enqueue_expand(app, push_id)
            elif push.status == SENDING:
                units = open_units(session, push_id)
                queued += queue.enqueue_units(app, units) if units else 0
                finished += not units and finish_if_done(session, push_id)
            elif push.status == CANCELLED:
                settle_abandoned(session, push)
            session.commit()
    return {"started": len(started), "resumed": len(resumed), "queued": queued, "finished": finished}
