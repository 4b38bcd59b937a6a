"""Housekeeping jobs."""

from __future__ import annotations

import logging

from flask import Flask

from app.extensions import db
from models.officials import purge_expired_tokens

log = logging.getLogger(__name__)


def purge_tokens(app: Flask) -> int:
    """Delete stale admin API tokens."""
    with app.app_context():
        count = purge_expired_tokens(db.session)
        db.session.commit()
    log.info("purged %d stale API tokens", count)
    return count
