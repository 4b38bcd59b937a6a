"""Ways to find demo rows by name and to make new rows in tests."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.access import Actor
from models.enterprises import Enterprise
from models.officials import Official, Role
from models.unions import TradeUnion
from models.workers import Worker


class Demo:
    """Look up the demo data by the names the seeds use."""

    def __init__(self, session: Session):
        self.session = session

    def union(self, name: str) -> TradeUnion:
        return self.session.scalars(select(TradeUnion).where(TradeUnion.name == name)).one()

    def enterprise(self, name: str) -> Enterprise:
        return self.session.scalars(select(Enterprise).where(Enterprise.name == name)).one()

    def worker(self, name: str) -> Worker:
        return self.session.scalars(select(Worker).where(Worker.name == name)).one()

    def official(self, username: str) -> Official:
        return self.session.scalars(select(Official).where(Official.username == username)).one()

    def actor(self, username: str) -> Actor:
        return Actor.of(self.session, self.official(username), ip="127.0.0.1")


def make_official(session: Session, union: TradeUnion, username: str, role: Role = Role.OFFICIAL) -> Official:
    """Add an official with the password 'correct-horse-9'."""
    official = Official(username=username, name=username, role=role, union_id=union.id)
    official.set_password("correct-horse-9")
    session.add(official)
    session.flush()
    return official
