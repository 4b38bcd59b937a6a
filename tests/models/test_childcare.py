"""Childcare registrations: the rules, the waitlist in order, promotion on cancellation, no overbooking."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from models.base import utcnow
from models.childcare import CONFIRMED, WAITLISTED, CareSession, Program
from models.errors import Conflict, Forbidden, Invalid
from models.registrations import ChildInfo, cancel_registration, register_child, waitlist_position
from models.workers import Worker, create_worker

FENGQUAN = "凤泉区总工会2027年寒假职工子女爱心托管班"


def _session(demo, title: str = FENGQUAN, name: str = "第一期") -> CareSession:
    program = demo.session.scalars(select(Program).where(Program.title == title)).one()
    return next(s for s in program.sessions if s.name == name)


def _parent(demo, n: int) -> Worker:
    """A member of a union below 凤泉区总工会."""
    union = demo.union("凤泉区大块镇工会")
    worker = create_worker(
        demo.session, name=f"家长{n}", phone=f"1393731{n:04d}", union_id=union.id, member_since=date(2020, 1, 1)
    )
    demo.session.commit()
    return worker


def _register(demo, guardian: Worker, care: CareSession, child: str = "小明", born: date = date(2018, 5, 1)):
    return register_child(
        demo.session,
        guardian=guardian,
        session_id=care.id,
        child=ChildInfo(child, born, "男"),
        guardian_phone=guardian.phone,
        emergency_contact="奶奶 13937310000",
        consent=True,
    )


def test_registration_takes_a_place_then_the_waitlist_in_order(demo):
    care = _session(demo)
    care.capacity = 2
    demo.session.commit()
    regs = [_register(demo, _parent(demo, n), care) for n in range(4)]
    assert [r.status for r in regs] == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    assert [waitlist_position(demo.session, r) for r in regs] == [None, None, 1, 2]
    demo.session.refresh(care)
    assert (care.taken, care.places_left) == (2, 0)


def test_cancellation_promotes_the_first_child_waiting(demo):
    care = _session(demo)
    care.capacity = 1
    demo.session.commit()
    parents = [_parent(demo, n) for n in range(3)]
    first, second, third = (_register(demo, p, care) for p in parents)
    promoted = cancel_registration(demo.session, guardian=parents[0], registration_id=first.id)
    assert promoted.id == second.id and promoted.status == CONFIRMED
    assert waitlist_position(demo.session, third) == 1
    cancel_registration(demo.session, guardian=parents[2], registration_id=third.id)  # a waiting child leaves
    demo.session.refresh(care)
    assert care.taken == 1
    with pytest.raises(Conflict):
        cancel_registration(demo.session, guardian=parents[0], registration_id=first.id)


def test_age_is_checked_on_the_first_day(demo):
    with pytest.raises(Invalid, match="招收6至12岁"):
        _register(demo, _parent(demo, 1), _session(demo), born=date(2022, 3, 1))


def test_only_members_of_the_organising_union_tree(demo):
    outsider = demo.worker("张伟")  # a member in 获嘉县, not 凤泉区
    with pytest.raises(Forbidden, match="凤泉区总工会"):
        _register(demo, outsider, _session(demo))


def test_same_child_cannot_be_in_overlapping_sessions_or_twice(demo):
    parent = _parent(demo, 1)
    _register(demo, parent, _session(demo))
    with pytest.raises(Conflict):
        _register(demo, parent, _session(demo))
    overlapping = _session(demo, "新乡县总工会2027年寒假爱心托管（日托）", "寒假班")
    overlapping.program.members_only = False
    demo.session.commit()
    with pytest.raises(Conflict, match="时间重叠"):
        _register(demo, parent, overlapping)
    assert _register(demo, parent, _session(demo, name="第二期")).status == CONFIRMED  # a different fortnight


def test_registration_window_and_consent(demo):
    care = _session(demo)
    care.program.registration_closes = utcnow() - timedelta(days=1)
    demo.session.commit()
    with pytest.raises(Invalid, match="报名时间"):
        _register(demo, _parent(demo, 1), care)
    with pytest.raises(Invalid, match="监护人同意"):
        register_child(
            demo.session,
            guardian=_parent(demo, 2),
            session_id=care.id,
            child=ChildInfo("小红", date(2018, 1, 1), "女"),
            guardian_phone="13937310002",
            emergency_contact="爷爷",
            consent=False,
        )


def test_parallel_registrations_never_overbook(demo, make_app):
    care = _session(demo)
    care.capacity = 10
    demo.session.commit()
    parents = [_parent(demo, n) for n in range(40)]
    factory = make_app().extensions["gonghui.db"][1]
    outcomes, errors = [], []

    def register(parent_id: int) -> None:
        with factory() as session:
            try:
                guardian = session.get(Worker, parent_id)
                outcomes.append(
                    register_child(
                        session,
                        guardian=guardian,
                        session_id=care.id,
                        child=ChildInfo("小明", date(2018, 5, 1), "男"),
                        guardian_phone=guardian.phone,
                        emergency_contact="奶奶 13937310000",
                        consent=True,
                    ).status
                )
            except Exception as error:  # collected and asserted below
                errors.append(error)

    threads = [threading.Thread(target=register, args=(p.id,)) for p in parents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (outcomes.count(CONFIRMED), outcomes.count(WAITLISTED)) == (10, 30)
    demo.session.refresh(care)
    assert care.taken == 10


def test_a_worker_attached_to_a_union_but_not_a_member_is_refused(demo):
    attached = create_worker(
        demo.session, name="未入会", phone="13937319999", union_id=demo.union("凤泉区大块镇工会").id
    )
    demo.session.commit()
    with pytest.raises(Forbidden):
        _register(demo, attached, _session(demo))


def test_cancelling_a_child_promoted_meanwhile_frees_the_place(demo, make_app):
    care = _session(demo)
    care.capacity = 1
    demo.session.commit()
    first, second = _parent(demo, 1), _parent(demo, 2)
    confirmed, waiting = _register(demo, first, care), _register(demo, second, care)
    assert demo.session.get(type(waiting), waiting.id).status == WAITLISTED  # this session now holds it as waiting
    with make_app().extensions["gonghui.db"][1]() as other:
        cancel_registration(other, guardian=other.get(Worker, first.id), registration_id=confirmed.id)
    cancel_registration(demo.session, guardian=second, registration_id=waiting.id)  # read as waiting, now confirmed
    demo.session.refresh(care)
    assert care.taken == 0


def test_a_registration_window_in_china_time_is_kept_to_the_minute(demo):
    program = _session(demo).program
    opens = datetime(2026, 11, 16, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    program.registration_opens = opens
    demo.session.commit()
    demo.session.expire_all()
    assert demo.session.get(Program, program.id).registration_opens == opens  # the same instant, not 8 hours off
