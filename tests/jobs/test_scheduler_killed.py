"""The scheduler killed with -9 in the middle of a push: the standby one takes over and the push is done once."""

from __future__ import annotations

import sys
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from models.base import utcnow
from models.notifications import Notification
from models.push_delivery import IN_DOUBT
from models.push_ledger import create_push, schedule_push
from models.pushes import DONE, SENDING, SENT

from ..live_processes import Process, app_env
from ..pushing import add_workers, rows, status

HOSPITAL = "新乡医学院第一附属医院工会"
LOCK_SECONDS = 3  # production waits 60 s for a dead scheduler's lock to lapse


def _scheduler(backend, simulator, tmp_path, name: str) -> Process:
    env = app_env(backend.database_url, backend.redis_url, simulator.url)
    # Small steps so that a kill lands mid-push: 2 calls in flight, rows leased for the shortest time allowed.
    env |= {"SCHEDULER_LOCK_SECONDS": str(LOCK_SECONDS), "PUSH_THREADS": "2", "PUSH_LEASE_SECONDS": "5"}
    return Process([sys.executable, "-m", "jobs"], env, tmp_path / f"{name}.log")


def _wait(condition, seconds: float, what: str, *processes: Process):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    logs = "\n".join(process.output()[-2000:] for process in processes)
    raise AssertionError(f"{what} did not happen within {seconds} s\n{logs}")


def test_a_killed_scheduler_is_replaced_and_its_push_is_finished_once(backend, demo, simulator, tmp_path):
    union = demo.union(HOSPITAL)
    add_workers(demo.session, union, "订阅", 60, grant=True, simulator=simulator)  # subscribe messages
    add_workers(demo.session, union, "收件箱", 20)  # the mini-program's inbox
    simulator.state.set_faults(latency_ms=50)  # WeChat's own pace: the push takes a few seconds
    push = create_push(
        demo.session, demo.actor("xinyi-fy"), kind="broadcast", title="职工义诊",
        message={"type": "text", "text": "本周六上午在门诊楼一楼举办职工义诊，欢迎参加。"},
        audience={"unions": [union.id]},
    )  # fmt: skip
    demo.session.commit()
    first = _scheduler(backend, simulator, tmp_path, "first")
    second = None
    try:
        _wait(lambda: "scheduler started" in first.output(), 30, "the first scheduler's start", first)
        second = _scheduler(backend, simulator, tmp_path, "second")
        _wait(lambda: "standing by" in second.output(), 30, "the second scheduler standing by", second)
        schedule_push(demo.session, demo.actor("xinyi-fy"), push.id, utcnow() + timedelta(seconds=1))
        demo.session.commit()
        _wait(lambda: _sent(demo, push.id) >= 10, 30, "the first scheduler's sending", first)
        first.kill()  # in the middle of the push
        assert status(demo.session, push.id) == SENDING
        _wait(lambda: "scheduler started" in second.output(), 10 + LOCK_SECONDS, "the standby's take-over", second)
        _wait(lambda: status(demo.session, push.id) == DONE, 60, "the push's end", second)
    finally:
        first.stop()
        if second is not None:
            second.stop()
    ledger = rows(demo.session, push.id)
    received = Counter(m["openid"] for m in simulator.state.sent_messages(kind="subscribe"))
    assert max(received.values()) == 1  # nobody got it twice
    for row in ledger:
        if row.status == SENT and row.channel == "subscribe":
            assert received[row.worker.miniapp_openid] == 1
    # Each inbox recipient has the broadcast once; the rows the dead sender had in flight are the only doubt.
    inbox = select(Notification.worker_id, func.count()).where(Notification.dedup_key.startswith(f"push:{push.id}:"))
    assert all(count == 1 for _, count in demo.session.execute(inbox.group_by(Notification.worker_id)))
    in_doubt = [row for row in ledger if row.status != SENT]
    assert len(in_doubt) <= 2 and all(row.reason == IN_DOUBT for row in in_doubt)


def _sent(demo, push_id: int) -> int:
    return sum(row.status == SENT for row in rows(demo.session, push_id))
