"""Waitlists of childcare sessions and training classes: withdraw from the status read, promote the first waiting."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Update, func, select, update
from sqlalchemy.orm import Session

from .base import utcnow

CONFIRMED, WAITLISTED, CANCELLED = "confirmed", "waitlisted", "cancelled"


def withdraw(session: Session, row) -> str | None:
    """Cancel a live place or waitlist entry; return the status it had, or None if it was cancelled already.

    Conditional on the status read: a promotion in between must not leak the place it now holds.
    """
    model = type(row)
    while True:
        was = row.status
        cancelled = session.execute(
            update(model)
            .where(model.id == row.id, model.status == was, model.status != CANCELLED)
            .values(status=CANCELLED, cancelled_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if cancelled:
            return was
        session.rollback()
        session.refresh(row)
        if row.status == CANCELLED:
            return None


def promote_first(session: Session, model, waiting_in: ColumnElement[bool], give_back: Update):
    """Give a freed place to the earliest entry waiting (`waiting_in`: its session or class), else give it back."""
    while True:
        first = session.scalar(select(model).where(waiting_in, model.status == WAITLISTED).order_by(model.id).limit(1))
        if first is None:
            session.execute(give_back.execution_options(synchronize_session=False))
            return None
        # Conditional: a concurrent cancellation may have promoted the same entry a moment ago.
        moved = session.execute(
            update(model)
            .where(model.id == first.id, model.status == WAITLISTED)
            .values(status=CONFIRMED, promoted_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved:
            session.refresh(first)
            return first


def position(session: Session, row, same_queue: ColumnElement[bool]) -> int | None:
    """Return a waiting entry's place in its queue (1 is next), None for one not waiting."""
    if row.status != WAITLISTED:
        return None
    model = type(row)
    ahead = select(func.count()).where(same_queue, model.status == WAITLISTED, model.id < row.id)
    return session.scalar(ahead) + 1
