"""Menu-style training in the domain: survey to rating, quotas and places under concurrency, scope."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from models.base import LOCAL_TZ, today, utcnow
from models.demo_training import TITLE as SURVEY_TITLE
from models.errors import Conflict, Forbidden, Invalid, NotFound
from models.notifications import Notification
from models.surveys import Reply, Survey, answer_survey
from models.training import CANCELLED, CONFIRMED, WAITLISTED, ClassQuota, Enrolment, Topic, TrainingClass
from models.training_classes import (
    certificates,
    check_in_for,
    enrolment_list,
    issue_certificates,
    ratings,
    schedule_class,
    set_quota,
    update_class,
)
from models.training_enrolments import (
    AlreadyRated,
    QuotaExceeded,
    Trainee,
    cancel_class,
    cancel_enrolment,
    check_in,
    enrol,
    enrol_list,
    open_classes_for,
    queue_reminders,
    rate,
    waitlist_position,
)
from models.training_menu import create_topic, demand, menu_for, order_for_enterprise, order_topic, request_topic
from models.workers import Worker, create_worker

COAL = "煤炭行业“菜单式”劳动保护知识培训班（第二期）"
FIRST_AID = "应急救护培训班（第一期）"


def _class(demo, title: str) -> TrainingClass:
    return demo.session.scalars(select(TrainingClass).where(TrainingClass.title == title)).one()


def _miner(demo, n: int, enterprise: str = "开滦集团") -> Worker:
    """A worker of a coal enterprise in 河北, signing up on their own."""
    worker = create_worker(
        demo.session, name=f"矿工{n}", phone=f"1393159{n:04d}", employer_id=demo.enterprise(enterprise).id
    )
    demo.session.commit()
    return worker


def _trainees(count: int, start: int = 0) -> list[Trainee]:
    return [Trainee(f"学员{n}", f"1393157{n:04d}", "群监员") for n in range(start, start + count)]


def _during(demo, training: TrainingClass, *, started: int = 0, days: int = 3) -> None:
    """Move a class so that it started `started` days ago."""
    training.starts_on = today() - timedelta(days=started)
    training.ends_on = training.starts_on + timedelta(days=days - 1)
    demo.session.commit()


def test_a_class_from_survey_to_rating(demo):
    session, hebei, kailuan = demo.session, demo.actor("hebei-admin"), demo.actor("kailuan")
    # The union fixes a topic after its survey, then serves a class with quotas (开滦 sent 83).
    topic = create_topic(
        session, hebei, title="新版煤矿安全规程", industry="煤炭", experts=["省安监局专家"], days=3, hours=6
    )
    training = schedule_class(
        session,
        hebei,
        topic_id=topic.id,
        starts_on=today() + timedelta(days=20),
        ends_on=today() + timedelta(days=22),
        place="秦皇岛市北戴河区 河北省总工会职工培训基地",
        capacity=100,
        registration_closes=datetime.combine(today() + timedelta(days=10), datetime.min.time(), LOCAL_TZ),
    )
    set_quota(session, hebei, training.id, enterprise_id=demo.enterprise("开滦集团").id, seats=83)
    session.commit()
    assert (training.hours, training.experts, training.open_seats) == (6, ["省安监局专家"], 17)
    # 开滦's union signs up its list; a resubmission adds only the new people.
    first = enrol_list(
        session, kailuan, training.id, enterprise_id=demo.enterprise("开滦集团").id, trainees=_trainees(80)
    )
    again = enrol_list(
        session, kailuan, training.id, enterprise_id=demo.enterprise("开滦集团").id, trainees=_trainees(83)
    )
    assert (len(first.enrolled), len(again.enrolled), len(again.already), again.quota.left) == (80, 3, 80, 0)
    with pytest.raises(QuotaExceeded) as over:
        enrol_list(
            session, kailuan, training.id, enterprise_id=demo.enterprise("开滦集团").id, trainees=_trainees(1, 90)
        )
    assert over.value.detail["left"] == 0
    # A miner of 冀中能源 signs up himself for an open place.
    own = enrol(session, worker=_miner(demo, 1, "冀中能源集团"), class_id=training.id)
    assert own.status == CONFIRMED and own.quota_id is None
    roster = enrolment_list(session, hebei, training.id)
    assert len(roster) == 84 and {e.role for e in roster} == {"群监员", None}
    # The class takes place: check-in with the code shown there, then the rating.
    _during(demo, training)
    with pytest.raises(Invalid):
        check_in(
            session,
            worker=own.worker,
            class_id=training.id,
            code="000000" if training.checkin_code != "000000" else "1",
        )
    _, first_time = check_in(session, worker=own.worker, class_id=training.id, code=training.checkin_code)
    assert first_time and not check_in(session, worker=own.worker, class_id=training.id, code=training.checkin_code)[1]
    with pytest.raises(Invalid):  # not before the last day
        rate(session, worker=own.worker, class_id=training.id, score=5)
    with pytest.raises(Conflict):  # certificates from the last day only
        issue_certificates(session, hebei, training.id)
    _during(demo, training, started=2)
    rated = rate(session, worker=own.worker, class_id=training.id, score=4, comment="专家讲得透，希望多些现场教学")
    assert (rated.rating, rated.comment) == (4, "专家讲得透，希望多些现场教学")
    with pytest.raises(AlreadyRated):
        rate(session, worker=own.worker, class_id=training.id, score=1)
    someone = next(e for e in roster if e.quota_id is not None)
    check_in_for(session, hebei, someone.id)  # a trainee without a phone, marked by the organiser
    session.commit()
    _during(demo, training, started=3)
    issued = issue_certificates(session, hebei, training.id)
    session.commit()
    assert [e.id for e in issued] == sorted([own.id, someone.id])
    assert issued[0].certificate_no == f"PX{training.starts_on:%Y}{training.id:04d}0001"
    assert issue_certificates(session, hebei, training.id) == issued  # again: same numbers, none new
    assert len(certificates(session, hebei, training.id)) == 2
    summary = ratings(session, hebei, training.id)
    assert (summary.attendees, summary.rated, summary.average, summary.distribution[4]) == (2, 1, 4.0, 1)
    assert summary.comments == [(4, "专家讲得透，希望多些现场教学")]


def test_the_waitlist_is_served_in_order_when_an_open_place_is_freed(demo):
    session = demo.session
    training = _class(demo, COAL)
    update_class(session, demo.actor("hebei-admin"), training.id, capacity=training.quota_seats + 2)
    session.commit()
    miners = [_miner(demo, n) for n in range(4)]
    places = [enrol(session, worker=m, class_id=training.id) for m in miners]
    assert [p.status for p in places] == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    assert [waitlist_position(session, p) for p in places] == [None, None, 1, 2]
    promoted = cancel_enrolment(session, worker=miners[0], enrolment_id=places[0].id)
    assert promoted.id == places[2].id and promoted.status == CONFIRMED
    kinds = session.scalars(select(Notification.kind).where(Notification.worker_id == miners[2].id)).all()
    assert kinds == ["training_waitlisted", "training_promoted"]
    with pytest.raises(Conflict):
        cancel_enrolment(session, worker=miners[0], enrolment_id=places[0].id)
    session.refresh(training)
    assert training.open_taken == 2


def test_a_quota_place_given_back_returns_to_the_enterprise_not_the_waitlist(demo):
    session, hebei = demo.session, demo.actor("hebei-admin")
    training = _class(demo, COAL)
    kailuan = demo.enterprise("开滦集团")
    listed = enrol_list(session, demo.actor("kailuan"), training.id, enterprise_id=kailuan.id, trainees=_trainees(2))
    cancel_enrolment(session, worker=listed.enrolled[0].worker, enrolment_id=listed.enrolled[0].id)
    quota = session.scalars(
        select(ClassQuota).where(ClassQuota.class_id == training.id, ClassQuota.enterprise_id == kailuan.id)
    ).one()
    session.refresh(quota)
    assert (quota.used, quota.left) == (1, 82)
    with pytest.raises(Conflict):  # a quota cannot shrink below what is used, nor grow beyond capacity
        set_quota(session, hebei, training.id, enterprise_id=kailuan.id, seats=0)
    with pytest.raises(Conflict):
        set_quota(session, hebei, training.id, enterprise_id=kailuan.id, seats=200)


def test_lists_and_sign_ups_respect_scope_and_employer(demo):
    session = demo.session
    training = _class(demo, COAL)
    jizhong = demo.enterprise("冀中能源集团")
    with pytest.raises(NotFound):  # 开滦's union cannot send 冀中能源's people
        enrol_list(session, demo.actor("kailuan"), training.id, enterprise_id=jizhong.id, trainees=_trainees(1))
    stranger = _miner(demo, 7, "开滦集团")
    with pytest.raises(Forbidden):  # nor can 冀中能源's union put a 开滦 worker on its list
        enrol_list(
            session,
            demo.actor("jizhong"),
            training.id,
            enterprise_id=jizhong.id,
            trainees=[Trainee("矿工7", stranger.phone)],
        )
    with pytest.raises(Invalid):
        enrol_list(
            session,
            demo.actor("jizhong"),
            training.id,
            enterprise_id=jizhong.id,
            trainees=[Trainee("学员", "13931570001"), Trainee("学员二", "13931570001")],
        )
    with pytest.raises(NotFound):  # a 新乡 official does not see 河北's classes
        enrolment_list(session, demo.actor("xinxiang-admin"), training.id)
    with pytest.raises(NotFound):  # nor does a 新乡 worker (another province, another industry)
        enrol(session, worker=demo.worker("张伟"), class_id=training.id)
    with pytest.raises(Forbidden):
        schedule_class(
            session,
            demo.actor("xinxiang-viewer"),
            topic_id=training.topic_id,
            starts_on=today(),
            ends_on=today(),
            place="x",
            capacity=1,
            registration_closes=utcnow(),
        )


def test_the_menu_is_the_workers_unions_and_industry(demo):
    zhang, li = demo.worker("张伟"), demo.worker("李建国")
    assert {t.union.name for t in menu_for(demo.session, zhang)} == {"新乡市总工会"}
    coal = menu_for(demo.session, li)
    assert coal[0].title == "劳动保护知识（煤炭行业）" and {t.industry for t in coal} == {"煤炭"}
    assert [c.title for c in open_classes_for(demo.session, li)] == [COAL]
    assert FIRST_AID in [c.title for c in open_classes_for(demo.session, zhang)]


def test_demand_combines_orders_survey_answers_and_wishes(demo):
    session, city = demo.session, demo.actor("xinxiang-admin")
    survey = session.scalars(select(Survey).where(Survey.title == SURVEY_TITLE)).one()
    zhao = demo.worker("赵敏")  # 化工, in the survey's audience
    picks = survey.questions[0]
    answer_survey(
        session,
        worker=zhao,
        survey_id=survey.id,
        replies=[
            Reply(picks.id, choices=[picks.options.index("职业病防治"), picks.options.index("应急救护")]),
            Reply(survey.questions[1].id, choices=[1]),
            Reply(survey.questions[2].id, choices=[0]),
        ],
    )
    first_aid = session.scalars(select(Topic).where(Topic.title == "应急救护")).one()
    _, new = order_topic(session, worker=demo.worker("陈静"), topic_id=first_aid.id)
    assert new and not order_topic(session, worker=demo.worker("陈静"), topic_id=first_aid.id)[1]
    wish = request_topic(session, worker=demo.worker("周婷"), text="我想学应急救护知识")
    assert wish.topic_id == first_aid.id
    order_for_enterprise(
        session, city, enterprise_id=demo.enterprise("获嘉县恒达机械有限公司").id, topic_id=first_aid.id, headcount=30
    )
    session.commit()
    rows = {row.title: row for row in demand(session, city)}
    aid = rows["应急救护"]
    # 张伟 and 刘洋 (demo) and 陈静 ordered, 赵敏 chose it in the survey, 周婷 wished for it, 恒达 sends 30.
    assert (aid.worker_orders, aid.survey_votes, aid.requests, aid.enterprise_headcount, aid.total) == (3, 1, 1, 30, 35)
    assert rows["职业病防治"].survey_votes == 1 and rows["职业病防治"].enterprise_headcount == 20
    electric = rows["电工安全操作"]  # two wishes written differently, not on the menu
    assert electric.topic is None and electric.requests == 2
    ranked = list(rows)
    assert ranked[0] == "应急救护"


def test_parallel_sign_ups_never_overbook_the_open_places(demo, make_app):
    training = _class(demo, COAL)
    training.capacity = training.quota_seats + 5
    demo.session.commit()
    miners = [_miner(demo, n) for n in range(24)]
    factory = make_app().extensions["gonghui.db"][1]
    outcomes, errors = [], []

    def sign_up(worker_id: int) -> None:
        with factory() as session:
            try:
                outcomes.append(enrol(session, worker=session.get(Worker, worker_id), class_id=training.id).status)
            except Exception as error:  # collected and asserted below
                errors.append(error)

    _run([threading.Thread(target=sign_up, args=(m.id,)) for m in miners])
    assert errors == []
    assert (outcomes.count(CONFIRMED), outcomes.count(WAITLISTED)) == (5, 19)
    demo.session.refresh(training)
    assert training.open_taken == 5


def test_parallel_lists_and_quota_changes_never_exceed_quota_or_capacity(demo, make_app):
    training = _class(demo, COAL)
    kailuan = demo.enterprise("开滦集团")
    factory = make_app().extensions["gonghui.db"][1]
    results, errors = [], []

    def send_list(start: int) -> None:
        with factory() as session:
            try:
                result = enrol_list(
                    session, demo.actor("kailuan"), training.id, enterprise_id=kailuan.id, trainees=_trainees(20, start)
                )
                results.append(len(result.enrolled))
            except QuotaExceeded:
                results.append(0)
            except Exception as error:  # collected and asserted below
                errors.append(error)

    def grow_quota(seats: int) -> None:
        with factory() as session:
            try:
                set_quota(session, demo.actor("hebei-admin"), training.id, enterprise_id=kailuan.id, seats=seats)
                session.commit()
            except Conflict:
                session.rollback()
            except Exception as error:  # collected and asserted below
                errors.append(error)

    threads = [threading.Thread(target=send_list, args=(n * 20,)) for n in range(6)]
    threads += [threading.Thread(target=grow_quota, args=(seats,)) for seats in (90, 120, 100)]
    _run(threads)
    assert errors == []
    demo.session.expire_all()
    quota = demo.session.scalars(
        select(ClassQuota).where(ClassQuota.class_id == training.id, ClassQuota.enterprise_id == kailuan.id)
    ).one()
    live = demo.session.scalar(
        select(func.count()).where(
            Enrolment.class_id == training.id, Enrolment.quota_id == quota.id, Enrolment.status == CONFIRMED
        )
    )
    assert live == quota.used == sum(results) <= quota.seats
    assert training.quota_seats + training.open_taken <= training.capacity
    assert sum(q.seats for q in training.quotas) == training.quota_seats


def test_reminders_and_rating_requests_are_queued_once(demo):
    session = demo.session
    training = _class(demo, FIRST_AID)
    zhang = demo.worker("张伟")
    enrolment = enrol(session, worker=zhang, class_id=training.id)
    training.starts_on = training.ends_on = today() + timedelta(days=1)
    session.commit()
    assert queue_reminders(session, today()) == 1 and queue_reminders(session, today()) == 0
    _during(demo, training, days=1)
    check_in(session, worker=zhang, class_id=training.id, code=training.checkin_code)
    assert queue_reminders(session, today()) == 1  # the request to rate
    mine = (Notification.worker_id == zhang.id) & Notification.kind.like("training_%")  # 张伟 has a demo grievance
    kinds = session.scalars(select(Notification.kind).where(mine).order_by(Notification.id))
    assert list(kinds) == ["training_enrolled", "training_reminder", "training_rate"]
    assert enrolment.status == CONFIRMED


def test_a_cancelled_class_tells_everyone_and_takes_no_one(demo):
    session, hebei = demo.session, demo.actor("hebei-admin")
    training = _class(demo, COAL)
    miner = _miner(demo, 3)
    enrol(session, worker=miner, class_id=training.id)
    assert cancel_class(session, hebei, training.id, reason="专家行程变动，改期另行通知") == 1
    session.commit()
    with pytest.raises(Conflict):
        enrol(session, worker=_miner(demo, 4), class_id=training.id)
    body = session.scalars(select(Notification.kind).where(Notification.worker_id == miner.id)).all()
    assert body == ["training_enrolled", "training_cancelled"]
    assert session.scalar(select(func.count()).where(Enrolment.status == CANCELLED)) == 0  # the record stays


def test_registration_closes_at_its_deadline(demo):
    training = _class(demo, COAL)
    training.registration_closes = utcnow() - timedelta(minutes=1)
    demo.session.commit()
    with pytest.raises(Invalid):
        enrol(demo.session, worker=_miner(demo, 5), class_id=training.id)
    assert training not in open_classes_for(demo.session, demo.worker("李建国"))


def _run(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_a_wish_matches_a_topic_only_when_it_says_enough(demo):
    zhang = demo.worker("张伟")
    assert request_topic(demo.session, worker=zhang, text="想学应急救护").topic.title == "应急救护"
    assert request_topic(demo.session, worker=zhang, text="安全").topic_id is None
    assert request_topic(demo.session, worker=zhang, text="事故隐患").topic.title == "事故隐患排查"
