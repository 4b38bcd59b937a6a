"""Training jobs: remind those enrolled the day before a class, ask attendees to rate it on its last day."""

from __future__ import annotations

import logging

from flask import Flask

from app.extensions import db
from models.base import today
from models.training_enrolments import queue_reminders

log = logging.getLogger(__name__)


def remind_and_ask(app: Flask) -> int:
    """Queue tomorrow's class reminders and today's rating requests (delivery is the dispatcher's)."""
    with app.app_context():
        count = queue_reminders(db.session, today())
    log.info("queued %d training reminders and rating requests", count)
    return count
