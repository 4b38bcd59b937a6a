"""Engines and sessions, for the web app, the scheduler and the tests alike."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")


def make_engine(url: str, **options) -> Engine:
    """Create an engine tuned for our use of SQLite or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pre_ping drops connections a database restart killed, so the pool recovers by itself.
    return create_engine(
        url, **{"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10, "pool_timeout": 5, **options}
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the web server, the scheduler and the CLI share the file without "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    # In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last commits. SQLite is for laptops.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def through_outage(
    step: Callable[[], T], until: float, waits: Sequence[float], after_error: Callable[[], None] = lambda: None
) -> T:
    """Run a database step, and again while the database is out (restarting), until time.monotonic() `until`.

    `waits` are the pauses between tries, the last one repeated; `after_error` cleans up (a session's rollback).
    The step's error is raised when the next try would come too late.
    """
    pauses = iter(waits)
    told = False  # once per step, not at every try of an outage
    while True:
        try:
            return step()
        except (OperationalError, InterfaceError) as error:
            after_error()
            wait = next(pauses, waits[-1])
            if time.monotonic() + wait > until:
                raise
            if not told:
                log.warning("database unavailable (%s); trying again", error.orig)
                told = True
            time.sleep(wait)
