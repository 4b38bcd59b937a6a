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


def test_a_worker_is_offered_only_the_sessions_of_their_own_unions(demo, store, worker):
    liu_yang = Worker(demo.session, store, "oDemo-liuyang")  # a member in 新乡县 (七里营镇, 华兴食品)
    kinds = liu_yang.says("托管报名")
    assert "1. 日托" in kinds and "2. 周托" in kinds and "3. 幼托" in kinds
    offered = liu_yang.says("日托")
    assert "新乡县总工会2027年寒假爱心托管（日托）" in offered
    assert "新医一附院" not in offered and "凤泉区" not in offered  # the hospital's staff and 凤泉区's members only
    # 孙强 of 获嘉县 is no member yet: told at once, not after eight questions.
    refused = worker.says("托管报名")
    assert "只面向举办工会及下属工会的会员" in refused and "我要入会" in refused
    assert worker.store.load("oDemo-sunqiang") is None


def test_a_forged_choice_is_still_refused_at_the_end(demo, worker):
    hospital = demo.union("新乡医学院第一附属医院工会")
    sun_qiang = demo.worker("孙强")
    sun_qiang.union_id, sun_qiang.member_since = hospital.id, date(2020, 1, 1)  # a member while he starts…
    demo.session.commit()
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
    sun_qiang.union_id = demo.union("获嘉县亢村镇工会").id  # …and moved to another union before he confirms
    demo.session.commit()
    assert "报名没有成功：该托管班仅面向新乡医学院第一附属医院工会" in worker.says("确认")


def test_childcare_info_lists_what_is_open(worker):
    reply = worker.says("寒假托管都有哪些班，收费吗")
    assert "正在报名的托管班" in reply and "凤泉区总工会2027年寒假职工子女爱心托管班" in reply
