"""Send a unit of a push: a mass batch in one call with its clientmsgid; subscribe messages many at a time.

Exactly once, and where it can fail:

- Mass batches: the batch's rows are claimed with a lease, then sent with the batch's fixed clientmsgid,
  then marked sent. A sender killed (or timed out) after WeChat took the batch leaves the rows claimed;
  once the lease is over the batch is sent again with the same clientmsgid and WeChat answers 45065
  ("already sent"), which marks the rows sent. Nobody gets it twice, however often that repeats (within
  WeChat's 24 hours of clientmsgid memory, far longer than a lease).
- Subscribe messages: WeChat has no idempotency key, so the ledger bounds the doubt instead. Rows are
  claimed *as attempted* right before their calls go out, `threads / 2` at a time, and their answers are
  recorded one block later. A sender killed with -9 leaves at most two blocks attempted; after their lease
  those rows are skipped as IN_DOUBT (most of them did reach the worker), never sent again. Rows only
  claimed, or still pending, are sent by the next sender. So the risk is not a duplicate but missing at
  most `threads` workers per dead sender; `settle_in_doubt(resend=True)` would trade that for duplicates.
  A read timeout is the same doubt for one row (the request may have been handled): skipped, not resent.
  -1 and connection failures (nothing reached WeChat) are retried with backoff, then the row fails.
- The inbox: the Notification rows and the ledger change in one transaction.
- The database restarting mid-push: ledger steps are tried again for up to half the lease, so the answers
  of a block in flight are written down when it is back instead of leaving the block in doubt.
- 45009 (quota) gives the row back and pauses the push until after midnight, China time, when WeChat's
  daily quotas return; a token WeChat keeps refusing after a refresh pauses it for 5 minutes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock
from functools import partial
from typing import TypeVar

import redis
import requests
import urllib3
from flask import current_app

from models import push_delivery as ledger
from models.base import LOCAL_TZ, utcnow
from models.database import through_outage
from models.push_audience import mass_text, subscribe_message
from models.push_delivery import IN_DOUBT, Claimed, Unit
from models.push_ledger import pause
from models.pushes import SENDING, Push

from ..extensions import db, redis_store
from ..wechat.accounts import runtime
from ..wechat.client import TIMEOUT, WeChatApi
from ..wechat.errors import NoSubscription, OutsideServiceWindow, QuotaExceeded, TokenRejected, WeChatBusy, WeChatError

log = logging.getLogger(__name__)
T = TypeVar("T")

BACKOFF = (0.5, 1.0, 2.0)  # seconds before each retry of -1 or an unreachable WeChat; then the row fails
OUTAGE_WAITS = (0.5, 1.0, 2.0, 4.0)  # seconds between tries of a ledger write while the database is out, then 4 s
ALREADY_SENT = 45065  # mass send: this clientmsgid went out already
TOKEN_PAUSE = timedelta(minutes=5)
SEND_TIMEOUT = TIMEOUT
TOKEN_MEMO_SECONDS = 1.0
SUBSCRIBE_SEND = "cgi-bin/message/subscribe/send"

SENT, SKIPPED, FAILED, DOUBT, QUOTA, TOKEN = "sent", "skipped", "failed", "doubt", "quota", "token"


@dataclass(frozen=True)
class Outcome:
    kind: str
    detail: str | None = None


def send_unit(unit: Unit, keep_alive: Callable[[], None]) -> None:
    """Send one unit of a sending push (in an app context); keep_alive is called as the sender progresses."""
    push = db.session.get(Push, unit.push_id, populate_existing=True)
    if push is None or push.status != SENDING:
        return
    settings = current_app.config["GONGHUI"]
    if unit.batch:
        _send_batch(push, unit.batch, settings.PUSH_LEASE_SECONDS)
    else:
        _send_range(push, unit, settings.PUSH_THREADS, settings.PUSH_LEASE_SECONDS, keep_alive)


def next_china_midnight() -> datetime:
    """Return 00:05 tomorrow, China time: WeChat's daily quotas are back by then."""
    tomorrow = datetime.now(LOCAL_TZ).date() + timedelta(days=1)
    return datetime.combine(tomorrow, clock(0, 5), LOCAL_TZ)


# -- mass batches ------------------------------------------------------------------------------------------


