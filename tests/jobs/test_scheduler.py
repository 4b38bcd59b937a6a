"""One scheduler at a time; the lock is renewed from job threads; stale tokens are purged."""

from __future__ import annotations

import threading
from datetime import timedelta

import redis
from sqlalchemy import select

from jobs import maintenance
from jobs.scheduler import build_scheduler, keep_lock, scheduler_lock
from models.base import utcnow
from models.officials import ApiToken, issue_token


def test_second_scheduler_cannot_take_the_lock(backend):
    client = redis.Redis.from_url(backend.redis_url)
    first, second = scheduler_lock(client), scheduler_lock(client)
    assert first.acquire(blocking=False)
    assert not second.acquire(blocking=False)
    first.release()
    assert second.acquire(blocking=False)


def test_lock_is_renewed_from_another_thread_and_loss_stops_the_scheduler(backend, app):
    client = redis.Redis.from_url(backend.redis_url)
    lock = scheduler_lock(client)
    assert lock.acquire(blocking=False)
    scheduler = build_scheduler(lock, app)
    assert {job.id for job in scheduler.get_jobs()} == {
        "keep-lock",
        "purge-tokens",
        "answer-abandoned",
        "dispatch-notifications",
        "childcare-reminders",
        "training-reminders",
    }
    running = threading.Thread(target=scheduler.start)
    running.start()
    renew = threading.Thread(target=keep_lock, args=(lock, scheduler))
    renew.start()
    renew.join()
    assert running.is_alive() and client.pttl(lock.name) > 50_000
    client.delete(lock.name)  # another process took the lock over after a long pause
    keep_lock(lock, scheduler)
    running.join(timeout=5)
    assert not running.is_alive()


def test_purge_removes_expired_and_revoked_tokens_only(demo, app):
    official = demo.official("kangcun")
    _live, live = issue_token(demo.session, official, hours=12)
    _old, old = issue_token(demo.session, official, hours=12)
    old.expires_at = utcnow() - timedelta(days=2)
    demo.session.commit()
    assert maintenance.purge_tokens(app) == 1
    assert demo.session.scalars(select(ApiToken.id)).all() == [live.id]
