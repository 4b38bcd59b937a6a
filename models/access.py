"""Who is acting, what they may see (their union and the unions below it) and do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from .errors import Forbidden, NotFound
from .officials import Official, Role
from .unions import TradeUnion, subtree_ids


@dataclass(frozen=True)
class Actor:
    """An official acting from an address, with the set of unions in their scope."""

    official: Official
    union_ids: frozenset[int]
    ip: str | None = None

    @classmethod
    def of(cls, session: Session, official: Official, ip: str | None = None) -> Actor:
        """Build the actor for an official, computing their scope once."""
        return cls(official, frozenset(subtree_ids(session, official.union_id)), ip)

    @property
    def id(self) -> int:
        return self.official.id

    @property
    def username(self) -> str:
        return self.official.username

    def sees(self, *union_ids: int | None) -> bool:
        """Tell whether any of these unions is in scope."""
        return any(union_id in self.union_ids for union_id in union_ids if union_id is not None)

    def require_sees(self, *union_ids: int | None, what: str = "记录") -> None:
        """Raise NotFound (not Forbidden: the record's existence is not revealed) when out of scope."""
        if not self.sees(*union_ids):
            raise NotFound(f"未找到该{what}")

    def require_union(self, session: Session, union_id: int) -> TradeUnion:
        """Return a union within scope or raise NotFound."""
        union = session.get(TradeUnion, union_id)
        if union is None or union.id not in self.union_ids:
            raise NotFound("未找到该工会")
        return union

    def require_write(self) -> None:
        """Refuse viewers."""
        if self.official.role not in (Role.ADMIN, Role.OFFICIAL):
            raise Forbidden("只读账号不能修改数据")

    def require_admin(self) -> None:
        """Refuse anyone but admins."""
        if self.official.role != Role.ADMIN:
            raise Forbidden("仅管理员可以执行此操作")
