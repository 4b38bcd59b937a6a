"""Register 2,000 children from 200 concurrent clients into sessions with fewer places.

Checks that no session is overbooked and that every child ends registered or wait-listed exactly
once, and prints registrations per second. Runs the domain operation (models.registrations) that
both the mini-program API and the bot call, each client with its own database connection.

    .venv/bin/python bench/childcare_registrations.py                       # SQLite in a temp dir
    .venv/bin/python bench/childcare_registrations.py --database-url postgresql+psycopg://…/db
"""

from __future__ import annotations

import argparse
import queue
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import DEV_DEFAULTS  # noqa: E402
from models import crypto  # noqa: E402
from models.base import utcnow  # noqa: E402
from models.childcare import CONFIRMED, WAITLISTED, CareSession, Kind, Program, Registration  # noqa: E402
from models.database import make_engine, make_session_factory  # noqa: E402
from models.registrations import ChildInfo, register_child  # noqa: E402
from models.unions import TradeUnion, UnionKind  # noqa: E402
from models.workers import Worker  # noqa: E402


def prepare(url: str, sessions: int, capacity: int, children: int) -> list[tuple[int, int]]:
    """Migrate an empty database, add a program with sessions and the guardians; return (guardian, session) jobs."""
    engine = make_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        alembic = AlembicConfig(str(ROOT / "alembic.ini"))
        alembic.attributes.update(connection=connection, configure_logger=False)
        command.upgrade(alembic, "head")
    factory = make_session_factory(engine)
    with factory() as session:
        union = TradeUnion(name="新乡县总工会", kind=UnionKind.COUNTY, region="新乡县")
        session.add(union)
        session.flush()
        now = utcnow()
        program = Program(
            union_id=union.id,
            title="压测托管班",
            season="winter",
            year=2027,
            kind=Kind.DAY,
            min_age=3,
            max_age=14,
            place="新乡县职工服务中心",
            daily_hours="8:00-17:30",
            members_only=False,
            registration_opens=now - timedelta(days=1),
            registration_closes=now + timedelta(days=1),
        )
        start = date(2027, 1, 25)
        # Sessions that do not overlap, so that a child may be in several.
        program.sessions = [
            CareSession(
                name=f"第{i + 1}期",
                starts_on=start + timedelta(days=10 * i),
                ends_on=start + timedelta(days=10 * i + 5),
                capacity=capacity,
            )
            for i in range(sessions)
        ]
        session.add(program)
        guardians = [Worker(name=f"家长{n}") for n in range(children)]
        session.add_all(guardians)
        session.commit()
        session_ids = [s.id for s in program.sessions]
        jobs = [(g.id, session_ids[n % sessions]) for n, g in enumerate(guardians)]
    engine.dispose()
    return jobs


def run(url: str, jobs: list[tuple[int, int]], clients: int) -> tuple[float, list[Exception]]:
    """Register every job from `clients` threads; return the elapsed seconds and any errors."""
    # Like the web app: clients share a pool of connections (PostgreSQL allows 100 by default).
    pool = {} if url.startswith("sqlite") else {"pool_size": min(clients, 50), "max_overflow": 0, "pool_timeout": 60}
    engine = make_engine(url, **pool)
    factory = make_session_factory(engine)
    work: queue.Queue = queue.Queue()
    for job in jobs:
        work.put(job)
    errors: list[Exception] = []

    def client() -> None:
        while True:
            try:
                guardian_id, session_id = work.get_nowait()
            except queue.Empty:
                return
            with factory() as session:  # one request: a connection from the pool, given back after
                try:
                    register_child(
                        session,
                        guardian=session.get(Worker, guardian_id),
                        session_id=session_id,
                        child=ChildInfo("小明", date(2018, 5, 1), "男"),
                        guardian_phone="13937310000",
                        emergency_contact="奶奶 13937310001",
                        consent=True,
                    )
                except Exception as error:  # counted and printed: the bench must show failures, not hide them
                    errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, errors


def check(url: str, children: int) -> dict:
    """Count the outcome and verify the invariants."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        totals = dict(session.execute(select(Registration.status, func.count()).group_by(Registration.status)).all())
        overbooked = []
        for care in session.scalars(select(CareSession)):
            confirmed = session.scalar(
                select(func.count()).where(Registration.session_id == care.id, Registration.status == CONFIRMED)
            )
            if confirmed > care.capacity or confirmed != care.taken:
                overbooked.append((care.name, confirmed, care.taken, care.capacity))
        per_child = session.execute(
            select(Registration.guardian_id, func.count()).group_by(Registration.guardian_id).having(func.count() != 1)
        ).all()
    engine.dispose()
    return {"totals": totals, "overbooked": overbooked, "not_exactly_once": len(per_child), "children": children}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--capacity", type=int, default=300, help="places per session (5 × 300 < 2,000)")
    args = parser.parse_args()
    crypto.configure(DEV_DEFAULTS["DATA_KEY"])
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        jobs = prepare(url, args.sessions, args.capacity, args.children)
        elapsed, errors = run(url, jobs, args.clients)
        result = check(url, args.children)
    backend = url.split(":", 1)[0]
    print(
        f"backend {backend}: {args.children} children, {args.clients} clients, {args.sessions}×{args.capacity} places"
    )
    print(f"  {elapsed:.2f} s, {args.children / elapsed:.0f} registrations/s")
    totals = result["totals"]
    print(f"  confirmed {totals.get(CONFIRMED, 0)}, wait-listed {totals.get(WAITLISTED, 0)}, errors {len(errors)}")
    print(f"  overbooked sessions: {result['overbooked'] or 'none'}")
    print(f"  children not registered exactly once: {result['not_exactly_once']}")
    for error in errors[:5]:
        print(f"  error: {type(error).__name__}: {error}")
    ok = not errors and not result["overbooked"] and not result["not_exactly_once"]
    ok = ok and sum(result["totals"].values()) == args.children
    print("  OK" if ok else "  FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
