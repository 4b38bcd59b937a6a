"""Rows as JSON for the admin API; personal data masked unless asked for on purpose."""

from __future__ import annotations

from models.audit import AuditEntry
from models.base import as_utc
from models.childcare import CareSession, Program
from models.enterprises import Enterprise
from models.masking import mask_id_number
from models.officials import Official
from models.tickets import KIND_LABELS as TICKET_KINDS
from models.tickets import Ticket
from models.unions import KIND_LABELS, TradeUnion
from models.workers import Worker


def union(row: TradeUnion) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "kind_label": KIND_LABELS[row.kind],
        "parent_id": row.parent_id,
        "region": row.region,
        "industries": row.industries,
        "phone": row.phone,
        "address": row.address,
    }


def union_ref(row: TradeUnion | None) -> dict | None:
    return None if row is None else {"id": row.id, "name": row.name}


def enterprise(row: Enterprise) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "address": row.address,
        "county": row.county,
        "township": row.township,
        "industry": row.industry,
        "union": union_ref(row.union),
        "local_union": union_ref(row.local_union),
    }


def worker(row: Worker, *, full: bool = False) -> dict:
    """Serialize a worker; full=True (an audited view) shows phone and ID number unmasked."""
    return {
        "id": row.id,
        "name": row.name,
        "phone": row.phone if full else row.masked_phone,
        "id_number": row.id_number if full else mask_id_number(row.id_number),
        "employer": None if row.employer is None else {"id": row.employer.id, "name": row.employer.name},
        "union": union_ref(row.union),
        "member_since": row.member_since.isoformat() if row.member_since else None,
        "is_member": row.is_member,
        "wechat": {"openid": bool(row.openid), "miniapp": bool(row.miniapp_openid)},
    }


def ticket(row: Ticket, *, full: bool = False) -> dict:
    """Serialize a ticket; full=True (an audited view) adds the worker's words and the conversation."""
    data = {
        "id": row.id,
        "number": row.number,
        "kind": row.kind,
        "kind_label": TICKET_KINDS[row.kind],
        "status": row.status,
        "union": union_ref(row.union),
        "worker": {"id": row.worker.id, "name": row.worker.name, "phone": row.worker.masked_phone},
        "created_at": as_utc(row.created_at).isoformat(),
    }
    if full:
        data["summary"] = row.summary
        data["messages"] = [
            {"text": m.text, "official_id": m.official_id, "delivery": m.delivery, "at": as_utc(m.at).isoformat()}
            for m in row.messages
        ]
    return data


def care_session(row: CareSession) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "capacity": row.capacity,
        "taken": row.taken,
        "places_left": row.places_left,
    }


def program(row: Program) -> dict:
    return {
        "id": row.id,
        "union": union_ref(row.union),
        "title": row.title,
        "season": row.season,
        "year": row.year,
        "kind": row.kind,
        "kind_label": row.kind_label,
        "min_age": row.min_age,
        "max_age": row.max_age,
        "place": row.place,
        "daily_hours": row.daily_hours,
        "fee_yuan": row.fee_yuan,
        "courses": row.courses,
        "timetable": row.timetable,
        "meals": row.meals,
        "staff": row.staff,
        "members_only": row.members_only,
        "registration_opens": as_utc(row.registration_opens).isoformat(),
        "registration_closes": as_utc(row.registration_closes).isoformat(),
        "sessions": [care_session(s) for s in row.sessions],
    }


def official(row: Official) -> dict:
    return {
        "id": row.id,
        "username": row.username,
        "name": row.name,
        "role": row.role,
        "union": union_ref(row.union),
        "active": row.active,
    }


def audit_entry(row: AuditEntry) -> dict:
    return {
        "id": row.id,
        "at": as_utc(row.at).isoformat(),
        "actor": row.actor,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "union_id": row.union_id,
        "ip": row.ip,
        "detail": row.detail,
    }
