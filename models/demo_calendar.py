"""The demo's calendar: the seeds' schedule as written, moved on by whole weeks once the day it was written is past."""

from __future__ import annotations

from datetime import date, timedelta

from .base import today

WRITTEN = date(2026, 11, 23)  # a Monday: the day the demo's classes, survey and childcare were scheduled from


def moved_by() -> timedelta:
    """How far the demo's coming dates move, so that what the seeds plan is still ahead; weekdays stay."""
    return timedelta(weeks=max(0, (today() - WRITTEN).days // 7))
