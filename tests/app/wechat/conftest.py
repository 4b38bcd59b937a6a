"""Fixtures for the WeChat endpoints: the simulator of WeChat's API and a pusher like WeChat's servers."""

from __future__ import annotations

import re
import time

import pytest

from app.wechat import intake
from app.wechat.simulator.pusher import Pusher
from bot.conversation import warm_up
from config import DEV_DEFAULTS


@pytest.fixture(scope="session", autouse=True)
def _warm_bot():
    """Train the classifier and load the knowledge base before the first message, as gunicorn's hook does.

    Otherwise the first test to send a text pays ~2 s of start-up inside WeChat's 4-second budget, which a
    busy machine can push over it.
    """
    warm_up()


@pytest.fixture
def late_answers(monkeypatch):
    """Hold each answer back until our endpoint has given up waiting for it (WECHAT_REPLY_SECONDS=0.0).

    A zero budget alone does not make an answer late: on a busy machine the bot's thread can finish before the
    request's thread looks, and the answer then goes out as a passive reply.
    """
    handle = intake.handle

    def held(app, incoming, passive_id, gave_up, ahead):
        gave_up.wait(timeout=10)
        return handle(app, incoming, passive_id, gave_up, ahead)

    monkeypatch.setattr(intake, "handle", held)


@pytest.fixture
def wechat_app(make_app, simulator):
    return make_app(WECHAT_API_BASE_URL=simulator.url)


class WeChatServer:
    """Post messages to our endpoints the way WeChat's servers do, retries included."""

    def __init__(self, client, channel: str = "mp"):
        self.client = client
        prefix = "WECHAT" if channel == "mp" else "MINIAPP"
        self.path = "/wechat" if channel == "mp" else "/wechat/miniapp"
        self.appid = DEV_DEFAULTS[f"{prefix}_APPID"]
        self.token = DEV_DEFAULTS[f"{prefix}_TOKEN"]
        self.aes_key = DEV_DEFAULTS[f"{prefix}_AES_KEY"]
        self.last: tuple[dict, bytes] | None = None

    def pusher(self, mode: str = "raw") -> Pusher:
        return Pusher(self.token, self.appid, self.aes_key, mode)

    def post(self, xml: str, mode: str = "raw", **signing):
        """Push a message; the request is kept so that retry() can send it again unchanged."""
        pusher = self.pusher(mode)
        params, body = pusher.push(xml, **signing)
        self.last = (params, body)
        response = self.client.post(self.path, query_string=params, data=body, content_type="text/xml")
        response.plain = pusher.open_reply(response.get_data(as_text=True), params)
        return response

    def retry(self):
        """Send the last push again, as WeChat does when it got no answer in 5 s."""
        params, body = self.last
        return self.client.post(self.path, query_string=params, data=body, content_type="text/xml")

    def raw(self, body: bytes, **params):
        """Post any body with a valid signature."""
        signed, _ = self.pusher().push("<xml/>")
        return self.client.post(self.path, query_string={**signed, **params}, data=body, content_type="text/xml")


@pytest.fixture
def wechat(wechat_app):
    return WeChatServer(wechat_app.test_client())


def wait_for(condition, seconds: float = 5.0):
    """Poll until condition() is truthy (work that finishes on a background thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def without_time(response) -> str:
    """A reply without its CreateTime: a retry's reply is made again, and may fall in the next second."""
    return re.sub(r"<CreateTime>\d+</CreateTime>", "", response.get_data(as_text=True))
