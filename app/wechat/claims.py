"""Redis side of exactly-once: nonces, claims and cached replies; silent when Redis is down."""

from __future__ import annotations

import contextlib
import logging

import redis

log = logging.getLogger(__name__)

NONCE_SECONDS = 600
CLAIM_SECONDS = 86400
REPLY_SECONDS = 600
OUTAGE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class Claims:
    """Fast checks in Redis; the database's unique row stays the final word."""

    def __init__(self, client: redis.Redis, channel: str):
        self.client, self.prefix = client, f"gonghui:wx:{channel}"

    def nonce_is_replayed(self, nonce: str, key: str) -> bool:
        """Tell whether this nonce was already used for another message in the last 10 minutes."""
        name = f"{self.prefix}:nonce:{nonce}"
        try:
            if self.client.set(name, key, nx=True, ex=NONCE_SECONDS):
                return False
            seen = self.client.get(name)
        except OUTAGE:
            log.warning("redis unavailable: nonce not checked")
            return False
        # WeChat's own retries carry the same nonce for the same message.
        return seen is not None and seen.decode() != key

    def claim(self, key: str) -> bool | None:
        """Claim a message: True if first, False if claimed before, None if Redis cannot tell."""
        try:
            return bool(self.client.set(f"{self.prefix}:claim:{key}", 1, nx=True, ex=CLAIM_SECONDS))
        except OUTAGE:
            log.warning("redis unavailable: claiming in the database only")
            return None

    def cached_reply(self, key: str) -> bytes | None:
        """Return the reply given to a message, if Redis still has it."""
        try:
            return self.client.get(f"{self.prefix}:reply:{key}")
        except OUTAGE:
            return None

    def cache_reply(self, key: str, reply_json: str) -> None:
        """Keep a reply for WeChat's retries of the same message."""
        with contextlib.suppress(*OUTAGE):  # retries will read the stored reply from the database
            self.client.set(f"{self.prefix}:reply:{key}", reply_json, ex=REPLY_SECONDS)
