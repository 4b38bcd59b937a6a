"""Officials' notices: what their union should act on (cases escalated to it, issues not sent)."""

from __future__ import annotations

from flask import g, request

from models import official_notices

from ..extensions import db
from . import blueprint
from .context import login_required


def _notice(notice) -> dict:
    return {
        "id": notice.id,
        "kind": notice.kind,
        "text": notice.text,
        "object_type": notice.object_type,
        "object_id": notice.object_id,
        "created_at": notice.created_at.isoformat(),
        "read_at": notice.read_at.isoformat() if notice.read_at else None,
    }


@blueprint.get("/notices")
@login_required
def list_notices():
    """The notices of the official's union, newest first (?unread=1 for the unread only)."""
    rows = official_notices.notices_for(db.session, g.actor, unread=request.args.get("unread") == "1")
    return {"notices": [_notice(n) for n in rows]}


@blueprint.post("/notices/<id:notice_id>/read")
@login_required
def read_notice(notice_id: int):
    """Mark a notice read for everyone in the union."""
    notice = official_notices.mark_read(db.session, g.actor, notice_id)
    db.session.commit()
    return _notice(notice)
