"""One scheduler at a time; the lock is renewed from job threads; the jobs do their work once."""

from __future__ import annotations

import threading
from datetime import timedelta

import redis
from sqlalchemy import func, select

from jobs import grievances, maintenance
from jobs import training as training_jobs
from jobs.scheduler import build_scheduler, keep_lock, scheduler_lock
from models.base import today, utcnow
from models.grievance_cases import OPEN_STATES, Complaint, file_case
from models.grievances import GrievanceCase
from models.officials import ApiToken, issue_token
from models.training import TrainingClass
from models.training_enrolments import enrol


def test_second_scheduler_cannot_take_the_lock(backend):
    client = redis.Redis.from_url(backend.redis_url)
    first, second = scheduler_lock(client), scheduler_lock(client)
    assert first.acquire(blocking=False)
    assert not second.acquire(blocking=False)
    first.release()
    assert second.acquire(blocking=False)


def test_lock_is_renewed_from_another_thread_retaken_when_gone_and_lost_to_another_stops(backend, app):
    client = redis.Redis.from_url(backend.redis_url)
    lock = scheduler_lock(client)
    assert lock.acquire(blocking=False)
    scheduler = build_scheduler(lock, app)
    assert {job.id for job in scheduler.get_jobs()} == {
        "keep-lock",
        "purge-tokens",
        "answer-abandoned",
        "dispatch-notifications",
        "childcare-reminders",
        "training-reminders",
        "grievance-escalation",
        "pushes",
        "push-queue",
        "digest-publishing",
    }
    running = threading.Thread(target=scheduler.start)
    running.start()
    renew = threading.Thread(target=keep_lock, args=(lock, scheduler))
    renew.start()
    renew.join()
    assert running.is_alive() and client.pttl(lock.name) > 50_000
    client.delete(lock.name)  # Redis restarted empty: nobody holds the lock, so it is taken again
    keep_lock(lock, scheduler)
    assert running.is_alive() and client.pttl(lock.name) > 50_000
    client.set(lock.name, "another scheduler's token")  # another one took it over after a long pause
    keep_lock(lock, scheduler)
    running.join(timeout=5)
    assert not running.is_alive()


def test_purge_removes_expired_and_revoked_tokens_only(demo, app):
    official = demo.official("kangcun")
    _live, live = issue_token(demo.session, official, hours=12)
    _old, old = issue_token(demo.session, official, hours=12)
    old.expires_at = utcnow() - timedelta(days=2)
    demo.session.commit()
    assert maintenance.purge_tokens(app) == 1
    assert demo.session.scalars(select(ApiToken.id)).all() == [live.id]


def test_the_escalation_job_moves_an_overdue_case_up(demo, app):
    case = file_case(
        demo.session,
        worker=demo.worker("张伟"),
        channel="mp",
        complaint=Complaint("unpaid_wages", "获嘉县恒达机械有限公司", "拖欠三个月工资没有发放"),
    )
    case.deadline_at = utcnow() - timedelta(minutes=1)
    demo.session.commit()
    overdue = select(func.count()).where(GrievanceCase.status.in_(OPEN_STATES), GrievanceCase.deadline_at < utcnow())
    late = demo.session.scalar(overdue)  # this case and the demo's that 亢村镇 let lie
    assert grievances.escalate(app) == late > 1 and grievances.escalate(app) == 0
    demo.session.refresh(case)
    assert (case.status, case.union.name) == ("escalated", "获嘉县总工会")


def test_the_training_job_queues_tomorrows_reminders(demo, app):
    training = demo.session.scalars(select(TrainingClass).where(TrainingClass.title.like("应急救护%"))).one()
    enrol(demo.session, worker=demo.worker("张伟"), class_id=training.id)
    training.starts_on = training.ends_on = today() + timedelta(days=1)
    demo.session.commit()
    assert training_jobs.remind_and_ask(app) == 1 and training_jobs.remind_and_ask(app) == 0
