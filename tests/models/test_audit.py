"""The audit log records views and changes, and cannot be changed itself."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from models import staff, workers
from models.audit import AppendOnly, AuditEntry
from models.errors import Forbidden
from models.officials import Role

from ..factories import make_official


def _new(demo):
    """Select the audit entries written from now on, not the demo's history (its officials handled cases)."""
    return select(AuditEntry).where(AuditEntry.id > demo.session.scalar(select(func.max(AuditEntry.id))))


def test_viewing_a_worker_leaves_an_entry(demo):
    worker = demo.worker("张伟")
    query = _new(demo)
    workers.view_worker(demo.session, demo.actor("kangcun"), worker.id)
    demo.session.commit()
    entry = demo.session.scalars(query).one()
    assert (entry.actor, entry.action, entry.object_type, entry.object_id, entry.ip) == (
        "kangcun",
        "view",
        "worker",
        str(worker.id),
        "127.0.0.1",
    )
    assert entry.official_id == demo.official("kangcun").id and entry.at is not None


def _one_entry(demo) -> AuditEntry:
    query = _new(demo)
    workers.view_worker(demo.session, demo.actor("kangcun"), demo.worker("张伟").id)
    demo.session.commit()
    return demo.session.scalars(query).one()


def test_entries_cannot_be_changed_or_deleted_through_the_orm(demo):
    entry = _one_entry(demo)
    entry.action = "nothing"
    with pytest.raises(AppendOnly):
        demo.session.commit()
    demo.session.rollback()
    demo.session.delete(entry)
    with pytest.raises(AppendOnly):
        demo.session.commit()


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"])
def test_entries_cannot_be_changed_or_deleted_in_sql(demo, statement):
    entry = _one_entry(demo)
    with pytest.raises(DBAPIError, match="append-only"):
        demo.session.execute(text(statement))
    demo.session.rollback()
    assert demo.session.scalars(select(AuditEntry.action).where(AuditEntry.id >= entry.id)).all() == ["view"]


def test_admins_read_the_entries_of_their_scope_only(demo):
    before = {e.id for e in staff.read_audit_log(demo.session, demo.actor("xinxiang-admin"))}
    workers.view_worker(demo.session, demo.actor("kangcun"), demo.worker("张伟").id)
    workers.view_worker(demo.session, demo.actor("xinyi-fy"), demo.worker("王芳").id)
    fengquan_admin = make_official(demo.session, demo.union("凤泉区总工会"), "fengquan-admin", Role.ADMIN)
    demo.session.commit()
    city = staff.read_audit_log(demo.session, demo.actor("xinxiang-admin"))
    assert {e.actor for e in city if e.id not in before} == {"kangcun", "xinyi-fy"}
    assert staff.read_audit_log(demo.session, demo.actor(fengquan_admin.username)) == []
    with pytest.raises(Forbidden):
        staff.read_audit_log(demo.session, demo.actor("kangcun"))
