"""The 手机报 job: send each approved issue when its time comes; tell officials of an issue due but not ready."""

from __future__ import annotations

import logging

from flask import Flask

from app.digest import schedule
from app.extensions import db
from models.base import utcnow
from models.digest_publishing import Round, publish_due

log = logging.getLogger(__name__)


def publish(app: Flask) -> Round:
    """Publish what is due now (each issue once, however many schedulers run)."""
    with app.app_context():
        done = publish_due(
            db.session, now=utcnow(), base_url=app.config["GONGHUI"].PUBLIC_BASE_URL, schedule=schedule()
        )
    if done.published:
        log.info("published 手机报 issues %s", done.published)
    return done
