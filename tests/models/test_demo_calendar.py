"""The demo's coming dates move on with the clock: classes and programs stay open for sign-up, weekdays stay."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine

from models.base import LOCAL_TZ
from models.demo_calendar import WRITTEN, moved_by
from models.demo_childcare import PROGRAMS
from models.demo_training import CLASSES


def _on(day) -> time_machine.travel:
    return time_machine.travel(datetime.combine(day, datetime.min.time(), LOCAL_TZ) + timedelta(hours=9), tick=False)


def test_the_schedule_stays_as_written_until_a_week_has_passed():
    for days, weeks in ((-30, 0), (0, 0), (6, 0), (7, 1), (13, 1), (400, 57)):
        with _on(WRITTEN + timedelta(days=days)):
            assert moved_by() == timedelta(weeks=weeks), days


def test_whenever_it_is_loaded_the_first_class_and_the_winter_programs_are_open():
    for days in range(0, 400, 3):
        day = WRITTEN + timedelta(days=days)
        with _on(day):
            moved = moved_by()
        assert all(closes + moved > day for *_, closes, _ in CLASSES), day
        assert all((window[0] + moved).date() <= day < (window[1] + moved).date() for *_, window, _ in PROGRAMS[:5])
        assert (CLASSES[0][2] + moved).weekday() == CLASSES[0][2].weekday()
