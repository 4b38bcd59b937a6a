"""The simulated WeChat world: accounts, tokens, users, quotas, faults and what was delivered to whom."""

from __future__ import annotations

import itertools
import random
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .errors import WeChatError

# China has no daylight saving time, so a fixed offset is exactly Asia/Shanghai without needing tzdata.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

DEFAULT_ACCOUNTS = {
    "wxdev0000000000001": "dev-wechat-secret",  # service account (服务号)
    "wxdev0000000000002": "dev-miniapp-secret",  # mini-program
}


@dataclass
class Token:
    """An issued access_token; stable ones (stable_token) live apart from /cgi-bin/token ones, as on WeChat."""

    appid: str
    stable: bool
    expires_at: float
    revoked_at: float | None = None


@dataclass
class Interaction:
    """A user's last message or event, which opens the 48-hour customer-service window."""

    at: float
    replies: int = 0


@dataclass
class Faults:
    """Injected trouble for API requests whose path starts with one of `paths` (all when None)."""

    latency_ms: int = 0
    error_rate: float = 0.0
    errcode: int = -1
    count: int | None = None
    paths: list[str] | None = None


@dataclass
class Delivery:
    """Something a request delivered (or, for mass messages, declined to deliver) to a user."""

    kind: str
    appid: str
    openid: str | None
    payload: dict[str, Any]
    at: float
    msg_id: int | None = None
    skipped: bool = False
    reason: str | None = None


@dataclass
class MassSend:
    """A mass message remembered for clientmsgid de-duplication."""

    msg_id: int
    at: float


@dataclass
class Publication:
    """A freepublish task."""

    appid: str
    media_id: str
    at: float
    article_id: str
    urls: list[str]


