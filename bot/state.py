"""Dialogue state per worker, behind a small store interface (Redis: a key prefix and a TTL)."""

from __future__ import annotations

import json
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Protocol

import redis
from redis.commands.core import Script

STATE_SECONDS = 30 * 60  # a dialogue left alone this long is over
MEMORY_SECONDS = 24 * 60 * 60  # how long we remember that a dialogue expired, to say so
LOCK_SECONDS = 10  # a handler that holds a worker's lock longer is presumed dead
WAIT_SECONDS = 5  # how long a message waits for the worker's previous one before giving up
RETRY_SECONDS = 0.02  # how often it looks meanwhile
AHEAD_SECONDS = 1  # a lock taken ahead (LockAhead) is used as read within this time, else read again


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


# A Lua function, for this module's script and for callers that take the lock ahead in a script of
# their own (see LockAhead). Takes the worker's lock (or renews it if this token holds it already) and,
# if taken, reads what the message needs: {1, state, recent} (recent only without a state: a dialogue
# that expired); {0} if another message holds the lock.
LOCK_AND_READ_LUA = b"""
local function lock_and_read(lock, state_key, recent_key, token, ms)
  if not redis.call('set', lock, token, 'NX', 'PX', ms) then
    if redis.call('get', lock) ~= token then return {0} end
    redis.call('pexpire', lock, ms)
  end
  local state = redis.call('get', state_key)
  if state then return {1, state, false} end
  return {1, false, redis.call('get', recent_key)}
end
"""
# KEYS: lock, state, recent. ARGV: token, lock lifetime in ms.
_LOCK_AND_READ = Script(None, LOCK_AND_READ_LUA + b"return lock_and_read(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])")

# KEYS: lock, state, recent. ARGV: token, then for state and for recent: "" (untouched), "del", or
# "set" followed by the value and its lifetime in seconds. Writes what the message changed, then
# releases the lock if it is still ours (it may have expired while a slow handler ran).
_WRITE_AND_UNLOCK = Script(
    None,
    b"""
local i = 2
for k = 2, 3 do
  local op = ARGV[i]
  if op == 'set' then
    redis.call('set', KEYS[k], ARGV[i + 1], 'EX', ARGV[i + 2])
    i = i + 3
  else
    if op == 'del' then redis.call('del', KEYS[k]) end
    i = i + 1
  end
end
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
return 1
""",
)

_DELETED = None  # a key the message deleted (it is written back only if in `written`)


class _Held:
    """What one locked message read and wrote: read at the lock, written back at the unlock."""

    __slots__ = ("recent", "state", "written")

    def __init__(self, state: bytes | None, recent: bytes | None):
        # Each is the value read (bytes or None) until the message writes it: then str, or _DELETED.
        self.state: object = state
        self.recent: object = recent
        self.written: set[str] = set()


class LockAhead:
    """A worker's lock taken ahead of its message's handling, with what it read, in the caller's own script.

    The caller (the WeChat endpoint, in the round trip that claims the message) runs LOCK_AND_READ_LUA's
    `lock_and_read(keys[0], keys[1], keys[2], args[0], args[1])` and gives the reply to took(); the
    store made with this object then takes no lock of its own for that worker (see RedisStateStore).
    """

    __slots__ = ("args", "at", "keys", "openid", "reply")

    def __init__(self, openid: str, prefix: str = "gonghui:bot"):
        self.openid = openid
        self.keys = (f"{prefix}:lock:{openid}", f"{prefix}:state:{openid}", f"{prefix}:recent:{openid}")
        self.args = (secrets.token_hex(8), LOCK_SECONDS * 1000)
        self.reply: list | None = None  # lock_and_read's reply once run
        self.at = 0.0

    def took(self, reply: list) -> None:
        """Keep lock_and_read's reply."""
        self.reply, self.at = reply, time.monotonic()

    @property
    def taken(self) -> bool:
        return bool(self.reply and self.reply[0])


