"""Pushes in the domain: messages and audiences, scope, the ledger listed once, leases, quotas, progress."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select, update

from models import push_delivery as ledger
from models.base import utcnow
from models.childcare import CONFIRMED, Program, Registration
from models.errors import Conflict, Forbidden, Invalid, NotFound
from models.notifications import Notification
from models.push_audience import NEWS_TEMPLATE
from models.push_ledger import (
    begin_due,
    cancel_push,
    create_push,
    finish_if_done,
    progress,
    schedule_push,
    start_push,
)
from models.pushes import (
    CANCELLED,
    DONE,
    EXPANDING,
    INBOX,
    MASS,
    SCHEDULED,
    SENDING,
    SENT,
    SUBSCRIBE,
    Delivery,
    MassQuota,
    Push,
    WorkerTag,
)
from models.registrations import ChildInfo, register_child
from models.training import TrainingClass
from models.training_enrolments import enrol
from models.unions import subtree_ids
from models.workers import Worker, create_worker
from tests.pushing import add_workers, rows

TEXT = {"type": "text", "text": "本周六上午在工人文化宫举办职工义诊，欢迎参加。"}
ARTICLE = {
    "type": "article",
    "title": "新乡工会手机报 第32期",
    "description": "工会要闻、县区动态、维权服务",
    "url": "https://gonghui.example.cn/digest/32",
    "picurl": "https://gonghui.example.cn/static/cover32.jpg",
}


def _push(session, actor, audience=None, message=TEXT, **extra):
    push = create_push(
        session,
        actor,
        kind="broadcast",
        title="职工义诊",
        message=message,
        audience={"everyone": True} if audience is None else audience,
    )
    session.commit()
    return push


def _expanded(session, push) -> list[Delivery]:
    start_push(session, push.id)
    session.commit()
    assert begin_due(session) == [push.id]
    ledger.expand(session, push.id)
    return rows(session, push.id)


def _in_scope(session, union_id: int, root: bool = False) -> set[int]:
    scope = subtree_ids(session, union_id)
    workers = session.scalars(select(Worker)).all()
    return {
        w.id for w in workers if w.scope_union_ids & scope or (root and w.union_id is None and w.employer_id is None)
    }


@pytest.mark.parametrize("username", ["kangcun", "huojia", "jiaoyu", "xinxiang-admin"])
def test_everyone_means_everyone_in_the_officials_scope(demo, username):
    actor = demo.actor(username)
    create_worker(demo.session, name="刚关注的职工", openid="o-new")  # nobody placed them yet: only the roots
    push = _push(demo.session, actor)
    listed = {row.worker_id for row in _expanded(demo.session, push)}
    expected = _in_scope(demo.session, actor.official.union_id, root=username == "xinxiang-admin")
    assert listed == expected and listed
    assert (demo.worker("刚关注的职工").id in listed) == (username == "xinxiang-admin")


def test_an_official_cannot_aim_beyond_their_scope(demo):
    kangcun = demo.actor("kangcun")
    outside = {
        "unions": [demo.union("新乡市总工会").id],
        "enterprise_ids": [demo.enterprise("新乡市第一中学").id],
    }
    for key, value in outside.items():
        with pytest.raises(NotFound):
            _push(demo.session, kangcun, {key: value})
    hospital = demo.session.scalars(
        select(Program).where(Program.union_id == demo.union("新乡医学院第一附属医院工会").id)
    )
    with pytest.raises(NotFound):
        _push(demo.session, kangcun, {"care_session_id": hospital.first().sessions[0].id})
    with pytest.raises(Forbidden):
        _push(demo.session, demo.actor("xinxiang-viewer"))


def test_criteria_narrow_each_other_and_values_add_up(demo):
    actor = demo.actor("huojia")
    for name, tag in (("张伟", "群监员"), ("李娜", "群监员"), ("孙强", "困难职工")):
        demo.session.add(WorkerTag(worker_id=demo.worker(name).id, tag=tag))
    demo.session.commit()
    both = _push(demo.session, actor, {"tags": ["群监员", "困难职工"]})
    assert {r.worker.name for r in _expanded(demo.session, both)} == {"张伟", "李娜", "孙强"}
    machinery = demo.enterprise("获嘉县恒达机械有限公司")
    narrowed = _push(demo.session, actor, {"tags": ["群监员"], "industries": [machinery.industry]})
    assert {r.worker.name for r in _expanded(demo.session, narrowed)} == {"张伟"}
    firm = _push(demo.session, actor, {"enterprise_ids": [machinery.id]})
    assert {r.worker.name for r in _expanded(demo.session, firm)} == {"张伟", "孙强"}


def test_parents_of_a_session_and_attendees_of_a_class(demo):
    hospital = demo.union("新乡医学院第一附属医院工会")
    care = demo.session.scalars(select(Program).where(Program.union_id == hospital.id)).first().sessions[0]
    parents = add_workers(demo.session, hospital, "家长", 2)
    register_child(
        demo.session,
        guardian=parents[0],
        session_id=care.id,
        child=ChildInfo("李小雨", date(2016, 9, 3), "女"),
        guardian_phone="13837310003",
        emergency_contact="外婆 13937310033",
        consent=True,
    )
    demo.session.commit()
    push = _push(demo.session, demo.actor("xinyi-fy"), {"care_session_id": care.id})
    listed = {r.worker_id for r in _expanded(demo.session, push)}
    placed = select(Registration.guardian_id).where(
        Registration.session_id == care.id, Registration.status == CONFIRMED
    )
    assert listed == set(demo.session.scalars(placed))  # the demo's parents too
    assert parents[0].id in listed and parents[1].id not in listed

    training = demo.session.scalars(select(TrainingClass).where(TrainingClass.title.like("应急救护%"))).one()
    enrol(demo.session, worker=demo.worker("张伟"), class_id=training.id)
    demo.session.commit()
    push = _push(demo.session, demo.actor("xinxiang-admin"), {"training_class_id": training.id})
    assert [r.worker.name for r in _expanded(demo.session, push)] == ["张伟"]
    # The class belongs to the city union: a township official cannot aim at it.
    with pytest.raises(NotFound):
        _push(demo.session, demo.actor("kangcun"), {"training_class_id": training.id})


@pytest.mark.parametrize(
    ("message", "audience"),
    [
        ({"type": "voice"}, {"everyone": True}),
        ({"type": "text", "text": ""}, {"everyone": True}),
        ({"type": "article", "title": "标题", "url": "javascript:alert(1)"}, {"everyone": True}),
        ({"type": "template", "template_id": "TPL", "data": {}}, {"everyone": True}),
        ({"type": "text", "text": "你好", "extra": 1}, {"everyone": True}),
        (TEXT, {}),
        (TEXT, {"everyone": True, "tags": ["群监员"]}),
        (TEXT, {"unions": "all"}),
        (TEXT, {"somewhere": True}),
    ],
)
def test_messages_and_audiences_are_checked(demo, message, audience):
    with pytest.raises(Invalid):
        _push(demo.session, demo.actor("huojia"), audience, message)


def test_channels_are_chosen_once_and_listing_twice_adds_nobody(demo):
    union = demo.union("新乡医学院第一附属医院工会")
    add_workers(demo.session, union, "粉丝", 3, follow=True)
    add_workers(demo.session, union, "订阅", 2, grant=True)
    add_workers(demo.session, union, "小程序", 1, mini=True)  # no grant: the inbox
    push = _push(demo.session, demo.actor("xinyi-fy"))
    listed = _expanded(demo.session, push)
    by_channel = {}
    for row in listed:
        by_channel.setdefault(row.channel, set()).add(row.worker.name)
    assert {"粉丝0", "粉丝1", "粉丝2"} == by_channel[MASS]
    assert {"订阅0", "订阅1"} == by_channel[SUBSCRIBE]
    assert {"小程序0", "王芳"} <= by_channel[INBOX]
    assert len({row.batch for row in listed if row.channel == MASS}) == 1  # one clientmsgid for the three
    assert demo.session.get(Push, push.id).status == SENDING
    # Listing again (a job run twice, or after a crash) changes nothing.
    demo.session.execute(update(Push).where(Push.id == push.id).values(status=EXPANDING))
    demo.session.commit()
    ledger.expand(demo.session, push.id)
    assert len(rows(demo.session, push.id)) == len(listed)
    quota = demo.session.scalars(select(MassQuota.used).where(MassQuota.worker_id == listed[0].worker_id))
    assert list(quota) == [1]  # counted once


def test_a_follower_past_four_mass_messages_a_month_is_reached_otherwise(demo):
    union = demo.union("新乡医学院第一附属医院工会")
    full, fresh, other = add_workers(demo.session, union, "粉丝", 3, follow=True)
    notifications_grant = add_workers(demo.session, union, "双料", 1, follow=True, grant=True)[0]
    month = ledger.china_month(utcnow())
    for worker in (full, notifications_grant):
        demo.session.add(MassQuota(worker_id=worker.id, month=month, used=4))
    demo.session.commit()
    listed = {row.worker_id: row for row in _expanded(demo.session, _push(demo.session, demo.actor("xinyi-fy")))}
    assert (listed[full.id].channel, listed[full.id].reason) == (INBOX, ledger.MONTHLY_LIMIT)
    assert listed[notifications_grant.id].channel == SUBSCRIBE
    assert listed[fresh.id].channel == listed[other.id].channel == MASS
    used = dict(demo.session.execute(select(MassQuota.worker_id, MassQuota.used)).all())
    assert (used[full.id], used[fresh.id]) == (4, 1)


def test_a_lone_follower_cannot_be_mass_sent_and_batches_never_hold_one(demo, monkeypatch):
    union = demo.union("新乡医学院第一附属医院工会")
    [alone] = add_workers(demo.session, union, "独", 1, follow=True)
    row = next(
        r for r in _expanded(demo.session, _push(demo.session, demo.actor("xinyi-fy"))) if r.worker_id == alone.id
    )
    assert (row.channel, row.reason, row.batch) == (INBOX, ledger.LONE_FOLLOWER, None)
    assert demo.session.scalar(select(MassQuota.used).where(MassQuota.worker_id == alone.id)) == 0

    monkeypatch.setattr(ledger, "MASS_BATCH", 3)
    add_workers(demo.session, union, "粉", 6, follow=True)  # 7 followers: 3 + 2 + 2, not 3 + 3 + 1
    listed = _expanded(demo.session, _push(demo.session, demo.actor("xinyi-fy")))
    sizes = {}
    for r in listed:
        if r.channel == MASS:
            sizes[r.batch] = sizes.get(r.batch, 0) + 1
    assert sorted(sizes.values()) == [2, 2, 3]


def test_rows_are_claimed_once_and_taken_again_after_the_lease(demo):
    union = demo.union("新乡医学院第一附属医院工会")
    add_workers(demo.session, union, "订阅", 5, grant=True)
    push = _push(demo.session, demo.actor("xinyi-fy"), {"unions": [union.id]})
    _expanded(demo.session, push)
    first = ledger.claim(demo.session, push.id, limit=3, lease_seconds=60)
    second = ledger.claim(demo.session, push.id, limit=3, lease_seconds=60)
    assert len(first) == 3 and len(second) == 2 and not {r.id for r in first} & {r.id for r in second}
    assert ledger.claim(demo.session, push.id, limit=3, lease_seconds=60) == []
    ledger.mark_attempted(demo.session, [second[0].id])
    demo.session.commit()
    with time_machine.travel(utcnow() + timedelta(seconds=61), tick=False):
        # The claimed rows were never sent: taken again. The attempted one may have been: skipped, not resent.
        assert ledger.settle_in_doubt(demo.session, push.id) == 1
        again = ledger.claim(demo.session, push.id, limit=10, lease_seconds=60)
        assert {r.id for r in again} == {r.id for r in first} | {second[1].id}
        ledger.mark_sent(demo.session, [(row, "m1") for row in again], grant_template=NEWS_TEMPLATE)
        demo.session.commit()
    # 王芳, a member without the mini-program, and the demo's parents who allowed no message: the inbox
    assert not finish_if_done(demo.session, push.id)
    listed = rows(demo.session, push.id)
    inbox = [r for r in listed if r.channel == INBOX]
    assert inbox and len(listed) == 5 + len(inbox)
    delivered = ledger.deliver_inbox(demo.session, demo.session.get(Push, push.id), listed[0].id, listed[-1].id)
    assert delivered == len(inbox)
    assert finish_if_done(demo.session, push.id)
    demo.session.commit()
    report = progress(demo.session, push.id)
    assert report["status"] == DONE and report["counts"][SENT] == 4 + len(inbox)
    assert report["by_channel"][SUBSCRIBE][SENT] == 4
    assert report["skipped"] == {ledger.IN_DOUBT: 1}


def test_the_inbox_is_filled_with_the_ledger_in_one_go(demo):
    union = demo.union("新乡医学院第一附属医院工会")
    add_workers(demo.session, union, "小程序", 3, mini=True)
    push = _push(demo.session, demo.actor("xinyi-fy"), {"unions": [union.id]}, ARTICLE)
    listed = _expanded(demo.session, push)
    assert ledger.deliver_inbox(demo.session, push, listed[0].id, listed[-1].id) == len(listed)
    assert ledger.deliver_inbox(demo.session, push, listed[0].id, listed[-1].id) == 0
    demo.session.commit()
    ours = Notification.dedup_key.startswith(f"push:{push.id}:")  # the demo's broadcasts filled inboxes too
    notes = demo.session.scalars(select(Notification).where(Notification.kind == "push_broadcast", ours)).all()
    assert len(notes) == len(listed) and all(n.status == "delivered" and n.channel == "inbox" for n in notes)
    assert "https://gonghui.example.cn/digest/32" in notes[0].body


def test_schedule_start_and_cancel(demo):
    actor = demo.actor("xinyi-fy")
    union = demo.union("新乡医学院第一附属医院工会")
    add_workers(demo.session, union, "粉丝", 2, follow=True)
    push = _push(demo.session, actor)
    at = utcnow() + timedelta(hours=2)
    schedule_push(demo.session, actor, push.id, at)
    demo.session.commit()
    assert push.status == SCHEDULED and begin_due(demo.session) == []
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        assert begin_due(demo.session) == [push.id]
        ledger.expand(demo.session, push.id)
    with pytest.raises(Conflict):
        schedule_push(demo.session, actor, push.id)
    cancel_push(demo.session, actor, push.id)
    demo.session.commit()
    report = progress(demo.session, push.id)
    assert report["status"] == CANCELLED and report["counts"]["pending"] == 0
    assert report["skipped"] == {ledger.CANCELLED_REASON: report["recipients"]}
    assert sum(demo.session.scalars(select(MassQuota.used))) == 0  # the reserved mass quota is given back
    with pytest.raises(Conflict):
        cancel_push(demo.session, actor, push.id)


def test_the_digest_publisher_pushes_for_a_union_without_an_official(demo):
    city = demo.union("新乡市总工会")
    push = create_push(
        demo.session,
        None,
        kind="digest",
        title="新乡工会手机报 第32期",
        message=ARTICLE,
        audience={"everyone": True},
        union_id=city.id,
    )
    start_push(demo.session, push.id)
    demo.session.commit()
    assert push.status == SCHEDULED and begin_due(demo.session) == [push.id]
    assert ledger.expand(demo.session, push.id) == len(_in_scope(demo.session, city.id, root=True))
