"""Childcare notifications: queued with the change, delivered by the best channel WeChat allows, kept in an inbox."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.notify import TEMPLATES, dispatch_pending
from models import notifications
from models.base import utcnow
from models.childcare import CONFIRMED, CareSession, Program, Registration
from models.notifications import Notification
from models.registrations import ChildInfo, cancel_registration, queue_reminders, register_child
from models.workers import create_worker

HOSPITAL = "新医一附院2027年寒假职工子女托管班"


@pytest.fixture
def app_with_wechat(make_app, simulator):
    return make_app(WECHAT_API_BASE_URL=simulator.url)


def _care(demo):
    return demo.session.scalars(select(Program).where(Program.title == HOSPITAL)).one().sessions[0]


def _parent(demo, n: int, **identity):
    union = demo.union("新乡医学院第一附属医院工会")
    worker = create_worker(demo.session, name=f"护士{n}", union_id=union.id, member_since=date(2019, 1, 1), **identity)
    demo.session.commit()
    return worker


def _register(demo, parent, child="李小雨"):
    return register_child(
        demo.session,
        guardian=parent,
        session_id=_care(demo).id,
        child=ChildInfo(child, date(2016, 9, 3), "女"),
        guardian_phone="13837310003",
        emergency_contact="外婆 13937310033",
        consent=True,
    )


def _kinds(demo, worker) -> list[str]:
    demo.session.expire_all()
    return [n.kind for n in notifications.inbox(demo.session, worker.id)]


def test_confirmation_waitlist_and_promotion_are_queued_with_the_change(demo):
    care = _care(demo)
    care.capacity = care.taken + 1  # one place left, after the demo's children
    demo.session.commit()
    first, second = _parent(demo, 1), _parent(demo, 2)
    registration = _register(demo, first)
    _register(demo, second, "王小明")
    assert _kinds(demo, first) == ["childcare_registered"] and _kinds(demo, second) == ["childcare_waitlisted"]
    cancel_registration(demo.session, guardian=first, registration_id=registration.id)
    assert _kinds(demo, second) == ["childcare_promoted", "childcare_waitlisted"]
    body = notifications.inbox(demo.session, second.id)[0].body
    assert "王小明" in body and "已从候补转为正式报名" in body


def test_reminders_are_queued_once_however_often_the_job_runs(demo):
    parent = _parent(demo, 1)
    _register(demo, parent)
    start = _care(demo).starts_on
    starting = select(func.count()).select_from(Registration).join(CareSession)
    starting = starting.where(CareSession.starts_on == start, Registration.status == CONFIRMED)
    assert queue_reminders(demo.session, start) == demo.session.scalar(starting) > 1  # the demo's children too
    assert queue_reminders(demo.session, start) == 0
    assert _kinds(demo, parent).count("childcare_reminder") == 1


def test_a_granted_subscribe_message_is_used_first(demo, app_with_wechat, simulator):
    parent = _parent(demo, 1, miniapp_openid="o-mini-nurse", openid="o-mp-nurse")
    template = TEMPLATES["childcare_registered"]
    notifications.grant(demo.session, parent.id, template)
    demo.session.commit()
    simulator.state.grant("o-mini-nurse", template)
    _register(demo, parent)
    assert dispatch_pending(app_with_wechat) == 1
    [sent] = simulator.state.sent_messages(openid="o-mini-nurse")
    assert sent["kind"] == "subscribe" and sent["payload"]["data"]["thing2"]["value"] == "李小雨"
    demo.session.expire_all()
    assert (
        demo.session.scalars(select(Notification.channel).where(Notification.worker_id == parent.id)).one()
        == "subscribe"
    )


def test_without_a_grant_a_recent_follower_gets_a_customer_service_message(demo, app_with_wechat, simulator):
    parent = _parent(demo, 1, openid="o-mp-nurse")
    parent.last_message_at = utcnow()
    demo.session.commit()
    simulator.state.record_interaction("o-mp-nurse")
    _register(demo, parent)
    dispatch_pending(app_with_wechat)
    [sent] = simulator.state.sent_messages(openid="o-mp-nurse")
    assert sent["kind"] == "custom" and "托管报名成功" in sent["payload"]["text"]["content"]


def test_otherwise_it_waits_in_the_inbox(demo, app_with_wechat, simulator):
    parent = _parent(demo, 1, openid="o-quiet")
    _register(demo, parent)
    dispatch_pending(app_with_wechat)
    assert simulator.state.sent_messages(openid="o-quiet") == []
    demo.session.expire_all()
    assert (
        demo.session.scalars(select(Notification.channel).where(Notification.worker_id == parent.id)).one() == "inbox"
    )


def test_a_busy_wechat_leaves_it_for_the_next_round(demo, app_with_wechat, simulator):
    parent = _parent(demo, 1, openid="o-mp-nurse")
    parent.last_message_at = utcnow()
    demo.session.commit()
    simulator.state.record_interaction("o-mp-nurse")
    simulator.state.set_faults(errcode=-1, error_rate=1.0, paths=["/cgi-bin/message"])
    _register(demo, parent)
    dispatch_pending(app_with_wechat)
    demo.session.expire_all()
    assert (
        demo.session.scalars(select(Notification.status).where(Notification.worker_id == parent.id)).one() == "sending"
    )
    simulator.state.clear_faults()
    demo.session.execute(Notification.__table__.update().values(lease_until=utcnow()))  # the lease runs out
    demo.session.commit()
    dispatch_pending(app_with_wechat)
    assert len(simulator.state.sent_messages(openid="o-mp-nurse")) == 1


def test_a_busy_wechat_does_not_spend_the_grant(demo, app_with_wechat, simulator):
    parent = _parent(demo, 1, miniapp_openid="o-mini-nurse")
    template = TEMPLATES["childcare_registered"]
    notifications.grant(demo.session, parent.id, template)
    demo.session.commit()
    simulator.state.grant("o-mini-nurse", template)
    simulator.state.set_faults(errcode=-1, error_rate=1.0, paths=["/cgi-bin/message/subscribe"])
    _register(demo, parent)
    _register(demo, parent, "李小雪")  # a second notification in the same round commits its own work
    dispatch_pending(app_with_wechat)
    demo.session.expire_all()
    grant = select(notifications.SubscriptionGrant.remaining).where(
        notifications.SubscriptionGrant.worker_id == parent.id
    )
    assert demo.session.scalars(grant).one() == 1
