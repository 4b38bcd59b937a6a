"""Gunicorn workers killed with -9 while WeChat pushes messages: each is stored once and answered once.

The app runs as in production (gunicorn, sync workers, gunicorn.conf.py) on the test's database and Redis; two
of its three workers are killed, so that one serves while the others' replacements warm up (with none left,
pushes wait in the listen queue: test_endpoint shows that one WeChat gave up on is answered by customer service).
WeChat's side is played like WeChat's servers: every message is retried on no answer (here also on a broken
connection) up to 3 tries with the same signature. Messages the dead worker had taken are answered by the
recovery job once their lease is over, as a customer-service message.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from datetime import timedelta

import requests
import time_machine
from sqlalchemy import select

from app.wechat.parsing import parse_xml
from app.wechat.recovery import answer_abandoned
from app.wechat.simulator.pusher import Pusher, text_xml
from config import DEV_DEFAULTS
from models.base import utcnow
from models.inbound import CUSTOMER_SERVICE, PASSIVE, InboundMessage

from ...live_processes import app_env, gunicorn

MESSAGES, SENDERS = 90, 4
KILLS = (20, 50)  # after this many messages went through, a worker is killed
TEXTS = ("你好", "加班费怎么算", "手机报")
FIRST_ID = 7_600_000_000_000_000_001


class WeChatSide:
    """Push messages as WeChat's servers do: the same request again on no answer, 3 tries in all."""

    def __init__(self, url: str):
        self.url = f"{url}/wechat"
        self.pusher = Pusher(DEV_DEFAULTS["WECHAT_TOKEN"], DEV_DEFAULTS["WECHAT_APPID"], DEV_DEFAULTS["WECHAT_AES_KEY"])
        self.replies: dict[int, list[str]] = {}  # msg id -> the XML replies it got (a retry may get one again)
        self.tries: dict[int, list[str]] = {}  # msg id -> what each try got, for the report of a failure
        self.done = 0
        self.lock = threading.Lock()

    def send(self, n: int) -> None:
        msg_id = FIRST_ID + n
        params, body = self.pusher.push(text_xml(f"o-killed-{n}", TEXTS[n % len(TEXTS)], msg_id))
        for _ in range(3):
            sent = time.monotonic()
            try:
                response = requests.post(self.url, params=params, data=body, timeout=5)
            except requests.RequestException as error:  # the worker died with the connection open, or 5 s passed
                self.tries.setdefault(msg_id, []).append(
                    f"{type(error).__name__} after {time.monotonic() - sent:.1f} s"
                )
                time.sleep(0.3)
                continue
            self.tries.setdefault(msg_id, []).append(f"{response.status_code} after {time.monotonic() - sent:.1f} s")
            if response.status_code == 200 and response.text != "success":
                with self.lock:
                    self.replies.setdefault(msg_id, []).append(self.pusher.open_reply(response.text, params))
                break
            if response.status_code == 200:
                break  # "success": the answer comes as a customer-service message
            time.sleep(0.3)
        with self.lock:
            self.done += 1


def test_a_killed_web_worker_loses_and_doubles_no_message(backend, make_app, simulator, session, tmp_path):
    for n in range(MESSAGES):
        simulator.state.record_interaction(f"o-killed-{n}")  # their 48-hour windows are open
    server, url = gunicorn(
        app_env(backend.database_url, backend.redis_url, simulator.url), tmp_path / "gunicorn.log", workers=3
    )
    try:
        wechat = WeChatSide(url)
        senders = [
            threading.Thread(target=lambda k=k: [wechat.send(n) for n in range(k, MESSAGES, SENDERS)])
            for k in range(SENDERS)
        ]
        for sender in senders:
            sender.start()
        killed = []
        for after in KILLS:  # the workers are busy with 4 senders: each kill most likely cuts a message short
            while wechat.done < after:
                time.sleep(0.005)
            killed.append(server.children()[0])
            os.kill(killed[-1], signal.SIGKILL)
        for sender in senders:
            sender.join(120)
        assert not set(killed) & set(server.children()) and len(server.children()) == 3  # new workers took over
    finally:
        server.stop()

    # The recovery job (every minute in the scheduler) after the dead worker's leases are over.
    app = make_app(WECHAT_API_BASE_URL=simulator.url)
    with time_machine.travel(utcnow() + timedelta(seconds=120), tick=False):
        answer_abandoned(app)

    rows = session.scalars(select(InboundMessage).where(InboundMessage.openid.like("o-killed-%"))).all()
    by_id = {int(row.fields["MsgId"]): row for row in rows}
    assert len(rows) == len(by_id) == MESSAGES  # each stored once
    custom = Counter(message["openid"] for message in simulator.state.sent_messages(kind="custom"))
    for n in range(MESSAGES):
        msg_id, openid = FIRST_ID + n, f"o-killed-{n}"
        row = by_id[msg_id]
        assert row.answered_at is not None, msg_id
        if row.delivery == PASSIVE:  # WeChat got it in a reply, and nothing else went out
            assert wechat.replies.get(msg_id) and openid not in custom, (msg_id, wechat.tries.get(msg_id))
            assert all(parse_xml(r.encode())["ToUserName"] == openid for r in wechat.replies[msg_id])
        else:
            assert row.delivery == CUSTOMER_SERVICE and custom.get(openid) == 1 and msg_id not in wechat.replies
