"""Enterprises (employers) and where they sit in the union organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import Base, utcnow
from .errors import Conflict, NotFound
from .unions import TradeUnion, places_in_address, union_for_place


class Enterprise(Base):
    """An employer: its place, industry, own union (if any) and local union."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str | None] = mapped_column(String(200))
    county: Mapped[str | None] = mapped_column(String(50))
    township: Mapped[str | None] = mapped_column(String(50))
    industry: Mapped[str | None] = mapped_column(String(30), index=True)
    # The enterprise's own union, where it has founded one.
    union_id: Mapped[int | None] = mapped_column(ForeignKey("unions.id"), index=True)
    # The union of the enterprise's place (township, else county, else city).
    local_union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    union: Mapped[TradeUnion | None] = relationship(foreign_keys=[union_id])
    local_union: Mapped[TradeUnion] = relationship(foreign_keys=[local_union_id])

    @property
    def scope_union_ids(self) -> set[int]:
        """Return the unions whose officials may see this enterprise."""
        return {i for i in (self.union_id, self.local_union_id) if i is not None}


def create_enterprise(
    session: Session,
    *,
    name: str,
    address: str | None = None,
    county: str | None = None,
    township: str | None = None,
    industry: str | None = None,
    union_id: int | None = None,
    local_union_id: int | None = None,
) -> Enterprise:
    """Record an enterprise and attach it to the union of its place (or to one given, for places outside the tree)."""
    name = name.strip()
    if session.scalar(select(Enterprise.id).where(Enterprise.name == name)) is not None:
        raise Conflict("该企业已存在", field="name")
    if union_id is not None and session.get(TradeUnion, union_id) is None:
        raise NotFound("未找到该企业工会")
    if address and not (county and township):
        found_county, found_township = places_in_address(session, address)
        county, township = county or found_county, township or found_township
    if local_union_id is None:
        local_union_id = union_for_place(session, township=township, county=county).union.id
    enterprise = Enterprise(
        name=name,
        address=address,
        county=county or None,
        township=township or None,
        industry=industry,
        union_id=union_id,
        local_union_id=local_union_id,
    )
    session.add(enterprise)
    session.flush()
    return enterprise


def find_enterprise(session: Session, name: str) -> Enterprise | None:
    """Return the enterprise with exactly this name, if known."""
    return session.scalar(select(Enterprise).where(Enterprise.name == name.strip()))
