"""Which union answers for a grievance: ordered rules, kept as data an admin can change, each with its reason."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import audit
from .access import Actor
from .base import Base
from .enterprises import Enterprise
from .errors import Forbidden, Invalid
from .unions import TradeUnion, UnionIndustry, UnionKind, ancestors, union_for_place

OWN_UNION, INDUSTRY_UNION, TOWNSHIP, COUNTY = "own_union", "industry_union", "township", "county"
RULE_LABELS = {
    OWN_UNION: "企业建有工会的，由企业工会受理",
    INDUSTRY_UNION: "由覆盖该行业的产业工会受理",
    TOWNSHIP: "由企业所在乡镇（街道）工会受理",
    COUNTY: "由企业所在县（市、区）总工会受理",
}
DEFAULT_ORDER = [OWN_UNION, INDUSTRY_UNION, TOWNSHIP, COUNTY]


class RoutingRule(Base):
    """One rule of grievance routing, in the order they are tried; the city union is always the last resort."""

    __tablename__ = "grievance_routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(unique=True)
    rule: Mapped[str] = mapped_column(String(20), unique=True)
    enabled: Mapped[bool] = mapped_column(default=True)


@dataclass(frozen=True)
class Route:
    """The union responsible for a case, the rule that chose it and why, in words."""

    union: TradeUnion
    rule: str
    reason: str


def active_rules(session: Session) -> list[str]:
    """Return the rules in force, in order (the defaults until an admin has set them)."""
    rows = session.scalars(select(RoutingRule).order_by(RoutingRule.position)).all()
    return [r.rule for r in rows if r.enabled] if rows else list(DEFAULT_ORDER)


def set_rules(session: Session, actor: Actor, order: list[str]) -> list[str]:
    """Replace the rules with these, in this order (those left out are off); for a top-level union's admin."""
    actor.require_admin()
    if session.get(TradeUnion, actor.official.union_id).parent_id is not None:
        raise Forbidden("只有最上级工会的管理员可以修改维权分派规则")
    if len(set(order)) != len(order) or not set(order) <= set(RULE_LABELS):
        raise Invalid(f"规则应为 {', '.join(RULE_LABELS)} 中互不重复的若干项", field="rules")
    rows = {r.rule: r for r in session.scalars(select(RoutingRule))}
    for row in rows.values():
        row.position = -row.id  # out of the way of the unique positions being written
    session.flush()
    for position, rule in enumerate([*order, *(r for r in RULE_LABELS if r not in order)], start=1):
        row = rows.get(rule) or RoutingRule(rule=rule)
        row.position, row.enabled = position, rule in order
        session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="update", object_type="routing_rules", rules=order)
    return active_rules(session)


def route(
    session: Session,
    *,
    enterprise: Enterprise | None = None,
    township: str | None = None,
    county: str | None = None,
    address: str | None = None,
    industry: str | None = None,
) -> Route:
    """Find the union responsible for a grievance against an employer (known, or by place and industry)."""
    if enterprise is not None:
        township, county, industry = enterprise.township, enterprise.county, enterprise.industry
    place = union_for_place(session, township=township, county=county, address=address)
    for rule in active_rules(session):
        found = _apply(session, rule, enterprise, place.union, industry)
        if found is not None:
            return found
    root = ([place.union, *ancestors(session, place.union.id)])[-1]
    return Route(root, "city", f"属地不明，由{root.name}受理")


def _apply(
    session: Session, rule: str, enterprise: Enterprise | None, local: TradeUnion, industry: str | None
) -> Route | None:
    if rule == OWN_UNION:
        if enterprise is not None and enterprise.union_id is not None:
            return Route(enterprise.union, rule, "企业建有工会")
        return None
    if rule == INDUSTRY_UNION:
        union = _industry_union(session, local, industry) if industry else None
        return Route(union, rule, f"行业：{industry}") if union is not None else None
    kind = {TOWNSHIP: UnionKind.TOWNSHIP, COUNTY: UnionKind.COUNTY}[rule]
    for union in [local, *ancestors(session, local.id)]:
        if union.kind == kind:
            return Route(union, rule, f"属地：{union.region or union.name}")
    return None


def _industry_union(session: Session, local: TradeUnion, industry: str) -> TradeUnion | None:
    """Return the industry union covering an industry, nearest to the employer's place (its county, then city)."""
    covering = (
        select(TradeUnion)
        .join(UnionIndustry)
        .where(TradeUnion.kind == UnionKind.INDUSTRY, UnionIndustry.industry == industry)
    )
    candidates = session.scalars(covering).all()
    for above in [local, *ancestors(session, local.id)]:
        for union in candidates:
            if union.parent_id == above.id:
                return union
    return None
