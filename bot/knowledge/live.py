"""The knowledge base a process answers from: built from the database, rebuilt soon after officials edit it.

Every process (each gunicorn worker, the scheduler) keeps its own index. At most every CHECK_SECONDS
one message's thread reads each entry's (id, updated_at) — a few dozen small rows, on a connection of
its own so the message's transaction is untouched — and rebuilds the index when they differ from the
ones it was built from (tens of milliseconds for the shipped ~65 entries). Every other message only
reads a clock. A table with no rows at all (a database nobody has imported into yet) answers with the
shipped files, as does a process that cannot read the table, until it can.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from models.knowledge import KnowledgeEntry

from .entries import Entry
from .index import KnowledgeBase

log = logging.getLogger(__name__)

CHECK_SECONDS = 3.0  # how stale a process's answers may be after an edit elsewhere


@dataclass(frozen=True, slots=True)
class _Built:
    """An index and what it was built from: the (id, updated_at) of every row; None for the shipped files."""

    knowledge: KnowledgeBase
    signature: frozenset | None
    checked: float


# One index per database (an engine per app): the tests run many apps, each on a database of its own.
_built: weakref.WeakKeyDictionary[Engine, _Built] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def current(session: Session, *, fresh: bool = False) -> KnowledgeBase:
    """Return the index of the database's active entries, checked for edits at most every CHECK_SECONDS.

    `fresh` checks now (the console's test box, which must show the saved state). While one thread
    checks or rebuilds, the others answer from the index they have rather than wait.
    """
    engine = session.get_bind()
    built = _built.get(engine)
    if built is not None and not fresh and time.monotonic() - built.checked < CHECK_SECONDS:
        return built.knowledge
    if not _lock.acquire(blocking=built is None or fresh):
        return built.knowledge
    try:
        built = _built.get(engine)
        if built is None or fresh or time.monotonic() - built.checked >= CHECK_SECONDS:
            built = _built[engine] = _refresh(engine, built)
        return built.knowledge
    finally:
        _lock.release()


def expire() -> None:
    """Have this process check for edits at its next message (called after an edit made here)."""
    with _lock:
        for engine, built in list(_built.items()):
            _built[engine] = _Built(built.knowledge, built.signature, float("-inf"))


def entry_of(row) -> Entry:
    """Return the index's entry of a table row."""
    return Entry(
        id=row.key,
        intent=row.intent,
        title=row.title,
        questions=tuple(line.strip() for line in row.questions.splitlines() if line.strip()),
        answer=row.answer,
        source=row.source,
        topic=row.topic,
    )


@cache
def shipped() -> KnowledgeBase:
    """Return the index of the shipped files, built once per process (it never changes)."""
    return KnowledgeBase.load()


def _refresh(engine: Engine, built: _Built | None) -> _Built:
    """Return the index of the table now: the same one if nothing changed since it was built."""
    now = time.monotonic()
    try:
        with engine.connect() as connection:
            signature = frozenset(connection.execute(select(KnowledgeEntry.id, KnowledgeEntry.updated_at)).all())
            if built is not None and signature == built.signature:
                return _Built(built.knowledge, signature, now)
            rows = connection.execute(
                select(KnowledgeEntry.__table__).where(KnowledgeEntry.active.is_(True)).order_by(KnowledgeEntry.id)
            ).all()
    except SQLAlchemyError:
        log.warning("cannot read the knowledge base; answering from the one loaded before", exc_info=True)
        if built is None:
            return _Built(shipped(), None, now)
        return _Built(built.knowledge, built.signature, now)
    if not signature:
        return _Built(shipped(), signature, now)
    started = time.perf_counter()
    knowledge = KnowledgeBase([entry_of(row) for row in rows])
    log.info("knowledge base built from %s entries in %.0f ms", len(rows), (time.perf_counter() - started) * 1000)
    return _Built(knowledge, signature, now)
