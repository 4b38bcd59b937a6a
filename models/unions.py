"""The union organisation: a tree from the city union down to enterprise unions."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import Base, utcnow
from .errors import NotFound


class UnionKind(enum.StrEnum):
    """Where a union sits in the organisation."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    INDUSTRY = "industry"
    ENTERPRISE = "enterprise"


KIND_LABELS = {
    UnionKind.PROVINCE: "省总工会",
    UnionKind.CITY: "市总工会",
    UnionKind.COUNTY: "县（市、区）总工会",
    UnionKind.TOWNSHIP: "乡镇（街道）工会",
    UnionKind.INDUSTRY: "产业工会",
    UnionKind.ENTERPRISE: "企业工会",
}


class TradeUnion(Base):
    """A union: its place in the tree, the region it serves and how to reach it."""

    __tablename__ = "unions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[UnionKind] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unions.id"), index=True)
    # The place the union serves: 新乡市, 获嘉县, 亢村镇 (empty for industry unions).
    region: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[TradeUnion | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[TradeUnion]] = relationship(back_populates="parent", order_by="TradeUnion.id")
    industry_rows: Mapped[list[UnionIndustry]] = relationship(
        cascade="all, delete-orphan", order_by="UnionIndustry.industry"
    )

    @property
    def industries(self) -> list[str]:
        """Return the industries this union covers."""
        return [row.industry for row in self.industry_rows]

    @industries.setter
    def industries(self, names: list[str]) -> None:
        self.industry_rows = [UnionIndustry(industry=name) for name in dict.fromkeys(names)]

    def __repr__(self) -> str:
        return f"<TradeUnion {self.id} {self.name}>"


class UnionIndustry(Base):
    """An industry an (industry) union covers, e.g. 教育."""

    __tablename__ = "union_industries"
    __table_args__ = (UniqueConstraint("union_id", "industry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id", ondelete="CASCADE"), index=True)
    industry: Mapped[str] = mapped_column(String(30), index=True)


def get_union(session: Session, union_id: int) -> TradeUnion:
    """Return a union or raise NotFound."""
    union = session.get(TradeUnion, union_id)
    if union is None:
        raise NotFound("未找到该工会")
    return union


def subtree_ids(session: Session, union_id: int) -> set[int]:
    """Return the ids of a union and of every union below it."""
    tree = select(TradeUnion.id).where(TradeUnion.id == union_id).cte("tree", recursive=True)
    tree = tree.union_all(select(TradeUnion.id).where(TradeUnion.parent_id == tree.c.id))
    return set(session.scalars(select(tree.c.id)))


def subtree(session: Session, union_id: int) -> list[TradeUnion]:
    """Return a union and every union below it, ordered by id."""
    ids = subtree_ids(session, union_id)
    return list(session.scalars(select(TradeUnion).where(TradeUnion.id.in_(ids)).order_by(TradeUnion.id)))


def ancestors(session: Session, union_id: int) -> list[TradeUnion]:
    """Return the chain of unions above a union, nearest first, ending at the root."""
    chain: list[TradeUnion] = []
    union = get_union(session, union_id).parent
    while union is not None:
        chain.append(union)
        union = union.parent
    return chain


SUFFIXES = ("街道", "镇", "乡", "县", "区", "市")


def _stem(place: str) -> str:
    """Strip the administrative suffix so that 亢村 matches 亢村镇."""
    place = place.strip()
    for suffix in SUFFIXES:
        if place.endswith(suffix) and len(place) > len(suffix) + 1:
            return place[: -len(suffix)]
    return place


@dataclass(frozen=True)
class PlaceMatch:
    """The union responsible for a place, and why, in words."""

    union: TradeUnion
    reason: str


def _by_region(session: Session, kind: UnionKind, place: str) -> list[TradeUnion]:
    rows = session.scalars(select(TradeUnion).where(TradeUnion.kind == kind, TradeUnion.region.is_not(None)))
    return [u for u in rows if u.region == place.strip() or _stem(u.region) == _stem(place)]


def places_in_address(session: Session, address: str) -> tuple[str | None, str | None]:
    """Find the county and the township named in a free-text address."""
    county = township = None
    for union in session.scalars(select(TradeUnion).where(TradeUnion.region.is_not(None))):
        if union.region not in address:
            continue
        if union.kind == UnionKind.TOWNSHIP:
            township = union.region
        elif union.kind == UnionKind.COUNTY:
            county = union.region
    return county, township


def union_for_place(
    session: Session,
    *,
    township: str | None = None,
    county: str | None = None,
    address: str | None = None,
) -> PlaceMatch:
    """Return the township union of a place, else its county union, else the city union."""
    if address and not (township and county):
        found_county, found_township = places_in_address(session, address)
        county, township = county or found_county, township or found_township
    county_union = None
    if county:
        counties = _by_region(session, UnionKind.COUNTY, county)
        county_union = counties[0] if len(counties) == 1 else None
    if township:
        candidates = _by_region(session, UnionKind.TOWNSHIP, township)
        if county_union is not None:
            inside = subtree_ids(session, county_union.id)
            candidates = [u for u in candidates if u.id in inside]
        if len(candidates) == 1:
            return PlaceMatch(candidates[0], f"属地：{candidates[0].region}")
    if county_union is not None:
        return PlaceMatch(county_union, f"属地：{county_union.region}")
    root = session.scalars(select(TradeUnion).where(TradeUnion.parent_id.is_(None)).order_by(TradeUnion.id)).first()
    if root is None:
        raise NotFound("尚未建立工会组织")
    return PlaceMatch(root, "属地不明，由上级工会受理")
