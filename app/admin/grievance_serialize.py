"""Grievances as JSON for the admin API: the queue, a case with its history, statistics, routing and deadlines."""

from __future__ import annotations

from decimal import Decimal

from models.base import as_utc, utcnow
from models.grievance_cases import CaseMessage, actions_allowed
from models.grievance_deadlines import DEFAULTS
from models.grievance_routing import RULE_LABELS, Route
from models.grievance_stats import CaseStats
from models.grievances import CHANNELS, DEPARTMENTS, DOCUMENT_LABELS, STATUS_LABELS, GrievanceCase

from .serialize import union_ref

FALLBACK = "以上规则均不适用的，由最上级工会受理"


def _at(moment) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()


def money(amount: Decimal | None) -> str | None:
    """Yuan as a string with two decimals (JSON numbers are floats, money is not)."""
    return None if amount is None else f"{amount:.2f}"


def _status(status: str | None) -> dict | None:
    return None if status is None else {"status": status, "label": STATUS_LABELS[status]}


def case(row: GrievanceCase) -> dict:
    """A case in the queue: what, against whom, where it went and why, and by when it is due."""
    return {
        "id": row.id,
        "number": row.number,
        "status": row.status,
        "status_label": row.status_label,
        "category": row.category,
        "category_label": row.category_label,
        "channel": row.channel,
        "channel_label": CHANNELS[row.channel],
        "employer": {"id": row.enterprise_id, "name": row.employer_name},
        "union": union_ref(row.union),
        "routing_rule": row.routing_rule,
        "routing_reason": row.routing_reason,
        "workers_count": row.workers_count,
        "amount_owed": money(row.amount_owed),
        "deadline_at": _at(row.deadline_at),
        "overdue": row.deadline_at is not None and as_utc(row.deadline_at) < utcnow(),
        "escalations": row.escalations,
        "collective_id": row.collective_id,  # the first case of a collective grievance; null for that one itself
        "handler": None if row.handler is None else {"id": row.handler.id, "name": row.handler.name},
        "created_at": _at(row.created_at),
    }


def case_detail(row: GrievanceCase, collective: tuple[int, int]) -> dict:
    """A case in full, with the worker's name and phone (an audited view) and who did what."""
    cases, workers = collective
    worker = row.worker
    return {
        **case(row),
        "worker": {"id": worker.id, "name": worker.name, "phone": worker.phone},
        "contact_phone": row.contact_phone,
        "employer": {
            "id": row.enterprise_id,
            "name": row.employer_name,
            "address": row.employer_address,
            "township": row.township,
            "county": row.county,
            "industry": row.industry,
        },
        "facts": row.facts,
        "recorded_by": row.recorded_by,
        "legal_adviser": row.legal_adviser,
        "department": row.department,
        "department_label": DEPARTMENTS.get(row.department) if row.department else None,
        "outcome": row.outcome,
        "amount_recovered": money(row.amount_recovered),
        "workers_covered": row.workers_covered,
        "rating": row.rating,
        "rating_comment": row.rating_comment,
        "accepted_at": _at(row.accepted_at),
        "resolved_at": _at(row.resolved_at),
        "closed_at": _at(row.closed_at),
        "collective": {"lead_id": row.collective_id or row.id, "cases": cases, "workers": workers},
        "actions": sorted(actions_allowed(row)),  # the steps its state allows now
        "events": [
            {
                "actor": e.actor,
                "official_id": e.official_id,
                "action": e.action,
                "from": _status(e.from_status),
                "to": _status(e.to_status),
                "note": e.note,
                "at": _at(e.at),
            }
            for e in row.events
        ],
        "attachments": [
            {"id": a.id, "media_id": a.media_id, "url": a.url, "caption": a.caption, "at": _at(a.at)}
            for a in row.attachments
        ],
        "documents": [
            {
                "id": d.id,
                "kind": d.kind,
                "label": DOCUMENT_LABELS[d.kind],
                "number": d.number,
                "addressed_to": d.addressed_to,
                "deadline": _at(d.deadline),
                "answered_at": _at(d.answered_at),
                "created_at": _at(d.created_at),
                "pdf": f"/api/admin/grievances/documents/{d.id}.pdf",
                "docx": f"/api/admin/grievances/documents/{d.id}.docx",
            }
            for d in row.documents
        ],
    }


def message(row: CaseMessage) -> dict:
    """A message between the worker and the union; the union's say how far they got (pending, delivered by …)."""
    delivery = row.delivery
    return {
        "by": row.by,
        "author": row.author,
        "text": row.text,
        "at": _at(row.at),
        "delivery": None
        if delivery is None
        else {"status": delivery.status, "channel": delivery.channel, "delivered_at": _at(delivery.delivered_at)},
    }


def stats_row(row: CaseStats) -> dict:
    return {
        "union": row.union,
        "category": row.category,
        "month": row.month,
        "cases": row.cases,
        "resolved": row.resolved,
        "median_days": row.median_days,
        "amount_recovered": money(row.amount_recovered),
        "workers_covered": row.workers_covered,
    }


def statistics(rows: list[CaseStats], year: int | None) -> dict:
    """The rows and their sums (a median of medians would be no median, so the totals have none)."""
    return {
        "year": year,
        "rows": [stats_row(r) for r in rows],
        "totals": {
            "cases": sum(r.cases for r in rows),
            "resolved": sum(r.resolved for r in rows),
            "amount_recovered": money(sum((r.amount_recovered for r in rows), Decimal(0))),
            "workers_covered": sum(r.workers_covered for r in rows),
        },
    }


def routing_rules(active: list[str]) -> dict:
    """The rules in the order they are tried, those switched off after them; the city union is always last."""
    order = [*active, *(r for r in RULE_LABELS if r not in active)]
    return {
        "rules": [{"rule": r, "label": RULE_LABELS[r], "enabled": r in active} for r in order],
        "fallback": FALLBACK,
    }


def route(found: Route, enterprise) -> dict:
    return {
        "union": union_ref(found.union),
        "rule": found.rule,
        "rule_label": RULE_LABELS.get(found.rule, FALLBACK),
        "reason": found.reason,
        "enterprise": None if enterprise is None else {"id": enterprise.id, "name": enterprise.name},
    }


def deadlines(current: dict[str, tuple[int, bool]]) -> dict:
    return {
        "deadlines": [
            {
                "stage": stage,
                "label": label,
                "days": current[stage][0],
                "working_days": current[stage][1],
                "default_days": days,
                "default_working_days": working,
            }
            for stage, (days, working, label) in DEFAULTS.items()
        ]
    }
