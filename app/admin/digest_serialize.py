"""The 手机报 as JSON for the admin API: issues, their sections and articles, workers' items."""

from __future__ import annotations

from models.base import as_utc
from models.digest_issues import issue_url, sections
from models.digest_suggestions import STATUS_LABELS as SUGGESTION_LABELS
from models.digests import PUBLISHED, SECTIONS, STATUS_LABELS, Article, Digest, Suggestion
from models.officials import Official
from models.pushes import PUSH_STATUS_LABELS, Push
from models.unions import TradeUnion
from models.workers import Worker

from .serialize import union_ref


def _at(moment) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()


def _official(row: Official | None) -> dict | None:
    return None if row is None else {"id": row.id, "name": row.name}


def digest(row: Digest, base_url: str, approver: Official | None = None) -> dict:
    """An issue in brief, with the address of its page once it is out."""
    return {
        "id": row.id,
        "union": union_ref(row.union),
        "number": row.number,
        "title": row.title,
        "issue_date": row.issue_date.isoformat(),
        "status": row.status,
        "status_label": STATUS_LABELS[row.status],
        "publish_at": _at(row.publish_at),
        "approved_by": _official(approver),
        "approved_at": _at(row.approved_at),
        "published_at": _at(row.published_at),
        "articles": len(row.articles),
        "push_id": row.push_id,
        "url": issue_url(base_url, row) if row.status == PUBLISHED else None,
        "created_at": _at(row.created_at),
    }


def article(row: Article) -> dict:
    return {
        "id": row.id,
        "section": row.section,
        "section_label": SECTIONS[row.section],
        "position": row.position,
        "anchor": f"{row.section}-{row.position}",
        "title": row.title,
        "summary": row.summary,
        "body": row.body,
        "cover_url": row.cover_url,
        "link": row.link,
        "suggestion_id": row.suggestion_id,
    }


def digest_detail(row: Digest, base_url: str, approver: Official | None, push: Push | None) -> dict:
    """An issue with its five sections in print order (empty ones too) and, once sent, its push's progress."""
    return {
        **digest(row, base_url, approver),
        "sections": [
            {"section": code, "label": label, "articles": [article(a) for a in rows]}
            for code, label, rows in sections(row)
        ],
        "push": None
        if push is None
        else {
            "id": push.id,
            "status": push.status,
            "status_label": PUSH_STATUS_LABELS.get(push.status, push.status),
            "recipients": push.recipients,
        },
    }


def suggestion(row: Suggestion, worker: Worker, union: TradeUnion, reviewer: Official | None) -> dict:
    """A worker's item with their name (no phone: the item is news, not a case)."""
    return {
        "id": row.id,
        "title": row.title,
        "body": row.body,
        "status": row.status,
        "status_label": SUGGESTION_LABELS[row.status],
        "worker": {"id": worker.id, "name": worker.name},
        "union": union_ref(union),
        "reviewed_by": _official(reviewer),
        "reviewed_at": _at(row.reviewed_at),
        "created_at": _at(row.created_at),
    }
