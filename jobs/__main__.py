"""Run the scheduler process: python -m jobs."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys

from redis.exceptions import LockError

from app.extensions import connect_redis
from config import Config
from models import crypto
from models.database import make_engine, make_session_factory
from models.masking import install_log_masking

from .scheduler import TIMEZONE, build_scheduler, scheduler_lock, wait_for_lock

log = logging.getLogger("jobs")


def main() -> None:
    """Wait for the scheduler lock, then run the jobs until stopped."""
    install_log_masking()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s [%(name)s] %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    config = Config.from_env()
    crypto.configure(config.DATA_KEY)
    redis_client, _server = connect_redis(config.REDIS_URL, config.REDIS_EMBEDDED_PATH)
    lock = scheduler_lock(redis_client)
    wait_for_lock(lock)
    scheduler = build_scheduler(lock, make_session_factory(make_engine(config.DATABASE_URL)))
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
