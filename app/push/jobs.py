"""The queue's jobs: list a push's recipients, send one of its units. Run by `rq worker` or the scheduler.

RQ imports this module by name in its workers, so a job finds its app here: the one the process bound
(the scheduler, tests), else one made from the environment, once per process (`rq worker`).
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager, suppress

from flask import Flask
from redis.exceptions import RedisError

from models.push_delivery import Unit, expand, open_units
from models.push_ledger import finish_if_done
from models.pushes import EXPANDING, SENDING, Push

from ..extensions import db
from ..wechat.accounts import runtime
from ..wechat.errors import WeChatError
from . import queue
from . import send as sender

log = logging.getLogger(__name__)

_app: Flask | None = None
_app_lock = threading.Lock()


def bind(app: Flask) -> None:
    """Make the jobs of this process run in this app."""
    global _app  # one app per process
    with _app_lock:
        _app = app


def current() -> Flask:
    """Return the bound app, creating one from the environment the first time (in an `rq worker`)."""
    global _app
    with _app_lock:
        if _app is None:
            from .. import create_app  # not at import: `app` imports this package

            _app = create_app()
        return _app


def expand_push(push_id: int) -> int:
    """List the recipients of an expanding push, then queue its units."""
    app = current()
    with _alive(app, push_id, "expand") as keep_alive, app.app_context():
        push = db.session.get(Push, push_id, populate_existing=True)
        if push is None:
            return 0
        if push.status == EXPANDING:
            _draft_for_followers(push)
            expand(db.session, push_id, on_step=keep_alive)
        db.session.refresh(push)
        if push.status != SENDING:
            return 0
        return queue.enqueue_units(app, open_units(db.session, push_id))


@contextmanager
def _alive(app: Flask, push_id: int, key: str):
    """Keep a unit's alive key while its job works, so that the scheduler does not queue the unit again."""
    # Renewed at most every third of the lease: a worker killed with -9 lets it expire with its rows' lease.
    conn = queue.connection(app)
    name = queue.alive_key(push_id, key)
    lease = app.config["GONGHUI"].PUSH_LEASE_SECONDS
    conn.set(name, "1", ex=lease)
    renewed = [time.monotonic()]

    def keep_alive() -> None:
        if time.monotonic() - renewed[0] > lease / 3:
            renewed[0] = time.monotonic()
            try:
                conn.set(name, "1", ex=lease)
            except RedisError as error:
                # Redis out for a moment: keep sending. Stopping would leave the block in flight in doubt; the rows'
                # leases are in the database, so a unit queued again meanwhile sends only the rows nobody holds.
                log.warning("push %s: could not renew %s (%s); sending on", push_id, name, error)

    try:
        yield keep_alive
    finally:
        with suppress(RedisError):  # it expires by itself
            conn.delete(name)


def _draft_for_followers(push: Push) -> None:
    """Upload an article with a cover as a WeChat draft once, so followers get a real 图文 (mpnews)."""
    message = push.message
    if message["type"] != "article" or not message.get("thumb_media_id") or "media_id" in message:
        return
    article = {
        "title": message["title"],
        "digest": message.get("description", ""),
        "content": f'<p>{message.get("description", "")}</p><p><a href="{message["url"]}">阅读全文</a></p>',
        "content_source_url": message["url"],
        "thumb_media_id": message["thumb_media_id"],
    }
    try:
        media_id = runtime().api("mp").call("draft.add", [article])["media_id"]
    except WeChatError as error:  # the text with a link goes out instead
        log.warning("push %s: no draft for the mass send (%s); sending the link as text", push.id, error)
        media_id = None
    push.message = {**message, "media_id": media_id}
    db.session.commit()


def send_unit(push_id: int, batch: str | None, first_id: int | None, last_id: int | None) -> None:
    """Send one unit of a push (a mass batch, or a range of rows), then finish the push if it was the last."""
    app = current()
    unit = Unit(push_id, batch=batch, first_id=first_id, last_id=last_id)
    with _alive(app, push_id, unit.key) as keep_alive, app.app_context():
        sender.send_unit(unit, keep_alive)
        if finish_if_done(db.session, push_id):
            log.info("push %s done", push_id)
        db.session.commit()