class RedisStateStore:
    """States in Redis under a prefix, expiring after 30 minutes; one message per worker at a time.

    A message inside locked() costs two round trips, or one when its lock was taken ahead (LockAhead):
    taking the lock reads the state, and releasing it writes what changed. Outside locked() every
    call goes to Redis at once.
    """

    def __init__(self, client: redis.Redis, prefix: str = "gonghui:bot", ahead: LockAhead | None = None):
        self.client, self.prefix = client, prefix
        self._local = threading.local()  # openid -> _Held, for the messages this thread holds locked
        self._ahead = ahead if ahead is not None and ahead.taken else None

    def release_ahead(self) -> None:
        """Release a lock taken ahead that no message used (e.g. the handler failed before it)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            self._do(_WRITE_AND_UNLOCK, ahead.keys, (ahead.args[0], "", ""), self.client)

    def _keys(self, openid: str) -> tuple[str, str]:
        return f"{self.prefix}:state:{openid}", f"{self.prefix}:recent:{openid}"

    def _held(self, openid: str) -> _Held | None:
        held = getattr(self._local, "held", None)
        return None if held is None else held.get(openid)

    def load(self, openid: str) -> DialogueState | None:
        """Return the worker's live dialogue, if any."""
        held = self._held(openid)
        raw = held.state if held is not None else self._do(self.client.get, self._keys(openid)[0])
        return None if raw is None else DialogueState(**json.loads(raw))

    def save(self, openid: str, state: DialogueState) -> None:
        """Keep the dialogue for 30 minutes more, and remember for a day that it was open."""
        raw = json.dumps(asdict(state), ensure_ascii=False)
        held = self._held(openid)
        if held is not None:
            held.state, held.recent = raw, state.dialogue
            held.written.update(("state", "recent"))
            return
        state_key, recent_key = self._keys(openid)
        pipe = self.client.pipeline()
        pipe.set(state_key, raw, ex=STATE_SECONDS)
        pipe.set(recent_key, state.dialogue, ex=MEMORY_SECONDS)
        self._do(pipe.execute)

    def clear(self, openid: str) -> None:
        """End the worker's dialogue on purpose."""
        held = self._held(openid)
        if held is not None:
            held.state = held.recent = _DELETED
            held.written.update(("state", "recent"))
            return
        self._do(self.client.delete, *self._keys(openid))

    def expired(self, openid: str) -> str | None:
        """Return the name of a dialogue that timed out (once), or None; call it only when load() found none."""
        held = self._held(openid)
        if held is None:
            name = self._do(self.client.getdel, self._keys(openid)[1])
        else:
            name, held.recent = held.recent, _DELETED
            if name is not None:
                held.written.add("recent")
        if name is None:
            return None
        return name.decode() if isinstance(name, bytes) else name

    @contextmanager
    def locked(self, openid: str):
        """Handle one message of a worker at a time, so that two quick messages do not both take a step.

        The state is read when the lock is taken and written back when it is released (also when
        the message failed), so load, save, clear and expired inside cost no round trip of their own.
        """
        keys = (f"{self.prefix}:lock:{openid}", *self._keys(openid))
        ahead, token, taken = self._ahead, secrets.token_hex(8), None
        if ahead is not None and ahead.openid == openid and ahead.keys == keys:
            self._ahead, token = None, ahead.args[0]
            # Taken a moment ago, it still holds and what it read still stands; a late start renews it.
            taken = ahead.reply if time.monotonic() - ahead.at < AHEAD_SECONDS else None
        deadline = time.monotonic() + WAIT_SECONDS
        while taken is None:
            reply = self._do(_LOCK_AND_READ, keys, (token, LOCK_SECONDS * 1000), self.client)
            if reply[0]:
                taken = reply
            elif time.monotonic() >= deadline:
                raise StoreUnavailable("worker busy")
            else:
                time.sleep(RETRY_SECONDS)
        held_by_thread = getattr(self._local, "held", None)
        if held_by_thread is None:
            held_by_thread = self._local.held = {}
        held = held_by_thread[openid] = _Held(taken[1], taken[2])
        failed = True
        try:
            yield
            failed = False
        finally:
            del held_by_thread[openid]
            try:
                self._do(_WRITE_AND_UNLOCK, keys, (token, *self._writes(held)), self.client)
            except StoreUnavailable:
                if not failed:
                    raise  # what the message changed is lost: it must not be answered as done
                # else: the message's own failure is what its caller needs to see

    @staticmethod
    def _writes(held: _Held) -> list:
        args: list = []
        for name, seconds in (("state", STATE_SECONDS), ("recent", MEMORY_SECONDS)):
            value = getattr(held, name)
            if name not in held.written:
                args.append("")
            elif value is _DELETED:
                args.append("del")
            else:
                args += ["set", value, seconds]
        return args

    def _do(self, operation, *args):
        try:
            return operation(*args)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
            raise StoreUnavailable(str(error)) from error
