"""Run the scheduler process: python -m jobs."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys

from redis.exceptions import LockError

from app import create_app
from app.extensions import redis_store

from .scheduler import TIMEZONE, build_scheduler, scheduler_lock, wait_for_lock

log = logging.getLogger("jobs")


def main() -> None:
    """Wait for the scheduler lock, then run the jobs until stopped."""
    app = create_app()  # jobs use the app's database, Redis and WeChat client, in app contexts
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    with app.app_context():
        lock = scheduler_lock(redis_store.client, app.config["GONGHUI"].SCHEDULER_LOCK_SECONDS)
    wait_for_lock(lock)
    scheduler = build_scheduler(lock, app)
    # SIGTERM (make run's Ctrl-C, systemd, a deploy) unwinds through finally and frees the lock at once.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log.info("scheduler started (%s)", TIMEZONE)
    try:
        scheduler.start()
    finally:
        with contextlib.suppress(LockError):  # already expired or taken over
            lock.release()


if __name__ == "__main__":
    main()
