"""Redis side of exactly-once: a push's nonce and its claim, in one round trip; silent when Redis is down."""

from __future__ import annotations

import logging

import redis
from redis.commands.core import Script

from bot.state import LOCK_AND_READ_LUA, LockAhead

log = logging.getLogger(__name__)

NONCE_SECONDS = 600
CLAIM_SECONDS = 86400
OUTAGE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

# KEYS: nonce, claim, and optionally a worker's dialogue lock, state and recent (bot.state.LockAhead).
# ARGV: the message's key, the nonce's and the claim's lifetimes in seconds, and optionally the lock's
# token and lifetime in ms. Returns {-1}: the nonce was used for another message in the last 10 minutes
# (a replay; nothing is claimed); {0}: claimed before (WeChat's own retries carry the same nonce for the
# same message); {1}: claimed now; {1, lock_and_read's reply}: claimed now, and the lock taken ahead.
_NONCE_AND_CLAIM = Script(
    None,
    LOCK_AND_READ_LUA
    + b"""
if not redis.call('set', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  local seen = redis.call('get', KEYS[1])
  if seen and seen ~= ARGV[1] then return {-1} end
end
if not redis.call('set', KEYS[2], 1, 'NX', 'EX', ARGV[3]) then return {0} end
if #KEYS < 5 then return {1} end
return {1, lock_and_read(KEYS[3], KEYS[4], KEYS[5], ARGV[4], ARGV[5])}
""",
)

REPLAYED = "replayed"


class Claims:
    """Fast checks in Redis; the database's unique row stays the final word (and keeps the replies)."""

    def __init__(self, client: redis.Redis, channel: str):
        self.client, self.prefix = client, f"gonghui:wx:{channel}"

    def check_and_claim(self, nonce: str, key: str, ahead: LockAhead | None = None) -> bool | str | None:
        """Check the nonce and claim the message in one round trip; take the worker's dialogue lock ahead too.

        Returns REPLAYED if the nonce was already used for another message in the last 10 minutes,
        True if this claims the message, False if it was claimed before, None if Redis cannot tell.
        `ahead`, if given, is taken only with a new claim: see bot.state.LockAhead.
        """
        keys, args = (f"{self.prefix}:nonce:{nonce}", f"{self.prefix}:claim:{key}"), (key, NONCE_SECONDS, CLAIM_SECONDS)
        if ahead is not None:
            keys, args = keys + ahead.keys, args + ahead.args
        try:
            outcome = _NONCE_AND_CLAIM(keys=keys, args=args, client=self.client)
        except OUTAGE:
            log.warning("redis unavailable: nonce not checked, claiming in the database only")
            return None
        if outcome[0] == -1:
            return REPLAYED
        if ahead is not None and len(outcome) > 1:
            ahead.took(outcome[1])
        return outcome[0] == 1
