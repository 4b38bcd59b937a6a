"""Admins' management of officials' accounts, and reading the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from . import audit
from .access import Actor
from .audit import AuditEntry
from .errors import Conflict
from .officials import Official, Role


def list_officials(session: Session, actor: Actor) -> list[Official]:
    """List the officials of the unions in the admin's scope."""
    actor.require_admin()
    return list(session.scalars(select(Official).where(Official.union_id.in_(actor.union_ids)).order_by(Official.id)))


def add_official(
    session: Session, actor: Actor, *, username: str, password: str, name: str, role: Role, union_id: int
) -> Official:
    """Open an account for an official of a union in the admin's scope."""
    actor.require_admin()
    actor.require_union(session, union_id)
    if session.scalar(select(Official.id).where(Official.username == username.strip())) is not None:
        raise Conflict("用户名已被使用", field="username")
    official = Official(username=username.strip(), name=name, role=role, union_id=union_id)
    official.set_password(password)
    session.add(official)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="official",
        object_id=official.id,
        union_id=union_id,
        ip=actor.ip,
    )
    return official


def read_audit_log(
    session: Session,
    actor: Actor,
    *,
    limit: int = 200,
    before_id: int | None = None,
    offset: int = 0,
    official_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditEntry]:
    """Return the newest audit entries about the admin's scope, newest first, narrowed as asked (until excluded)."""
    actor.require_admin()
    query = select(AuditEntry).where(_about_scope(actor)).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    if official_id is not None:
        query = query.where(AuditEntry.official_id == official_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return list(session.scalars(query))


def audit_actions(session: Session, actor: Actor) -> list[str]:
    """List the actions the audit log of the admin's scope holds, to filter by."""
    actor.require_admin()
    query = select(AuditEntry.action).where(_about_scope(actor)).distinct().order_by(AuditEntry.action)
    return list(session.scalars(query))


def _about_scope(actor: Actor) -> ColumnElement[bool]:
    """Entries about a union in scope, or made by an official of one."""
    officials_in_scope = select(Official.id).where(Official.union_id.in_(actor.union_ids))
    return or_(AuditEntry.union_id.in_(actor.union_ids), AuditEntry.official_id.in_(officials_in_scope))
