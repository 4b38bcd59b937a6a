"""Where a /wechat message's time goes: wall and CPU time of each stage, one message at a time.

    .venv/bin/python bench/profile_stages.py [--mode raw|aes] [--requests 2000]

Runs our app in this process (same setup as wechat_throughput.py: fresh migrated SQLite database
in a temporary directory, one redis-server on a Unix socket), sends new pushes one after another
through Flask's test client, and times the stages of the endpoint by wrapping the functions it
calls, here only, without touching the app's code. Then the same for the reference robot, and the
cost of one SQLite commit with this project's pragmas (WAL, synchronous=FULL) and with NORMAL.
No concurrency: this is the cost of one message, not throughput.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import wechat_throughput as bench

Stats = tuple[Counter, Counter]  # wall seconds, thread CPU seconds, by stage


def wrap(owner: object, name: str, label: str, stats: Stats) -> None:
    """Replace owner.name by a wrapper that adds its wall and thread CPU time to stats[label].

    Names the profiled version does not have (an older commit, say) are skipped.
    """
    original: Callable | None = getattr(owner, name, None)
    if original is None:
        return
    wall, cpu = stats

    @functools.wraps(original)
    def timed(*args, **kwargs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            wall[label] += time.perf_counter() - started
            cpu[label] += time.thread_time() - started_cpu

    setattr(owner, name, timed)


def instrument_app(stats: Stats) -> None:
    """Wrap the stages of our endpoint (names as views.py, intake.py and the bot look them up)."""
    import app.wechat.intake as intake
    import app.wechat.views as views
    import bot.conversation as conversation
    import bot.handlers as handlers
    from app.wechat.claims import Claims
    from bot.core import Bot
    from bot.knowledge import KnowledgeBase
    from bot.state import RedisStateStore

    wrap(views, "_endpoint", "whole endpoint (request thread)", stats)
    wrap(views, "check_signature", "check_signature", stats)
    wrap(views, "open_push", "open_push (parse, decrypt)", stats)
    wrap(views, "receive", "receive", stats)
    wrap(views, "to_xml", "to_xml", stats)
    wrap(views, "seal", "seal (encrypt reply)", stats)
    wrap(Claims, "check_and_claim", "redis: nonce + claim (one script)", stats)
    wrap(Claims, "nonce_is_replayed", "redis: nonce SET NX", stats)  # before the script
    wrap(Claims, "claim", "redis: claim SET NX", stats)
    wrap(Claims, "cache_reply", "redis: cache reply SET", stats)
    wrap(intake, "store_inbound", "db: store_inbound (Core INSERT with its lease, commit)", stats)
    wrap(intake, "handle", "pool thread: handle (bot, passive answer, one commit)", stats)
    wrap(Bot, "reply", "pool thread:   bot.reply (the bot itself)", stats)
    wrap(RedisStateStore, "_do", "pool thread:     dialogue store round trips", stats)
    wrap(conversation, "classify", "pool thread:     classifier", stats)
    wrap(KnowledgeBase, "best", "pool thread:     knowledge base", stats)
    wrap(handlers, "seen", "pool thread:     db: seen (UPDATE)", stats)
    wrap(intake, "record_answer", "pool thread:   record_answer (UPDATE, no commit)", stats)


def drive(flask_app, mode: str, count: int, warmup: int, stats: Stats | None = None) -> tuple[float, float]:
    """Send warmup then count new pushes one by one; return (wall, process CPU) seconds per push.

    The warm-up replies are checked in full, and stats (if given) are cleared after them.
    """
    client = flask_app.test_client()
    pushes = bench.make_pushes(mode, warmup + count, 200)
    for push in pushes[:warmup]:
        response = client.post(push.path, data=push.body)
        problem = bench.check_reply(mode, push, response.status_code, response.get_data(as_text=True))
        if problem:
            raise RuntimeError(problem)
    for counter in stats or ():
        counter.clear()
    started, before, machine_before = time.perf_counter(), os.times(), bench.machine_cpu()
    for push in pushes[warmup:]:
        client.post(push.path, data=push.body)
    after, machine_after = os.times(), bench.machine_cpu()
    cpu = (after.user - before.user) + (after.system - before.system)
    others = bench.busy_share(machine_before, machine_after) - cpu / bench.capacity_seconds(
        machine_before, machine_after
    )
    if others >= bench.OTHER_LOAD:
        print(f"WARNING: other processes used {others:.0%} of the CPU while this ran", flush=True)
    return (time.perf_counter() - started) / count, cpu / count


def commit_cost(directory: Path, synchronous: str, count: int = 500) -> float:
    """Return the wall seconds of one small UPDATE and commit in a WAL SQLite database."""
    connection = sqlite3.connect(directory / f"commit-{synchronous}.db", isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={synchronous}")
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)")
        connection.execute("INSERT INTO t VALUES (1, 0)")
        started = time.perf_counter()
        for _ in range(count):
            connection.execute("BEGIN")
            connection.execute("UPDATE t SET n = n + 1 WHERE id = 1")
            connection.execute("COMMIT")
        return (time.perf_counter() - started) / count
    finally:
        connection.close()


def report(per_push: tuple[float, float], stats: Stats | None, count: int) -> None:
    """Print per-push totals and, if given, the stages."""
    wall, cpu = per_push
    print(f"  {wall * 1e3:.2f} ms wall, {cpu * 1e3:.2f} ms process CPU per message (including the test client)")
    if stats is None:
        return
    print(f"  {'stage':45} {'wall ms':>8} {'CPU ms':>8}")
    for label, seconds in stats[0].most_common():
        print(f"  {label:45} {seconds / count * 1e3:8.3f} {stats[1][label] / count * 1e3:8.3f}")


def main(argv: list[str] | None = None) -> int:
    """Profile our app, then the reference robot, then SQLite commits."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=bench.MODES, default="raw")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--commit", help="profile this commit (git archive), not the work tree")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="gonghui-profile-"))
    try:
        if args.commit:  # start again in a process that imports the app from the exported commit
            source = work / "app-under-test"
            print(f"our app: commit {bench.export_commit(args.commit, source)}", flush=True)
            command = [sys.executable, __file__, "--mode", args.mode, "--requests", str(args.requests)]
            command += ["--warmup", str(args.warmup)]
            env = dict(os.environ, BENCH_APP_ROOT=str(source))
            return subprocess.run(command, cwd=source, env=env, check=False).returncode  # noqa: S603
        with bench.redis_server(work) as redis_url:
            database_url = f"sqlite:///{work / 'bench.db'}"
            app_root = Path(os.environ.get("BENCH_APP_ROOT") or bench.ROOT)
            bench.migrate(database_url, app_root)
            os.environ |= {
                "APP_ENV": "development",
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "WECHAT_API_BASE_URL": "http://127.0.0.1:9",
                "WECHAT_TOKEN": bench.TOKEN,
                "WECHAT_APPID": bench.APPID,
                "WECHAT_AES_KEY": bench.AES_KEY,
            }
            from app.knowledge_cli import prepare
            from wsgi import app as full_app

            prepare(full_app)  # as gunicorn's post_worker_init does: the bot warmed up, the knowledge base loaded
            logging.disable(logging.WARNING)
            stats: Stats = (Counter(), Counter())
            instrument_app(stats)
            print(f"\nour app, {args.mode}:", flush=True)
            per_push = drive(full_app, args.mode, args.requests, args.warmup, stats)
            report(per_push, stats, args.requests)
            from reference_robot import app as reference_app

            print(f"\nreference robot, {args.mode}:", flush=True)
            per_push = drive(reference_app, args.mode, args.requests, args.warmup)
            report(per_push, None, args.requests)
        full, normal = commit_cost(work, "FULL"), commit_cost(work, "NORMAL")
        print(f"\nSQLite WAL commit, this disk: synchronous=FULL {full * 1e3:.3f} ms, NORMAL {normal * 1e3:.3f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
