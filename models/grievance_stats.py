"""Grievance statistics officials report: cases, resolved, median days, amount recovered, per union, category, month."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .access import Actor
from .base import LOCAL_TZ, as_utc
from .grievances import CATEGORIES, GrievanceCase
from .unions import TradeUnion


@dataclass
class CaseStats:
    """Figures officials report: cases, resolved, median days to resolution, amount recovered."""

    union: str
    category: str
    month: str
    cases: int = 0
    resolved: int = 0
    median_days: float | None = None
    amount_recovered: Decimal = Decimal(0)
    workers_covered: int = 0


def statistics(session: Session, actor: Actor, *, year: int | None = None) -> list[CaseStats]:
    """Count the cases of the scope per union, category and month (China time) of receipt."""
    rows = session.scalars(select(GrievanceCase).where(GrievanceCase.union_id.in_(actor.union_ids))).all()
    names = dict(
        session.execute(select(TradeUnion.id, TradeUnion.name).where(TradeUnion.id.in_(actor.union_ids))).all()
    )
    groups: dict[tuple, list[GrievanceCase]] = {}
    for case in rows:
        received = as_utc(case.created_at).astimezone(LOCAL_TZ)
        if year is None or received.year == year:
            groups.setdefault((names[case.union_id], CATEGORIES[case.category], f"{received:%Y-%m}"), []).append(case)
    stats = []
    for (union, category, month), cases in sorted(
        groups.items(), key=lambda item: (item[0][2], item[0][0], item[0][1])
    ):
        done = [c for c in cases if c.resolved_at is not None]
        days = sorted((as_utc(c.resolved_at) - as_utc(c.created_at)).total_seconds() / 86400 for c in done)
        stats.append(
            CaseStats(
                union,
                category,
                month,
                cases=len(cases),
                resolved=len(done),
                median_days=round(_median(days), 1) if days else None,
                amount_recovered=sum((c.amount_recovered or Decimal(0) for c in done), Decimal(0)),
                workers_covered=sum(c.workers_covered or 0 for c in done),
            )
        )
    return stats


def _median(values: list[float]) -> float:
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
