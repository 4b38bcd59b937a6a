"""Answer messages that a crashed or stalled process left unanswered."""

from __future__ import annotations

import logging

from flask import Flask

from models.inbound import take_for_handling, unanswered

from ..extensions import db
from .accounts import runtime
from .intake import LEASE_SECONDS, deliver, handle
from .parsing import to_incoming

log = logging.getLogger(__name__)

# WeChat's last retry comes about 15 s after the first push; after that only we can answer.
ABANDONED_AFTER = 30


def answer_abandoned(app: Flask) -> int:
    """Handle each abandoned message once more and send its answer as a customer-service message."""
    count = 0
    with app.app_context():
        rows = unanswered(db.session, ABANDONED_AFTER)
        accounts = runtime().accounts
        for row in rows:
            if not take_for_handling(db.session, row.id, LEASE_SECONDS):
                continue  # another process took it meanwhile
            incoming, _key = to_incoming(row.fields, row.channel)
            log.info("answering abandoned message %s (attempt %s)", row.id, row.attempts + 1)
            deliver(app, accounts[row.channel], row.id, incoming.openid, handle(app, incoming))
            count += 1
    return count