def _send_batch(push: Push, batch: str, lease: int) -> None:
    session = db.session
    rows = ledger.claim_batch(session, push, batch, lease)
    if not rows:
        return
    api = _Target.of("mp").api()  # the account's client, with SEND_TIMEOUT
    for delay in (*BACKOFF, None):
        try:
            answer = _mass(api, push, [row.openid for row in rows], batch)
        except WeChatError as error:
            if error.errcode == ALREADY_SENT:  # a previous try went out: WeChat de-duplicated this one
                ledger.mark_sent(session, [(row, None) for row in rows])
            elif isinstance(error, QuotaExceeded | TokenRejected):
                ledger.release(session, [row.id for row in rows])
                pause(session, push.id, next_china_midnight() if isinstance(error, QuotaExceeded) else _token_pause())
            elif isinstance(error, WeChatBusy):
                if delay is not None:
                    time.sleep(delay)
                    continue
                # Same clientmsgid next time, so a try that did go out is not repeated; MAX_BATCH_ATTEMPTS bounds it.
                ledger.release(session, [row.id for row in rows])
            else:
                reason = f"{error.errcode} {error.errmsg}"
                ledger.mark_failed(session, [(row.id, reason) for row in rows])
                ledger.release_quota(session, push, [row.worker_id for row in rows])
            session.commit()
            return
        msg_id = str(answer.get("msg_id")) if isinstance(answer, dict) and answer.get("msg_id") else None
        ledger.mark_sent(session, [(row, msg_id) for row in rows])
        session.commit()
        return


def _mass(api: WeChatApi, push: Push, openids: list[str], clientmsgid: str):
    media_id = push.message.get("media_id")
    if media_id:
        return api.call("message.send_mass_article", media_id, openids, client_msg_id=clientmsgid)
    return api.call("message.send_mass_text", mass_text(push), openids, client_msg_id=clientmsgid)


def _token_pause() -> datetime:
    return utcnow() + TOKEN_PAUSE


# -- subscribe messages and the inbox ----------------------------------------------------------------------


