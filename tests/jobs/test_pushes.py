"""The scheduler's push jobs: due pushes start on time, the queue is worked in-process, lost jobs are queued again."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
import time_machine

from app.push import queue, tick
from models.base import LOCAL_TZ
from models.push_ledger import create_push, schedule_push
from models.pushes import DONE, EXPANDING, SCHEDULED
from tests.pushing import add_workers, sent_per_openid, status

HOSPITAL = "新乡医学院第一附属医院工会"
FRIDAY_EVENING = datetime(2026, 11, 27, 18, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def wechat_app(make_app, simulator):
    return make_app(WECHAT_API_BASE_URL=simulator.url, PUSH_THREADS=4, PUSH_WORKERS=2)


def _wait_until_done(app, session, push_id, seconds=30):
    deadline = time.monotonic() + seconds
    while status(session, push_id) != DONE and time.monotonic() < deadline:
        tick.tick(app)
        queue.run_in_background(app)
        time.sleep(0.2)
    return status(session, push_id)


def test_a_scheduled_push_starts_on_time_and_the_schedulers_own_workers_send_it(demo, wechat_app, simulator):
    union = demo.union(HOSPITAL)
    subscribers = add_workers(demo.session, union, "订阅", 12, grant=True, simulator=simulator)
    followers = add_workers(demo.session, union, "粉丝", 3, follow=True, simulator=simulator)
    with time_machine.travel(datetime(2026, 11, 26, 9, 0, tzinfo=LOCAL_TZ), tick=False):
        actor = demo.actor("xinyi-fy")
        message = {"type": "text", "text": "周五义诊"}
        push = create_push(
            demo.session, actor, kind="broadcast", title="周五义诊", message=message, audience={"everyone": True}
        )
        schedule_push(demo.session, actor, push.id, FRIDAY_EVENING)
        demo.session.commit()
    with time_machine.travel(datetime(2026, 11, 27, 17, 59, 50, tzinfo=LOCAL_TZ), tick=False):
        assert tick.tick(wechat_app)["started"] == 0 and status(demo.session, push.id) == SCHEDULED
    with time_machine.travel(datetime(2026, 11, 27, 18, 0, 3, tzinfo=LOCAL_TZ), tick=True):
        assert tick.tick(wechat_app)["started"] == 1 and status(demo.session, push.id) == EXPANDING
        assert queue.run_in_background(wechat_app) == 2  # two worker threads of this process
        assert _wait_until_done(wechat_app, demo.session, push.id) == DONE
    expected = {w.miniapp_openid: 1 for w in subscribers} | {w.openid: 1 for w in followers}
    assert sent_per_openid(simulator) == expected


def test_jobs_lost_with_a_dead_worker_are_queued_again(demo, wechat_app, simulator):
    union = demo.union(HOSPITAL)
    subscribers = add_workers(demo.session, union, "订阅", 5, grant=True, simulator=simulator)
    actor = demo.actor("xinyi-fy")
    message, everyone = {"type": "text", "text": "义诊"}, {"everyone": True}
    push = create_push(demo.session, actor, kind="broadcast", title="义诊", message=message, audience=everyone)
    schedule_push(demo.session, actor, push.id)
    demo.session.commit()
    assert tick.tick(wechat_app)["started"] == 1
    assert tick.tick(wechat_app)["queued"] == 0  # the expand job waits in the queue: not queued twice
    queue.drain(wechat_app, max_jobs=1)  # lists the recipients and queues the units
    assert tick.tick(wechat_app)["queued"] == 0  # every unit has a job waiting
    lost = queue.queue(wechat_app).count
    queue.queue(wechat_app).empty()  # a worker popped them and died (or Redis lost them)
    assert lost and tick.tick(wechat_app)["queued"] == lost
    queue.drain(wechat_app)
    assert tick.tick(wechat_app)["finished"] == 0 and status(demo.session, push.id) == DONE
    assert sent_per_openid(simulator) == {w.miniapp_openid: 1 for w in subscribers}


def test_without_push_workers_the_scheduler_leaves_the_queue_to_rq_workers(make_app, simulator):
    app = make_app(WECHAT_API_BASE_URL=simulator.url, PUSH_WORKERS=0)
    assert queue.run_in_background(app) == 0
