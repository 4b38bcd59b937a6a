"""Workers in the official's scope; a full record is an audited view."""

from __future__ import annotations

from flask import g, request

from models import workers

from ..extensions import db
from . import blueprint, serialize
from .context import login_required, payload
from .schemas import WorkerIn


@blueprint.get("/workers")
@login_required
def list_workers():
    """List workers in scope with masked phones; ?phone= finds one by number."""
    rows = workers.list_workers(db.session, g.actor, phone=request.args.get("phone") or None)
    return {"workers": [serialize.worker(w) for w in rows]}


@blueprint.get("/workers/<id:worker_id>")
@login_required
def get_worker(worker_id: int):
    """Show a worker's full record (audited)."""
    worker = workers.view_worker(db.session, g.actor, worker_id)
    db.session.commit()
    return serialize.worker(worker, full=True)


@blueprint.post("/workers")
@login_required
def create_worker():
    """Register a worker in scope."""
    worker = workers.add_worker(db.session, g.actor, **payload(WorkerIn).model_dump())
    db.session.commit()
    return serialize.worker(worker), 201
