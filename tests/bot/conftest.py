"""Talk to the bot core as a worker, with the real dialogue store (Redis) and database."""

from __future__ import annotations

import itertools

import pytest
import redis

from bot.core import Context
from bot.handlers import bot
from bot.messages import Incoming
from bot.state import RedisStateStore

_ids = itertools.count(1)


class Worker:
    """A worker typing into WeChat; each message gets the reply the bot gives."""

    def __init__(self, session, store, openid: str = "oDemo-sunqiang"):
        self.session, self.store, self.openid = session, store, openid

    def _send(self, **fields) -> str:
        incoming = Incoming(channel="mp", openid=self.openid, created_at=next(_ids), **fields)
        reply = bot.reply(incoming, Context(self.session, self.store))
        self.session.commit()
        return "" if reply is None else reply.content

    def says(self, text: str) -> str:
        return self._send(kind="text", text=text)

    def clicks(self, key: str) -> str:
        return self._send(kind="event", event="CLICK", event_key=key)


@pytest.fixture
def store(backend) -> RedisStateStore:
    return RedisStateStore(redis.Redis.from_url(backend.redis_url))


@pytest.fixture
def worker(demo, store) -> Worker:
    return Worker(demo.session, store)
