"""Childcare jobs: remind guardians the day before a session starts."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask

from app.extensions import db
from models.base import today
from models.registrations import queue_reminders

log = logging.getLogger(__name__)


def remind_tomorrow(app: Flask) -> int:
    """Queue a reminder for each child whose session starts tomorrow (delivery is the dispatcher's)."""
    with app.app_context():
        count = queue_reminders(db.session, today() + timedelta(days=1))
    log.info("queued %d childcare reminders", count)
    return count
