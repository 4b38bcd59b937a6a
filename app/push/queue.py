"""The push job queue: RQ on the app's Redis, so any number of `rq worker` processes on any host send pushes.

Jobs are small and idempotent: "list the recipients of push p", "send mass batch b of push p", "send rows
i..j of push p". The ledger decides who gets what; a job run twice, or a job of a dead worker run again,
sends nobody anything twice. The scheduler (app/push/tick.py) queues the jobs and queues them again when a
worker died; `python -m jobs` also works the queue in threads of its own (PUSH_WORKERS), so nothing else
needs starting on a laptop.
"""

from __future__ import annotations

import logging
import threading
import uuid

import redis
from flask import Flask
from rq import Queue
from rq.job import Job, JobStatus
from rq.timeouts import TimerDeathPenalty
from rq.worker import SimpleWorker

from models.push_delivery import Unit

from ..extensions import redis_store

log = logging.getLogger(__name__)

QUEUE = "gonghui-push"
JOB_TIMEOUT = 30 * 60
WAITING = {JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED}
_connect_lock = threading.Lock()
_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def connection(app: Flask) -> redis.Redis:
    """Return a Redis client for RQ on the app's Redis, apart from the app's own.

    RQ stretches its client's socket timeout for blocking pops; the app's client keeps its short one.
    """
    with _connect_lock:
        client = app.extensions.get("gonghui.push.redis")
        if client is None:
            with app.app_context():
                pool = redis_store.client.connection_pool
            kwargs = {k: v for k, v in pool.connection_kwargs.items() if k != "socket_timeout"}
            client = redis.Redis(connection_pool=type(pool)(connection_class=pool.connection_class, **kwargs))
            app.extensions["gonghui.push.redis"] = client
        return client


def queue(app: Flask) -> Queue:
    return Queue(QUEUE, connection=connection(app), default_timeout=JOB_TIMEOUT)


def _jobs_key(push_id: int) -> str:
    return f"gonghui:push:{push_id}:jobs"


def alive_key(push_id: int, key: str) -> str:
    """The key a running job keeps alive (with the ledger's lease) while it works on a unit."""
    return f"gonghui:push:{push_id}:alive:{key}"


def busy(app: Flask, push_id: int, keys: list[str]) -> set[str]:
    """Return the keys of a push's units that a job is waiting for or working on."""
    if not keys:
        return set()
    conn = connection(app)
    ids = [raw.decode() if raw else None for raw in conn.hmget(_jobs_key(push_id), keys)]
    found = iter(Job.fetch_many([i for i in ids if i], connection=conn))
    jobs = {key: next(found) if job_id else None for key, job_id in zip(keys, ids, strict=True)}
    pipe = conn.pipeline()
    for key in keys:
        pipe.exists(alive_key(push_id, key))
    running = pipe.execute()
    return {
        key
        for key, is_running in zip(keys, running, strict=True)
        if is_running or (jobs[key] is not None and jobs[key].get_status(refresh=False) in WAITING)
    }


def enqueue(app: Flask, push_id: int, key: str, func: str, *args) -> str:
    """Queue a job for one unit of a push (func is a dotted path, so workers import it themselves)."""
    conn = connection(app)
    job_id = f"push{push_id}-{key.replace(':', '-')}-{uuid.uuid4().hex[:8]}"
    queue(app).enqueue(func, push_id, *args, job_id=job_id, result_ttl=600, failure_ttl=7 * 86400)
    conn.hset(_jobs_key(push_id), key, job_id)
    conn.expire(_jobs_key(push_id), 7 * 86400)
    return job_id


def enqueue_units(app: Flask, units: list[Unit]) -> int:
    """Queue a job for each unit nobody is waiting for or working on; return how many were queued."""
    queued = 0
    by_push: dict[int, list[Unit]] = {}
    for unit in units:
        by_push.setdefault(unit.push_id, []).append(unit)
    for push_id, some in by_push.items():
        taken = busy(app, push_id, [u.key for u in some])
        for unit in some:
            if unit.key not in taken:
                enqueue(app, push_id, unit.key, "app.push.jobs.send_unit", unit.batch, unit.first_id, unit.last_id)
                queued += 1
    return queued


def enqueue_expand(app: Flask, push_id: int) -> bool:
    """Queue the listing of a push's recipients unless it is queued or running."""
    if busy(app, push_id, ["expand"]):
        return False
    enqueue(app, push_id, "expand", "app.push.jobs.expand_push")
    return True


class InProcessWorker(SimpleWorker):
    """An RQ worker for a thread of the scheduler process: no signals (they are the main thread's), no pubsub."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        """Leave SIGINT and SIGTERM to the scheduler."""

    def subscribe(self) -> None:
        """Take no commands over pubsub: the scheduler process stops its threads itself."""


def drain(app: Flask, max_jobs: int | None = None) -> bool:
    """Work the queue in this thread until it is empty (or max_jobs ran); return whether any job ran."""
    from . import jobs  # jobs imports this module

    jobs.bind(app)
    worker = InProcessWorker([queue(app)], connection=connection(app))
    return worker.work(burst=True, logging_level="WARNING", max_jobs=max_jobs)


def run_in_background(app: Flask) -> int:
    """Keep PUSH_WORKERS threads of this process working the queue while it has jobs (the scheduler's job)."""
    wanted = app.config["GONGHUI"].PUSH_WORKERS
    if wanted <= 0 or not queue(app).count:
        return 0
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        while len(_threads) < wanted:
            thread = threading.Thread(target=_drain_logged, args=(app,), name="push-worker", daemon=True)
            thread.start()
            _threads.append(thread)
        return len(_threads)


def _drain_logged(app: Flask) -> None:
    try:
        drain(app)
    except Exception:  # a thread's exception would otherwise vanish
        log.exception("the in-process push worker stopped")
