"""Grievance jobs: escalate cases past their deadline up the chain, and tell the workers."""

from __future__ import annotations

import logging

from flask import Flask

from app.extensions import db
from models.grievance_cases import escalate_overdue

log = logging.getLogger(__name__)


def escalate(app: Flask) -> int:
    """Move every overdue case one level up (notifications go out with the dispatcher)."""
    with app.app_context():
        count = escalate_overdue(db.session)
    if count:
        log.info("escalated %d overdue grievance cases", count)
    return count
