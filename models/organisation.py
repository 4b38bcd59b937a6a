"""Officials' operations on the union tree and on enterprises, within their scope."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import audit
from .access import Actor
from .enterprises import Enterprise, create_enterprise
from .errors import Conflict, Invalid, NotFound
from .unions import TradeUnion, UnionKind, ancestors


def list_unions(session: Session, actor: Actor) -> list[TradeUnion]:
    """List the official's union and every union below it."""
    return list(session.scalars(select(TradeUnion).where(TradeUnion.id.in_(actor.union_ids)).order_by(TradeUnion.id)))


def view_union(session: Session, actor: Actor, union_id: int) -> tuple[TradeUnion, list[TradeUnion]]:
    """Return a union in scope with its chain of unions above."""
    union = actor.require_union(session, union_id)
    return union, ancestors(session, union.id)


# A union may sit only below these kinds of parent.
ALLOWED_PARENTS = {
    UnionKind.CITY: {UnionKind.PROVINCE},
    UnionKind.COUNTY: {UnionKind.CITY},
    UnionKind.TOWNSHIP: {UnionKind.COUNTY},
    UnionKind.INDUSTRY: {UnionKind.PROVINCE, UnionKind.CITY, UnionKind.COUNTY},
    UnionKind.ENTERPRISE: {
        UnionKind.PROVINCE,
        UnionKind.CITY,
        UnionKind.COUNTY,
        UnionKind.TOWNSHIP,
        UnionKind.INDUSTRY,
    },
}


def add_union(
    session: Session,
    actor: Actor,
    *,
    parent_id: int,
    name: str,
    kind: UnionKind,
    region: str | None = None,
    industries: list[str] | None = None,
    phone: str | None = None,
    address: str | None = None,
) -> TradeUnion:
    """Found a union below one in the admin's scope."""
    actor.require_admin()
    parent = actor.require_union(session, parent_id)
    if parent.kind not in ALLOWED_PARENTS.get(kind, set()):
        raise Invalid("该类型的工会不能设在所选上级工会之下", field="parent_id")
    if session.scalar(select(TradeUnion.id).where(TradeUnion.name == name.strip())) is not None:
        raise Conflict("已有同名工会", field="name")
    if region and kind in (UnionKind.COUNTY, UnionKind.TOWNSHIP):
        twin = select(TradeUnion.id).where(
            TradeUnion.parent_id == parent.id, TradeUnion.kind == kind, TradeUnion.region == region.strip()
        )
        if session.scalar(twin) is not None:
            raise Conflict("该地区已有同级工会", field="region")
    union = TradeUnion(name=name.strip(), kind=kind, parent_id=parent.id, region=region, phone=phone, address=address)
    union.industries = industries or []
    session.add(union)
    session.flush()
    audit.record(
        session, actor=actor, action="create", object_type="union", object_id=union.id, union_id=parent.id, ip=actor.ip
    )
    return union


def _enterprises_in_scope(actor: Actor):
    return or_(Enterprise.union_id.in_(actor.union_ids), Enterprise.local_union_id.in_(actor.union_ids))


def list_enterprises(session: Session, actor: Actor) -> list[Enterprise]:
    """List the enterprises whose own or local union is in scope."""
    return list(session.scalars(select(Enterprise).where(_enterprises_in_scope(actor)).order_by(Enterprise.id)))


def view_enterprise(session: Session, actor: Actor, enterprise_id: int) -> Enterprise:
    """Return an enterprise in scope."""
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None or not actor.sees(*enterprise.scope_union_ids):
        raise NotFound("未找到该企业")
    return enterprise


def add_enterprise(session: Session, actor: Actor, **values) -> Enterprise:
    """Record an enterprise whose place (or own union) is in the official's scope."""
    actor.require_write()
    if values.get("union_id") is not None:
        actor.require_union(session, values["union_id"])
    enterprise = create_enterprise(session, **values)
    actor.require_sees(*enterprise.scope_union_ids, what="属地工会")
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="enterprise",
        object_id=enterprise.id,
        union_id=enterprise.local_union_id,
        ip=actor.ip,
    )
    return enterprise
