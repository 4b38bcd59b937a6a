"""Housekeeping jobs."""

from __future__ import annotations

import logging

from models.officials import purge_expired_tokens

log = logging.getLogger(__name__)


def purge_tokens(session_factory) -> int:
    """Delete stale admin API tokens."""
    with session_factory() as session, session.begin():
        count = purge_expired_tokens(session)
    log.info("purged %d stale API tokens", count)
    return count
