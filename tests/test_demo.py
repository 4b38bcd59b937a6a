"""The demo data: the seeds' organisation, loaded once however often it is run."""

from __future__ import annotations

from sqlalchemy import func, select

from models import (
    Article,
    ClassQuota,
    Delivery,
    Digest,
    Enrolment,
    Enterprise,
    GrievanceCase,
    Official,
    Program,
    Push,
    Registration,
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
    dashboard,
)
from models.base import LOCAL_TZ, as_utc
from models.childcare import CONFIRMED, WAITLISTED, CareSession
from models.demo import load_demo
from models.grievance_deadlines import ACCEPT, due
from models.grievances import RECEIVED
from models.notifications import Notification
from models.push_ledger import progress
from models.pushes import DONE, FAILED, INBOX, PENDING, SENT, SKIPPED

TABLES = [TradeUnion, Enterprise, Worker, Official, Program, Survey]
TABLES += [Topic, TrainingClass, ClassQuota, Enrolment, TopicOrder, TopicRequest, GrievanceCase]
TABLES += [Digest, Article, Suggestion, Ticket, Registration, Push, Delivery]


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


def test_a_new_user_finds_the_dashboard_filled(demo):
    """Children registered, a full session, a case overdue, the last 手机报 and broadcasts sent: nothing empty."""
    session, city = demo.session, demo.actor("xinxiang-admin")
    care = dashboard.care(session, city)
    assert care.year == 2027 and all(row[CONFIRMED] for row in care.by_kind.values())  # 日托, 周托 and 幼托
    for care_session in session.scalars(select(CareSession)):  # the places taken are the children confirmed
        assert care_session.taken == _registered(session, care_session, CONFIRMED) <= care_session.capacity
    full = [s for s in session.scalars(select(CareSession)) if s.taken == s.capacity]
    assert [(s.program.kind_label, _registered(session, s, WAITLISTED)) for s in full] == [("周托", 2)]

    [(late, days)] = dashboard.grievances(session, demo.actor("kangcun")).overdue
    assert (late.status, late.union.name, late.worker.name) == (RECEIVED, "获嘉县亢村镇工会", "孙强") and days >= 1
    assert as_utc(late.deadline_at) == due(session, ACCEPT, as_utc(late.created_at))  # as file_case set it then
    for case in session.scalars(select(GrievanceCase)):  # numbered on the day it came in, as its worker was told
        received = as_utc(case.created_at).astimezone(LOCAL_TZ)
        assert case.number == f"WQ{received:%Y%m%d}{case.id:04d}"
        told = select(Notification).where(Notification.dedup_key.like(f"grievance-%:{case.id}:%"))
        assert all(
            case.number in n.body and n.data["character_string1"]["value"] == case.number for n in session.scalars(told)
        )

    issue, reach = dashboard.last_digest(session, city)
    assert issue.number == 31 and reach.counts[SENT] and (reach.counts[FAILED], reach.counts[PENDING]) == (0, 0)
    report = progress(session, issue.push_id)
    assert report["status"] == DONE and report["skipped"] == {"43101 未授权订阅消息": reach.counts[SKIPPED]}
    inbox = select(func.count()).where(Delivery.push_id == issue.push_id, Delivery.channel == INBOX)
    notes = select(func.count()).where(Notification.dedup_key.startswith(f"push:{issue.push_id}:"))
    assert session.scalar(notes) == session.scalar(inbox) > 0  # the inbox was filled with the ledger

    broadcasts = dashboard.recent_broadcasts(session, demo.actor("huojia"))
    assert len(broadcasts) == 2 and all(0 < b.counts[SENT] == b.recipients for b in broadcasts)


def _registered(session, care_session: CareSession, status: str) -> int:
    query = select(func.count()).where(Registration.session_id == care_session.id, Registration.status == status)
    return session.scalar(query)
