"""The dialogue store: one message per worker at a time, its reads and writes in two round trips."""

from __future__ import annotations

import threading

import pytest
import redis

from bot import state as state_module
from bot.state import LOCK_AND_READ_LUA, DialogueState, LockAhead, RedisStateStore, StoreUnavailable

OPENID = "o-state"


@pytest.fixture
def client(backend) -> redis.Redis:
    return redis.Redis.from_url(backend.redis_url)


def _lock_ahead(client: redis.Redis, openid: str = OPENID) -> LockAhead:
    """Take a worker's lock ahead, as the WeChat endpoint does in the script that claims a message."""
    ahead = LockAhead(openid)
    script = client.register_script(
        LOCK_AND_READ_LUA + b"return lock_and_read(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])"
    )
    ahead.took(script(keys=ahead.keys, args=ahead.args))
    return ahead


def test_writes_inside_the_lock_reach_redis_when_it_is_released(client):
    store = RedisStateStore(client)
    with store.locked(OPENID):
        assert store.load(OPENID) is None and store.expired(OPENID) is None
        store.save(OPENID, DialogueState("membership.join", step=1, slots={"name": "张伟"}))
        assert store.load(OPENID) == DialogueState("membership.join", step=1, slots={"name": "张伟"})
        assert client.get(f"gonghui:bot:state:{OPENID}") is None  # not yet: one round trip at the end
        assert client.exists(f"gonghui:bot:lock:{OPENID}")
    assert RedisStateStore(client).load(OPENID).slots == {"name": "张伟"}
    assert client.get(f"gonghui:bot:recent:{OPENID}") == b"membership.join"
    assert not client.exists(f"gonghui:bot:lock:{OPENID}")
    with store.locked(OPENID):
        store.clear(OPENID)
    assert not client.exists(f"gonghui:bot:state:{OPENID}", f"gonghui:bot:recent:{OPENID}")


def test_an_expired_dialogue_is_told_once(client):
    client.set(f"gonghui:bot:recent:{OPENID}", "membership.join")
    store = RedisStateStore(client)
    with store.locked(OPENID):
        assert store.load(OPENID) is None
        assert store.expired(OPENID) == "membership.join"
    with store.locked(OPENID):
        assert store.expired(OPENID) is None


def test_a_failing_message_still_writes_what_it_changed_and_unlocks(client):
    store = RedisStateStore(client)
    with pytest.raises(RuntimeError), store.locked(OPENID):
        store.save(OPENID, DialogueState("membership.join"))
        raise RuntimeError("the handler failed")
    assert store.load(OPENID) == DialogueState("membership.join")
    assert not client.exists(f"gonghui:bot:lock:{OPENID}")


def test_a_second_message_waits_for_the_first(client, monkeypatch):
    monkeypatch.setattr(state_module, "WAIT_SECONDS", 0.2)
    store, inside, release = RedisStateStore(client), threading.Event(), threading.Event()

    def first():
        with store.locked(OPENID):
            store.save(OPENID, DialogueState("membership.join", step=1))
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait(5)
    with pytest.raises(StoreUnavailable, match="worker busy"), store.locked(OPENID):
        pass
    release.set()
    thread.join()
    with store.locked(OPENID):
        assert store.load(OPENID).step == 1  # what the first message wrote


def test_a_lock_taken_ahead_is_used_without_taking_it_again(client):
    RedisStateStore(client).save(OPENID, DialogueState("membership.join", step=2))
    ahead = _lock_ahead(client)
    assert ahead.taken and ahead.reply[1] is not None
    store = RedisStateStore(client, ahead=ahead)
    calls = []
    store._do = lambda operation, *args: calls.append(operation) or RedisStateStore._do(store, operation, *args)
    with store.locked(OPENID):
        assert store.load(OPENID).step == 2
        store.clear(OPENID)
    assert calls == [state_module._WRITE_AND_UNLOCK]  # no second lock round trip
    assert not client.exists(f"gonghui:bot:lock:{OPENID}", f"gonghui:bot:state:{OPENID}")


def test_a_lock_taken_ahead_and_used_late_is_renewed_and_read_again(client, monkeypatch):
    ahead = _lock_ahead(client)
    RedisStateStore(client).save(OPENID, DialogueState("membership.join", step=3))  # as if written meanwhile
    monkeypatch.setattr(state_module, "AHEAD_SECONDS", 0)
    store = RedisStateStore(client, ahead=ahead)
    with store.locked(OPENID):
        assert store.load(OPENID).step == 3
        assert client.get(f"gonghui:bot:lock:{OPENID}") == ahead.args[0].encode()
    assert not client.exists(f"gonghui:bot:lock:{OPENID}")


def test_a_lock_held_by_another_message_is_not_taken_ahead(client):
    first = _lock_ahead(client)
    second = _lock_ahead(client)
    assert first.taken and not second.taken
    RedisStateStore(client, ahead=first).release_ahead()
    assert not client.exists(f"gonghui:bot:lock:{OPENID}")


def test_an_unused_lock_taken_ahead_is_released(client):
    store = RedisStateStore(client, ahead=_lock_ahead(client))
    store.release_ahead()
    store.release_ahead()  # once is enough
    assert not client.exists(f"gonghui:bot:lock:{OPENID}")


def test_with_redis_down_the_store_says_so():
    down = RedisStateStore(redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5))
    with pytest.raises(StoreUnavailable), down.locked(OPENID):
        pass
