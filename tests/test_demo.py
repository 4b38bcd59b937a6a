"""The demo data: the seeds' organisation, loaded once however often it is run."""

from __future__ import annotations

from sqlalchemy import func, select

from models import (
    Article,
    ClassQuota,
    Digest,
    Enrolment,
    Enterprise,
    GrievanceCase,
    Official,
    Program,
    Suggestion,
    Survey,
    Ticket,
    Topic,
    TopicOrder,
    TopicRequest,
    TradeUnion,
    TrainingClass,
    UnionKind,
    Worker,
)
from models.demo import load_demo

TABLES = [TradeUnion, Enterprise, Worker, Official, Program, Survey]
TABLES += [Topic, TrainingClass, ClassQuota, Enrolment, TopicOrder, TopicRequest, GrievanceCase]
TABLES += [Digest, Article, Suggestion, Ticket]


def _counts(session) -> tuple[int, ...]:
    return tuple(session.scalar(select(func.count()).select_from(t)) for t in TABLES)


def test_loading_twice_adds_nothing_the_second_time(session):
    first = load_demo(session)
    session.commit()
    counts = _counts(session)
    second = load_demo(session)
    session.commit()
    assert first.created == sum(counts) and second.created == 0 and _counts(session) == counts


def test_demo_holds_the_seeds_organisation(demo):
    huojia = demo.union("获嘉县总工会")
    assert len(huojia.children) == 11 and all(u.kind == UnionKind.TOWNSHIP for u in huojia.children)
    for name in ("凤泉区总工会", "新乡县总工会"):
        assert demo.union(name).parent.name == "新乡市总工会"
    assert demo.union("新乡市教育系统产业工会").industries == ["教育"]
    assert demo.union("新乡医学院第一附属医院工会").kind == UnionKind.ENTERPRISE


def test_there_is_a_login_for_every_level(session):
    logins = load_demo(session).logins
    session.commit()
    kinds = {session.scalars(select(TradeUnion.kind).where(TradeUnion.name == union)).one() for *_, union in logins}
    assert kinds == set(UnionKind)