def _send_range(push: Push, unit: Unit, threads: int, lease: int, keep_alive: Callable[[], None]) -> None:
    session = db.session
    ledger.deliver_inbox(session, push, unit.first_id, unit.last_id)
    ledger.settle_in_doubt(session, push.id, first_id=unit.first_id, last_id=unit.last_id)
    session.commit()
    template, data, page = subscribe_message(push)
    target = _Target.of("miniapp")
    pool = _pool(threads)
    block = max(1, threads // 2)
    in_flight: tuple[list[Claimed], list[Future]] | None = None
    stop = False
    push_id = push.id
    while True:
        rows = [] if stop else _through_outage(partial(_claim, push_id, unit, block, lease), lease)
        current = (rows, [pool.submit(_subscribe, target, row.openid, template, data, page) for row in rows])
        if in_flight is not None:
            stop = _through_outage(partial(_record, push_id, *in_flight, template), lease) or stop
        in_flight = current if rows else None
        if in_flight is None:
            break
        keep_alive()


def _through_outage(step: Callable[[], T], lease: int) -> T:
    """Run a ledger step, and again while the database is out (restarting), for up to half the rows' lease.

    WeChat's answers to a block in flight live only in memory: were the sender to give up on them, their rows
    would be skipped as in doubt once their lease ran out, though WeChat took them.
    """
    return through_outage(step, time.monotonic() + lease / 2, OUTAGE_WAITS, db.session.rollback)


def _claim(push_id: int, unit: Unit, block: int, lease: int) -> list[Claimed]:
    session = db.session
    rows = ledger.claim(
        session, push_id, limit=block, lease_seconds=lease, first_id=unit.first_id, last_id=unit.last_id, attempt=True
    )
    gone = [(row.id, "未使用小程序") for row in rows if not row.openid]
    if gone:
        ledger.mark_skipped(session, gone)
        session.commit()
    return [row for row in rows if row.openid]


def _record(push_id: int, rows: list[Claimed], futures: list[Future], template: str) -> bool:
    """Record a block's answers in one transaction; return True when the push must stop (paused)."""
    session = db.session
    sent, skipped, failed, back = [], [], [], []
    stop = None
    for row, future in zip(rows, futures, strict=True):
        outcome = future.result()
        if outcome.kind == SENT:
            sent.append((row, outcome.detail))
        elif outcome.kind in (SKIPPED, DOUBT):
            skipped.append((row.id, outcome.detail))
        elif outcome.kind == FAILED:
            failed.append((row.id, outcome.detail))
        else:
            back.append(row.id)
            stop = stop or outcome.kind
    ledger.mark_sent(session, sent, grant_template=template)
    ledger.mark_skipped(session, skipped)
    ledger.mark_failed(session, failed)
    ledger.release(session, back)
    if stop:
        pause(session, push_id, next_china_midnight() if stop == QUOTA else _token_pause())
        log.warning("push %s paused: %s", push_id, "WeChat's daily quota (45009)" if stop == QUOTA else "token")
    session.commit()
    return stop is not None


def _subscribe(target: _Target, openid: str, template: str, data: dict, page: str) -> Outcome:
    """Send one subscribe message (in a pool thread), retrying what surely did not reach WeChat."""
    api = target.api()
    for delay in (*BACKOFF, None):
        try:
            answer = api.post(SUBSCRIBE_SEND, {"touser": openid, "template_id": template, "page": page, "data": data})
        except NoSubscription:
            return Outcome(SKIPPED, "43101 未授权订阅消息")
        except OutsideServiceWindow as error:
            return Outcome(SKIPPED, f"{error.errcode} 不在可发送时限内")
        except QuotaExceeded:
            return Outcome(QUOTA)
        except TokenRejected:
            return Outcome(TOKEN)
        except WeChatBusy as error:
            if maybe_delivered(error):
                return Outcome(DOUBT, IN_DOUBT)
            if delay is None:
                code = "无应答" if error.errcode is None else error.errcode
                return Outcome(FAILED, f"{code} 微信繁忙，重试后仍失败")
            time.sleep(delay)
            continue
        except WeChatError as error:
            return Outcome(FAILED, f"{error.errcode} {error.errmsg}")
        msgid = answer.get("msgid") if isinstance(answer, dict) else None
        return Outcome(SENT, None if msgid is None else str(msgid))
    raise AssertionError("unreachable")


def maybe_delivered(error: WeChatBusy) -> bool:
    """Tell whether a failed call may still have been handled by WeChat (the answer was lost, not the request)."""
    cause = error.__cause__
    if isinstance(cause, requests.exceptions.ConnectionError) and cause.args:
        cause = getattr(cause.args[0], "reason", None) or cause  # requests wraps urllib3's error
    if isinstance(cause, requests.exceptions.ConnectTimeout | urllib3.exceptions.ConnectTimeoutError):
        return False
    if isinstance(cause, requests.exceptions.Timeout | urllib3.exceptions.ReadTimeoutError):
        return True  # read timeout: WeChat had the request
    if isinstance(cause, urllib3.exceptions.NewConnectionError):
        return False  # nobody answered the connection: nothing was sent
    # A connection broken after the request went out may have delivered it; -1 from WeChat or our token lock did not.
    return isinstance(cause, requests.exceptions.ConnectionError | urllib3.exceptions.HTTPError)


# -- clients and threads -----------------------------------------------------------------------------------

_local = threading.local()
_pools: dict[int, ThreadPoolExecutor] = {}
_memos: dict[tuple, _TokenMemo] = {}
_lock = threading.Lock()


def _pool(size: int) -> ThreadPoolExecutor:
    with _lock:
        if size not in _pools:
            _pools[size] = ThreadPoolExecutor(max_workers=size, thread_name_prefix="push-send")
        return _pools[size]


@dataclass(frozen=True)
class _Target:
    """What a pool thread needs to build its own client of an account (no app context there)."""

    appid: str
    secret: str
    base_url: str
    redis_client: redis.Redis

    @classmethod
    def of(cls, channel: str) -> _Target:
        account = runtime().accounts[channel]
        return cls(account.appid, account.secret, runtime().base_url, redis_store.client)

    def api(self) -> WeChatApi:
        """Return this thread's client: its own HTTP connections, the process's memo of the shared token."""
        key = (self.appid, self.base_url, id(self.redis_client))
        apis = getattr(_local, "apis", None)
        if apis is None:
            apis = _local.apis = {}
        if key not in apis:
            api = WeChatApi(self.appid, self.secret, self.base_url, self.redis_client, SEND_TIMEOUT)
            # requests would look up proxies (and ~/.netrc) in the environment on every call: once is enough.
            http = api.client._http  # our own session (app/wechat/client.py)
            http.proxies, http.trust_env = requests.utils.get_environ_proxies(self.base_url), False
            with _lock:
                memo = _memos.setdefault(key, _TokenMemo(api.client.session, TOKEN_MEMO_SECONDS))
            api.client.session = memo
            apis[key] = api
        return apis[key]


class _TokenMemo:
    """wechatpy's token storage in Redis, read at most once a second per process and key (the last read while
    Redis is out).

    Every call reads the token (and its expiry) from Redis three times; at hundreds of calls a second that is
    most of the sender's Redis traffic. Writes and deletes go through and drop the memo, so a token that
    WeChat rejects is refreshed under the client's lock exactly as without the memo.
    """

    def __init__(self, storage, seconds: float):
        self.storage, self.seconds = storage, seconds
        self._values: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key, default=None):
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
        if hit is not None and now - hit[0] < self.seconds:
            return default if hit[1] is None else hit[1]
        try:
            value = self.storage.get(key)
        except redis.RedisError:
            if hit is None:
                raise
            # Redis out for a moment: the token read last is still good at WeChat (it lives two hours).
            return default if hit[1] is None else hit[1]
        if value is not None:  # an absent token is read again: another thread may be fetching it right now
            with self._lock:
                self._values[key] = (now, value)
        return default if value is None else value

    def set(self, key, value, ttl=None):
        with self._lock:
            self._values.clear()
        self.storage.set(key, value, ttl)
        with self._lock:
            self._values.clear()

    def delete(self, key):
        with self._lock:
            self._values.clear()
        self.storage.delete(key)
        with self._lock:
            self._values.clear()
