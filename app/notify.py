"""Deliver queued notifications: a subscribe message if granted, else customer service within 48 h, else inbox."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask

from models import notifications
from models.base import as_utc, utcnow
from models.notifications import CUSTOMER_SERVICE, INBOX, SUBSCRIBE, Notification
from models.workers import Worker

from .extensions import db
from .wechat.accounts import runtime
from .wechat.errors import NoSubscription, OutsideServiceWindow, WeChatError

log = logging.getLogger(__name__)

GRIEVANCE_STEPS = (
    "received",
    "accepted",
    "assigned",
    "handling",
    "mediation",
    "opinion",
    "message",
    "escalated",
    "resolved",
    "closed",
)
# Subscribe-message templates chosen in the mini-program's console, by kind of notification.
TEMPLATES = {
    "childcare_registered": "TPL-childcare-result",
    "childcare_waitlisted": "TPL-childcare-result",
    "childcare_promoted": "TPL-childcare-result",
    "childcare_reminder": "TPL-childcare-reminder",
    "childcare_cancelled": "TPL-childcare-result",
    "training_enrolled": "TPL-training-result",
    "training_waitlisted": "TPL-training-result",
    "training_promoted": "TPL-training-result",
    "training_cancelled": "TPL-training-result",
    "training_reminder": "TPL-training-reminder",
    "training_rate": "TPL-training-rate",
    **{f"grievance_{step}": "TPL-grievance-progress" for step in GRIEVANCE_STEPS},
}
WINDOW = timedelta(hours=48)


def dispatch_pending(app: Flask, limit: int = 50) -> int:
    """Deliver what is queued; return how many went out (any channel, the inbox included)."""
    with app.app_context():
        claimed = notifications.claim_pending(db.session, limit)
        for notification in claimed:
            try:
                channel = _deliver(notification)
            except WeChatError as error:
                # Busy or over quota: give back a grant spent on it; the lease runs out and the next round retries.
                db.session.rollback()
                log.warning("notification %s not delivered yet: %s", notification.id, error)
                continue
            notifications.delivered(db.session, notification, channel)
            db.session.commit()
        return len(claimed)


def _deliver(notification: Notification) -> str:
    worker = db.session.get(Worker, notification.worker_id)
    template = TEMPLATES.get(notification.kind)
    if template and worker.miniapp_openid and notifications.use_grant(db.session, worker.id, template):
        try:
            runtime().api("miniapp").call(
                "wxa.send_subscribe_message", worker.miniapp_openid, template, notification.data, notification.page
            )
            return SUBSCRIBE
        except NoSubscription:
            pass  # the grant we counted was not WeChat's: fall through to the next channel
    recent = worker.last_message_at is not None and utcnow() - as_utc(worker.last_message_at) < WINDOW
    if worker.openid and recent:
        try:
            runtime().api("mp").call("message.send_text", worker.openid, f"【{notification.title}】{notification.body}")
            return CUSTOMER_SERVICE
        except OutsideServiceWindow:
            pass
    return INBOX
