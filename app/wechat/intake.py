"""Receive a message exactly once: claim, store, answer within WeChat's 5 s or send the answer later."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from functools import partial

from flask import Flask, current_app

from bot.core import Context
from bot.handlers import bot, converses
from bot.messages import Incoming, Reply
from bot.state import LockAhead, RedisStateStore, StoreUnavailable
from models.database import through_outage
from models.inbound import (
    ANSWERED,
    CUSTOMER_SERVICE,
    NO_ANSWER,
    PASSIVE,
    UNDELIVERED,
    InboundMessage,
    find_inbound,
    record_answer,
    store_inbound,
)

from ..extensions import db, redis_store
from .accounts import Account, runtime
from .claims import REPLAYED, Claims
from .errors import WeChatError
from .replies import from_data, to_data

log = logging.getLogger(__name__)

LEASE_SECONDS = 60  # a handler that has not answered by then is presumed dead
OUTAGE_POLL = 0.25  # seconds between tries to store a message while the database is out


class Replayed(Exception):
    """A nonce reused for a different message: a replay, not a WeChat retry."""


def receive(
    account: Account, incoming: Incoming, key: str, fields: dict, nonce: str, started: float, listened: bool = True
) -> Reply | None:
    """Return the passive reply to a message, or None to answer "success".

    A push that waited so long for a worker that WeChat no longer listens (not `listened`) is answered by a
    customer-service message: a passive reply would reach nobody.
    """
    passive = account.passive and listened
    # A text's dialogue lock is taken in the round trip that claims it, and handed to its handler.
    ahead = LockAhead(incoming.openid) if converses(incoming) else None
    claimed = Claims(redis_store.client, account.channel).check_and_claim(nonce, key, ahead)
    if claimed == REPLAYED:
        raise Replayed(key)
    try:
        if claimed is False:
            # WeChat's retry of a message claimed before: the stored row has its answer (or is being handled).
            earlier = find_inbound(db.session, key)
            if earlier is not None:
                return _earlier_answer(earlier)
        message_id, earlier = _store(
            started,
            channel=account.channel,
            dedup_key=key,
            openid=incoming.openid,
            kind=incoming.kind,
            event=incoming.event,
            fields=fields,
        )
        if earlier is not None:
            return _earlier_answer(earlier)
        app = current_app._get_current_object()
        wechat = runtime()
        # A service account's answer is recorded as passive with the bot's own writes: one commit, not two.
        gave_up = threading.Event()
        passive_id = message_id if passive else None
        future = wechat.executor.submit(handle, app, incoming, passive_id, gave_up, ahead)
        ahead = None  # the handler's now
    finally:
        if ahead is not None and ahead.taken:
            with contextlib.suppress(StoreUnavailable):  # it expires by itself
                RedisStateStore(redis_store.client, ahead=ahead).release_ahead()
    if passive:
        try:
            # WeChat gives up at 5 s; the budget (4 s) counts from the request's arrival.
            return future.result(timeout=max(0.0, wechat.reply_seconds - (time.monotonic() - started)))
        except FutureTimeout:
            gave_up.set()
            log.warning("answer to %s not ready in time; it will go out as a customer-service message", key)
    future.add_done_callback(lambda done: _deliver_later(app, account, message_id, incoming.openid, done))
    return None


def _store(started: float, **row) -> tuple[int, InboundMessage | None]:
    """Store a message; while the database is out (restarting), try again until WeChat's 5 s are nearly spent.

    Answering 503 at once would let WeChat's three tries all pass within the first seconds of an outage.
    """
    store = partial(store_inbound, db.engine, lease_seconds=LEASE_SECONDS, **row)
    return through_outage(store, started + runtime().reply_seconds, (OUTAGE_POLL,))


def _earlier_answer(row: InboundMessage) -> Reply | None:
    """A retry gets the reply the message got, or "success" while it is handled or went out otherwise."""
    if row.status == ANSWERED and row.delivery == PASSIVE and row.reply_data:
        return from_data(row.reply_data)
    return None


def handle(
    app: Flask,
    incoming: Incoming,
    passive_id: int | None = None,
    gave_up: threading.Event | None = None,
    ahead: LockAhead | None = None,
) -> Reply | None:
    """Run the bot on a message in a context of its own and commit what it did (and a passive answer)."""
    with app.app_context():
        store = RedisStateStore(redis_store.client, ahead=ahead)
        try:
            reply = bot.reply(incoming, Context(db.session, store))
            # Once the request has answered "success", the answer goes out by customer service instead.
            if passive_id is not None and not (gave_up and gave_up.is_set()):
                data = None if reply is None else to_data(reply)
                record_answer(db.session, passive_id, data, PASSIVE if reply else NO_ANSWER)
            db.session.commit()
            return reply
        finally:
            with contextlib.suppress(StoreUnavailable):  # a lock taken ahead and never used expires by itself
                store.release_ahead()


def deliver(app: Flask, account: Account, message_id: int, openid: str, reply: Reply | None) -> None:
    """Send a late answer as a customer-service message and record how it went."""
    with app.app_context():
        if reply is None:
            record_answer(db.session, message_id, None, NO_ANSWER)
            db.session.commit()
            return
        try:
            runtime().api(account.channel).send_reply(openid, reply)
        except WeChatError as error:
            if error.retryable:
                log.warning("customer-service send for message %s failed (%s); will retry", message_id, error)
                return  # the lease runs out and the recovery job tries again
            log.warning("answer to message %s could not be delivered: %s", message_id, error)
            record_answer(db.session, message_id, to_data(reply), UNDELIVERED)
            db.session.commit()
            return
        record_answer(db.session, message_id, to_data(reply), CUSTOMER_SERVICE)
        db.session.commit()


def _deliver_later(app: Flask, account: Account, message_id: int, openid: str, done: Future) -> None:
    try:
        reply = done.result()
    except Exception:
        log.exception("handling message %s failed; the recovery job will try again", message_id)
        return
    deliver(app, account, message_id, openid, reply)
