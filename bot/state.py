"""Dialogue state per worker, behind a small store interface (Redis: a key prefix and a TTL)."""

from __future__ import annotations

import json
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from typing import Protocol

import redis

STATE_SECONDS = 30 * 60  # a dialogue left alone this long is over
MEMORY_SECONDS = 24 * 60 * 60  # how long we remember that a dialogue expired, to say so


class StoreUnavailable(Exception):
    """The state store cannot be reached: the dialogue cannot safely go on."""


@dataclass
class DialogueState:
    """Where a worker is in a dialogue: its name, the slots filled, the step, whether confirming."""

    dialogue: str
    step: int = 0
    slots: dict = field(default_factory=dict)
    confirming: bool = False


class StateStore(Protocol):
    """What the bot needs from a store."""

    def load(self, openid: str) -> DialogueState | None: ...
    def save(self, openid: str, state: DialogueState) -> None: ...
    def clear(self, openid: str) -> None: ...
    def expired(self, openid: str) -> str | None: ...
    def locked(self, openid: str): ...


class RedisStateStore:
    """States in Redis under a prefix, expiring after 30 minutes; one message per worker at a time."""

    def __init__(self, client: redis.Redis, prefix: str = "gonghui:bot"):
        self.client, self.prefix = client, prefix

    def _keys(self, openid: str) -> tuple[str, str]:
        return f"{self.prefix}:state:{openid}", f"{self.prefix}:recent:{openid}"

    def load(self, openid: str) -> DialogueState | None:
        """Return the worker's live dialogue, if any."""
        state_key, _ = self._keys(openid)
        raw = self._do(self.client.get, state_key)
        return None if raw is None else DialogueState(**json.loads(raw))

    def save(self, openid: str, state: DialogueState) -> None:
        """Keep the dialogue for 30 minutes more, and remember for a day that it was open."""
        state_key, recent_key = self._keys(openid)
        pipe = self.client.pipeline()
        pipe.set(state_key, json.dumps(asdict(state), ensure_ascii=False), ex=STATE_SECONDS)
        pipe.set(recent_key, state.dialogue, ex=MEMORY_SECONDS)
        self._do(pipe.execute)

    def clear(self, openid: str) -> None:
        """End the worker's dialogue on purpose."""
        self._do(self.client.delete, *self._keys(openid))

    def expired(self, openid: str) -> str | None:
        """Return the name of a dialogue that timed out (once), or None; call it only when load() found none."""
        _, recent_key = self._keys(openid)
        name = self._do(self.client.getdel, recent_key)
        return None if name is None else name.decode()

    @contextmanager
    def locked(self, openid: str):
        """Handle one message of a worker at a time, so that two quick messages do not both take a step."""
        lock = self.client.lock(f"{self.prefix}:lock:{openid}", timeout=10, blocking_timeout=5)
        if not self._do(lock.acquire):
            raise StoreUnavailable("worker busy")
        try:
            yield
        finally:
            with suppress(redis.exceptions.LockError):  # it expired while a slow handler ran
                lock.release()

    def _do(self, operation, *args):
        try:
            return operation(*args)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
            raise StoreUnavailable(str(error)) from error