class SimulatorState:
    """Everything the simulator remembers, guarded by one re-entrant lock so views can compose calls."""

    def __init__(self, accounts: dict[str, str] | None = None) -> None:
        self.accounts = dict(DEFAULT_ACCOUNTS if accounts is None else accounts)
        self.clock: Callable[[], float] = time.time
        self.lock = threading.RLock()
        self.random = random.Random()  # noqa: S311 - fault rolls need no cryptographic strength
        self.token_ttl = 7200
        self.old_token_grace = 300
        self.default_quota = 100_000
        self.reply_window = 48 * 3600
        self.replies_per_interaction = 5
        self.mass_per_month = 4
        self.publish_delay = 0.0
        self._clear()

    def _clear(self) -> None:
        """Forget everything that happened, keeping accounts, clock and settings."""
        self.tokens: dict[str, Token] = {}
        self.force_refreshes: dict[str, list[float]] = {}
        self.followers: dict[str, set[int]] = {}
        self.interactions: dict[str, Interaction] = {}
        self.grants: Counter[tuple[str, str]] = Counter()
        self.faults: Faults | None = None
        self.quotas: dict[tuple[str, str], int] = {}
        self.quota_day = ""
        self.calls: Counter[str] = Counter()
        self.deliveries: list[Delivery] = []
        self.mass_sends: dict[tuple[str, str], MassSend] = {}
        self.mass_received: Counter[tuple[str, str, str]] = Counter()
        self.drafts: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        self.publications: dict[str, Publication] = {}
        self.menus: dict[str, list[dict[str, Any]]] = {}
        self.used_codes: set[tuple[str, str]] = set()
        self.ids = itertools.count(1_000_000_001)

    # -- helpers for the WeChat-side views --------------------------------------------------------------

    def now(self) -> float:
        """Return the simulated time in epoch seconds."""
        return self.clock()

    def day(self, at: float | None = None) -> str:
        """Return the calendar day in Shanghai, by which WeChat counts daily quotas and monthly mass sends."""
        return datetime.fromtimestamp(self.now() if at is None else at, SHANGHAI).strftime("%Y-%m-%d")

    def next_id(self) -> int:
        """Return a fresh numeric id for msgid, msg_id, publish_id and the like."""
        with self.lock:
            return next(self.ids)

    def access_token(self, appid: str) -> tuple[str, int]:
        """Issue a new /cgi-bin/token token; the previous one keeps working for old_token_grace seconds."""
        return self._issue(appid, stable=False, grace=self.old_token_grace), self.token_ttl

    def stable_token(self, appid: str, force_refresh: bool) -> tuple[str, int]:
        """Answer /cgi-bin/stable_token: the same token while valid, a new one when forced or nearly expired."""
        with self.lock:
            now = self.now()
            current = self._latest_stable(appid)
            if force_refresh:
                today = [at for at in self.force_refreshes.get(appid, []) if self.day(at) == self.day()]
                # WeChat ignores a forced refresh within 30 s of the previous one and allows 20 a day.
                if current and today and now - today[-1] < 30:
                    return current, int(self.tokens[current].expires_at - now)
                if len(today) >= 20:
                    raise WeChatError(45009)
                self.force_refreshes[appid] = [*today, now]
                # Forcing invalidates the previous token at once, unlike the 5-minute overlap below.
                return self._issue(appid, stable=True, grace=0), self.token_ttl
            # Normal mode renews in the token's last 5 minutes, so expires_in is always >= 300.
            if current and self.tokens[current].expires_at - now > 300:
                return current, int(self.tokens[current].expires_at - now)
            return self._issue(appid, stable=True, grace=self.old_token_grace), self.token_ttl

    def _issue(self, appid: str, *, stable: bool, grace: float) -> str:
        """Issue a token, giving earlier ones of the same kind `grace` more seconds of life."""
        with self.lock:
            now = self.now()
            # Dropping long-revoked tokens changes no answer: unknown and revoked both give 40001.
            self.tokens = {k: t for k, t in self.tokens.items() if t.revoked_at is None or t.revoked_at > now}
            for token in self.tokens.values():
                if token.appid == appid and token.stable == stable and token.revoked_at is None:
                    token.revoked_at = now + grace
            access_token = secrets.token_urlsafe(96)
            self.tokens[access_token] = Token(appid, stable, now + self.token_ttl)
            return access_token

    def _latest_stable(self, appid: str) -> str | None:
        """Return the account's newest stable token if it still works."""
        now = self.now()
        live = [
            key
            for key, t in self.tokens.items()
            if t.appid == appid and t.stable and t.revoked_at is None and t.expires_at > now
        ]
        return live[-1] if live else None

    def authenticate(self, access_token: str | None) -> str:
        """Return the appid an access_token belongs to, or raise WeChat's error for it."""
        if not access_token:
            raise WeChatError(41001)
        with self.lock:
            token = self.tokens.get(access_token)
            now = self.now()
            if token is None or (token.revoked_at is not None and now >= token.revoked_at):
                raise WeChatError(40001)
            if now >= token.expires_at:
                raise WeChatError(42001)
            return token.appid

    def consume_quota(self, appid: str, path: str) -> None:
        """Count one call against the account's daily quota for a path; 45009 once it is used up."""
        with self.lock:
            self._roll_quota_day()
            remaining = self.quotas.get((appid, path), self.default_quota)
            if remaining <= 0:
                raise WeChatError(45009)
            self.quotas[(appid, path)] = remaining - 1

    def _roll_quota_day(self) -> None:
        """Give every quota back when the Shanghai day changes, as WeChat does at midnight."""
        today = self.day()
        if today != self.quota_day:
            self.quotas.clear()
            self.quota_day = today

    def take_fault(self, path: str) -> tuple[float, int | None]:
        """Return (seconds to sleep, errcode to answer or None) for an API request to path."""
        with self.lock:
            faults = self.faults
            if faults is None or (faults.paths and not any(path.startswith(p) for p in faults.paths)):
                return 0.0, None
            if faults.count is not None:
                faults.count -= 1
                if faults.count <= 0:
                    self.faults = None
            failing = faults.error_rate > 0 and self.random.random() < faults.error_rate
            return faults.latency_ms / 1000, faults.errcode if failing else None

    def record_call(self, path: str) -> None:
        """Count a request to an API path."""
        with self.lock:
            self.calls[path] += 1

    def deliver(self, kind: str, appid: str, openid: str | None, payload: dict[str, Any], **extra: Any) -> None:
        """Record what a request delivered (or skipped) for a user."""
        with self.lock:
            self.deliveries.append(Delivery(kind, appid, openid, payload, self.now(), **extra))

    # -- the control API (also served under /sim/) ------------------------------------------------------

    def record_interaction(self, openid: str, at: float | None = None) -> None:
        """Record that a user messaged the account: opens the 48-hour window and makes them a follower."""
        with self.lock:
            self.interactions[openid] = Interaction(self.now() if at is None else at)
            self.followers.setdefault(openid, set())

    def add_followers(self, openids: Iterable[str], tag_id: int | None = None) -> None:
        """Register followers of the service account, optionally carrying a tag."""
        with self.lock:
            for openid in openids:
                tags = self.followers.setdefault(openid, set())
                if tag_id is not None:
                    tags.add(tag_id)

    def grant(self, openid: str, template_id: str, count: int = 1) -> None:
        """Record that a user accepted `count` subscribe messages of a template."""
        with self.lock:
            self.grants[(openid, template_id)] += count

    def set_faults(
        self,
        latency_ms: int = 0,
        error_rate: float = 0.0,
        errcode: int = -1,
        count: int | None = None,
        paths: list[str] | None = None,
    ) -> None:
        """Inject latency and/or errors into the next `count` API requests (all, when None)."""
        with self.lock:
            self.faults = None if count == 0 else Faults(latency_ms, error_rate, errcode, count, paths)

    def clear_faults(self) -> None:
        """Stop injecting faults."""
        with self.lock:
            self.faults = None

    def set_quota(self, path: str, remaining: int, appid: str | None = None) -> None:
        """Set how many calls to path are left today, for one account or all of them."""
        with self.lock:
            self._roll_quota_day()
            for account in [appid] if appid else list(self.accounts):
                self.quotas[(account, path)] = remaining

    def clear_quota(self, appid: str) -> None:
        """Give an account its full daily quotas back (what /cgi-bin/clear_quota does)."""
        with self.lock:
            self.quotas = {key: left for key, left in self.quotas.items() if key[0] != appid}

    def expire_tokens(self) -> None:
        """Make every token issued so far expire now (42001)."""
        with self.lock:
            now = self.now()
            for token in self.tokens.values():
                token.expires_at = min(token.expires_at, now)

    def sent_messages(self, openid: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """Return what was delivered (and mass skips), oldest first, optionally for one user or kind."""
        with self.lock:
            return [
                asdict(d)
                for d in self.deliveries
                if (openid is None or d.openid == openid) and (kind is None or d.kind == kind)
            ]

    def call_counts(self) -> dict[str, int]:
        """Return how many requests each API path received."""
        with self.lock:
            return dict(self.calls)

    def reset(self) -> None:
        """Forget tokens, users, messages, faults, quotas and counts; keep accounts, clock and settings."""
        with self.lock:
            self._clear()
