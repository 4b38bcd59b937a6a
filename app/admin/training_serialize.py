"""Menu-style training as JSON for the admin API: topics, orders, demand, classes, quotas, enrolments, ratings."""

from __future__ import annotations

from models.base import as_utc
from models.training import CANCELLED, CONFIRMED, STATUS_LABELS, WAITLISTED, ClassQuota, Enrolment, Topic, TopicOrder
from models.training import TrainingClass as Class
from models.training_classes import Ratings
from models.training_menu import DemandRow

from .serialize import union_ref


def _ref(row) -> dict | None:
    return None if row is None else {"id": row.id, "name": row.name}


def _at(moment) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()


def topic(row: Topic) -> dict:
    return {
        "id": row.id,
        "union": union_ref(row.union),
        "title": row.title,
        "industry": row.industry,
        "description": row.description,
        "experts": row.experts,
        "days": row.days,
        "hours": row.hours,
        "audience": row.audience,
        "active": row.active,
        "created_at": _at(row.created_at),
    }


def order(row: TopicOrder) -> dict:
    return {
        "id": row.id,
        "topic": {"id": row.topic.id, "title": row.topic.title},
        "enterprise": _ref(row.enterprise),
        "headcount": row.headcount,
        "note": row.note,
        "created_at": _at(row.created_at),
    }


def demand_row(row: DemandRow) -> dict:
    return {
        "title": row.title,
        "topic_id": row.topic.id if row.topic else None,
        "worker_orders": row.worker_orders,
        "enterprise_orders": row.enterprise_orders,
        "enterprise_headcount": row.enterprise_headcount,
        "survey_votes": row.survey_votes,
        "requests": row.requests,
        "total": row.total,
        "industries": row.industries,
    }


def class_ref(row: Class) -> dict:
    """A class in brief: what, when, where, whether it still takes place."""
    return {
        "id": row.id,
        "title": row.title,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "place": row.place,
        "registration_closes": _at(row.registration_closes),
        "cancelled": row.cancelled_at is not None,
    }


def training_class(row: Class, counts: dict | None = None) -> dict:
    counts = counts or {}
    return {
        **class_ref(row),
        "topic": {"id": row.topic.id, "title": row.topic.title, "industry": row.topic.industry},
        "union": union_ref(row.union),
        "experts": row.experts,
        "hours": row.hours,
        "capacity": row.capacity,
        "quota_seats": row.quota_seats,
        "open_seats": row.open_seats,
        "open_taken": row.open_taken,
        "open_left": row.open_left,
        "cancelled_at": _at(row.cancelled_at),
        "counts": {key: counts.get(key, 0) for key in (CONFIRMED, WAITLISTED, CANCELLED, "checked_in")},
    }


def class_detail(row: Class, counts: dict | None, *, code: bool) -> dict:
    """A class with its quotas; the check-in code only for those who may run the class."""
    return {
        **training_class(row, counts),
        "quotas": [
            {"enterprise": _ref(q.enterprise), "seats": q.seats, "used": q.used, "left": q.left} for q in row.quotas
        ],
        "checkin_code": row.checkin_code if code else None,
    }


def quota(row: ClassQuota) -> dict:
    places = row.training_class
    return {
        "id": row.id,
        "class": {**class_ref(places), "capacity": places.capacity, "open_left": places.open_left},
        "enterprise": _ref(row.enterprise),
        "seats": row.seats,
        "used": row.used,
        "left": row.left,
    }


def enrolment(row: Enrolment) -> dict:
    """An enrolment with the worker's phone masked (the full list is the audited roster)."""
    return {
        "id": row.id,
        "class_id": row.class_id,
        "worker": {"id": row.worker.id, "name": row.worker.name, "phone": row.worker.masked_phone},
        "enterprise": _ref(row.enterprise),
        "role": row.role,
        "status": row.status,
        "status_label": STATUS_LABELS[row.status],
        "checked_in_at": _at(row.checked_in_at),
        "certificate_no": row.certificate_no,
    }


def ratings(found: Ratings) -> dict:
    """What attendees thought of a class; the comments carry no names."""
    return {
        "class": class_ref(found.training_class),
        "attendees": found.attendees,
        "rated": found.rated,
        "average": found.average,
        "distribution": [{"score": score, "count": n} for score, n in sorted(found.distribution.items())],
        "comments": [{"rating": score, "comment": text} for score, text in found.comments],
    }
