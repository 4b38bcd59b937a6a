"""The scheduler: one process at a time holds a Redis lock and runs the jobs."""

from __future__ import annotations

import logging
import time

import redis
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from redis.exceptions import LockError
from redis.lock import Lock

from app.notify import dispatch_pending
from app.push.queue import run_in_background as work_push_queue
from app.push.tick import tick as push_tick
from app.wechat.recovery import answer_abandoned

from . import childcare, digests, grievances, maintenance, training

LOCK_NAME = "gonghui:scheduler:lock"
TIMEZONE = "Asia/Shanghai"

log = logging.getLogger("jobs")


def scheduler_lock(client: redis.Redis, seconds: float = 60) -> Lock:
    """Return the lock that makes this the only running scheduler; a dead holder's lapses after `seconds`."""
    # Not thread-local: it is renewed from the scheduler's worker threads.
    return client.lock(LOCK_NAME, timeout=seconds, thread_local=False)


def wait_for_lock(lock: Lock) -> None:
    """Block until this process holds the lock, standing by while another one does."""
    while not lock.acquire(blocking=False):
        log.info("another scheduler holds the lock; standing by")
        time.sleep(lock.timeout / 3)


def keep_lock(lock: Lock, scheduler) -> None:
    """Renew the lock; having lost it to another scheduler (e.g. after a long pause), stop rather than run jobs twice.

    A lock that is simply gone (Redis restarted empty) is taken again if nobody else took it meanwhile. While
    Redis is out, the renewal fails and is tried again next time: no other scheduler can take the lock either.
    """
    try:
        lock.reacquire()
    except LockError:
        if lock.acquire(blocking=False):
            log.warning("scheduler lock was gone (Redis restarted?); taken again")
            return
        log.error("scheduler lock taken by another scheduler; stopping")
        scheduler.shutdown(wait=False)


def build_scheduler(lock: Lock, app: Flask) -> BlockingScheduler:
    """Create the scheduler with every job of the service."""
    scheduler = BlockingScheduler(timezone=TIMEZONE)
    scheduler.add_job(keep_lock, "interval", seconds=lock.timeout / 3, args=[lock, scheduler], id="keep-lock")
    scheduler.add_job(maintenance.purge_tokens, "cron", hour=3, args=[app], id="purge-tokens")
    scheduler.add_job(answer_abandoned, "interval", seconds=15, args=[app], id="answer-abandoned", max_instances=1)
    scheduler.add_job(
        dispatch_pending, "interval", seconds=10, args=[app], id="dispatch-notifications", max_instances=1
    )
    scheduler.add_job(childcare.remind_tomorrow, "cron", hour=18, args=[app], id="childcare-reminders")
    scheduler.add_job(
        grievances.escalate, "interval", minutes=10, args=[app], id="grievance-escalation", max_instances=1
    )
    scheduler.add_job(training.remind_and_ask, "cron", hour=18, minute=5, args=[app], id="training-reminders")
    # Pushes: start the due ones and keep them moving; work their queue in this process too (PUSH_WORKERS).
    scheduler.add_job(push_tick, "interval", seconds=5, args=[app], id="pushes", max_instances=1)
    scheduler.add_job(work_push_queue, "interval", seconds=2, args=[app], id="push-queue", max_instances=1)
    scheduler.add_job(digests.publish, "interval", minutes=2, args=[app], id="digest-publishing", max_instances=1)
    return scheduler
