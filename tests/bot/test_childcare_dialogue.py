"""Signing a child up for childcare in the chat, with the demo programs of the seeds."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models.childcare import CONFIRMED, WAITLISTED, Program, Registration
from models.workers import Worker as WorkerRow
from models.workers import create_worker

from .conftest import Worker

HOSPITAL = "新医一附院2027年寒假职工子女托管班"


def _parent_of_the_hospital(demo, store, openid: str) -> Worker:
    union = demo.union("新乡医学院第一附属医院工会")
    create_worker(demo.session, name="职工", openid=openid, union_id=union.id, member_since=date(2019, 1, 1))
    demo.session.commit()
    return Worker(demo.session, store, openid)


def _theirs(worker: Worker):
    """Select the registrations of the worker's children (the demo's parents have theirs)."""
    return (
        select(Registration)
        .join(WorkerRow, WorkerRow.id == Registration.guardian_id)
        .where(WorkerRow.openid == worker.openid)
    )


def _sign_up(worker: Worker, child: str = "李小雨") -> list[str]:
    answers = ["日托", "新医一附院", child, "2016年9月3日", "女", "13837310003", "外婆 13937310033", "花生过敏"]
    return [worker.says(a) for a in ["我想给孩子报个寒假托管", *answers]]


def test_register_a_child_from_the_chat(demo, store):
    worker = _parent_of_the_hospital(demo, store, "o-nurse")
    replies = _sign_up(worker)
    assert "想报哪种托管" in replies[0] and "新医一附院2027年寒假职工子女托管班·寒假班" in replies[1]
    assert "同意工会为托管服务收集和使用孩子" in replies[-1] and "花生过敏" in replies[-1]
    assert "报名成功！李小雨" in worker.says("确认")
    registration = demo.session.scalars(_theirs(worker)).one()
    assert (registration.status, registration.child.name, registration.child.health_notes) == (
        CONFIRMED,
        "李小雨",
        "花生过敏",
    )


def test_a_too_young_child_is_asked_again_at_the_birth_date(demo, store):
    worker = _parent_of_the_hospital(demo, store, "o-nurse")
    for answer in ["托管报名", "1", "新医一附院", "李小宝"]:
        worker.says(answer)
    reply = worker.says("2023-03-01")
    assert "这个班招收6至14岁" in reply and "出生日期" in reply


def test_a_full_session_puts_the_child_on_the_waitlist(demo, store):
    program = demo.session.scalars(select(Program).where(Program.title == HOSPITAL)).one()
    care = program.sessions[0]
    care.capacity = care.taken  # full with the demo's children
    demo.session.commit()
    worker = _parent_of_the_hospital(demo, store, "o-nurse")
    replies = _sign_up(worker)
    assert "已满，可排候补" in replies[1]
    assert "已进入候补第1位" in worker.says("1")
    assert demo.session.scalars(_theirs(worker)).one().status == WAITLISTED


def test_members_of_other_unions_are_refused_clearly(worker):
    for answer in [
        "托管报名",
        "日托",
        "新医一附院",
        "孙小强",
        "2016年1月1日",
        "男",
        "13837310008",
        "妈妈 13937310008",
        "无",
    ]:
        worker.says(answer)
    assert "报名没有成功：该托管班仅面向新乡医学院第一附属医院工会" in worker.says("确认")


def test_childcare_info_lists_what_is_open(worker):
    reply = worker.says("寒假托管都有哪些班，收费吗")
    assert "正在报名的托管班" in reply and "凤泉区总工会2027年寒假职工子女爱心托管班" in reply
