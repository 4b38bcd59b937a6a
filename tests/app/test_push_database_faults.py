"""A PostgreSQL restart in the middle of a push: the block WeChat took is written down once the database is back.

A proxy in front of the tests' server cuts every connection and refuses new ones, as a restart does.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import make_url

from app.push import send
from models.base import utcnow
from models.push_ledger import create_push, start_push
from models.pushes import DONE, SENT
from tests.pushing import add_workers, rows, run, sent_per_openid, status

from ..conftest import BACKENDS
from ..redis_proxy import PASS, REFUSE

SUBSCRIBERS = 12


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_a_database_restart_mid_push_leaves_nobody_in_doubt(demo, make_app, simulator, backend, proxy_to, monkeypatch):
    monkeypatch.setattr(send, "OUTAGE_WAITS", (0.2,))
    database = proxy_to(backend.database_url)
    url = make_url(backend.database_url).set(port=database.port).render_as_string(hide_password=False)
    app = make_app(DATABASE_URL=url, WECHAT_API_BASE_URL=simulator.url, PUSH_THREADS=4, PUSH_LEASE_SECONDS=30)
    union = demo.union("新乡医学院第一附属医院工会")
    subscribers = add_workers(demo.session, union, "重启", SUBSCRIBERS, grant=True, simulator=simulator)
    push = create_push(
        demo.session,
        demo.actor("xinyi-fy"),
        kind="broadcast",
        title="职工义诊",
        message={"type": "text", "text": "本周六上午在工人文化宫举办职工义诊。"},
        audience={"unions": [union.id]},
    )
    start_push(demo.session, push.id)
    demo.session.commit()
    simulator.state.set_faults(latency_ms=300, paths=["/cgi-bin/message/subscribe/send"])  # blocks take a while

    sender = threading.Thread(target=run, args=(app,))
    sender.start()
    deadline = time.monotonic() + 30
    while not sent_per_openid(simulator) and time.monotonic() < deadline:  # a block has reached WeChat
        time.sleep(0.01)
    database.set(REFUSE)  # the server restarts while the next block is on its way
    time.sleep(2)
    database.set(PASS)
    sender.join(60)

    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):  # any lease left over has run out
        run(app)
    assert status(demo.session, push.id) == DONE
    ours = {w.miniapp_openid for w in subscribers}
    assert {o: n for o, n in sent_per_openid(simulator).items() if o in ours} == dict.fromkeys(ours, 1)
    assert {row.worker_id: row.status for row in rows(demo.session, push.id) if row.channel == "subscribe"} == {
        w.id: SENT for w in subscribers
    }  # none skipped as "发送中断，可能已送达"
