"""Run the scheduler: one process at a time holds the lock, others wait as standbys."""

from __future__ import annotations

import contextlib
import logging
import time

from apscheduler.schedulers.blocking import BlockingScheduler
from redis.exceptions import LockError

from app.extensions import connect_redis
from config import Config
from models import crypto
from models.database import make_engine, make_session_factory
from models.masking import install_log_masking

from . import maintenance

LOCK_NAME = "gonghui:scheduler:lock"
LOCK_SECONDS = 60
TIMEZONE = "Asia/Shanghai"

log = logging.getLogger("jobs")


def keep_lock(lock, scheduler) -> None:
    """Renew the lock; having lost it (e.g. after a long pause), stop rather than run jobs twice."""
    try:
        lock.reacquire()
    except LockError:
        log.error("scheduler lock lost; stopping")
        scheduler.shutdown(wait=False)


def main() -> None:
    """Wait for the scheduler lock, then run the jobs until stopped."""
    install_log_masking()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s [%(name)s] %(message)s")
    config = Config.from_env()
    crypto.configure(config.DATA_KEY)
    redis_client, _server = connect_redis(config.REDIS_URL, config.REDIS_EMBEDDED_PATH)
    sessions = make_session_factory(make_engine(config.DATABASE_URL))
    lock = redis_client.lock(LOCK_NAME, timeout=LOCK_SECONDS)
    while not lock.acquire(blocking=False):
        log.info("another scheduler holds the lock; standing by")
        time.sleep(LOCK_SECONDS / 3)
    scheduler = BlockingScheduler(timezone=TIMEZONE)
    scheduler.add_job(keep_lock, "interval", seconds=LOCK_SECONDS / 3, args=[lock, scheduler], id="keep-lock")
    scheduler.add_job(maintenance.purge_tokens, "cron", hour=3, args=[sessions], id="purge-tokens")
    log.info("scheduler started (%s)", TIMEZONE)
    try:
        scheduler.start()
    finally:
        with contextlib.suppress(LockError):  # already expired or taken over
            lock.release()


if __name__ == "__main__":
    main()
