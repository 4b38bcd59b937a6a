"""Demo grievance cases from the seeds: 获嘉县's closed loop and the 青岛 forced "voluntary resignation"."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .access import Actor
from .base import LOCAL_TZ, utcnow
from .grievance_cases import (
    ADDED,
    WORKER,
    Complaint,
    accept,
    case_number,
    close,
    file_case,
    resolve,
    start_handling,
)
from .grievance_deadlines import ACCEPT, due
from .grievances import RECEIVED, CaseAttachment, CaseEvent, GrievanceCase
from .notifications import DELIVERED, INBOX, PENDING, Notification
from .officials import Official
from .workers import Worker

# (worker, complaint, officials' steps, days ago); steps: accept, handle, resolve (outcome, amount, workers), close
CASES = [
    (
        "张伟",
        Complaint(
            "forced_resignation",
            "获嘉县恒达机械有限公司",
            "公司以搬迁为由要求职工写“自愿辞职报告”，不论工龄长短一律只给1个月工资作补偿，不写连1个月工资也没有。",
            workers_count=13,
            amount_owed=Decimal("156000"),
        ),
        [("accept", "kangcun"), ("handle", "kangcun", "联合县人社局劳动监察到企业调查取证，约见职工代表")],
        12,
    ),
    (
        "孙强",
        Complaint(
            "forced_resignation",
            "获嘉县恒达机械有限公司",
            "同一件事：车间主任让我们签自愿辞职，只给一个月工资。",
            workers_count=1,
        ),
        [],
        11,
    ),
    (
        "李娜",
        Complaint(
            "unpaid_wages",
            "获嘉县鑫源纺织有限公司",
            "纺织车间拖欠8名职工两个月工资，厂里说等货款回来再发。",
            workers_count=8,
            amount_owed=Decimal("52800"),
        ),
        [
            ("accept", "chengguan"),
            ("handle", "chengguan", "向企业发出劳动法律监督意见书，组织劳资双方调解"),
            ("resolve", "chengguan", "企业分两次补发拖欠工资", Decimal("52800"), 8),
            ("close", "chengguan", "职工确认工资已全部到账"),
        ],
        40,
    ),
    (
        "杨磊",
        Complaint(
            "no_contract",
            "获嘉县宏远建材有限公司",
            "干了一年多一直没签劳动合同，也没交社保。",
            workers_count=1,
        ),
        [],
        1,
    ),
]


# What a worker sent afterwards: (text, picture media ids, days after filing).
ADDITIONS = {
    "孙强": ("车间主任又来催，这周不签自愿辞职就停发本月工资，工资条拍给你们看。", ["demo-media-sunqiang-payslip"], 1),
}


def load_grievances(session: Session) -> int:
    """Add the demo cases if there are none; return how many were added."""
    if session.scalar(select(GrievanceCase.id).limit(1)) is not None:
        return 0
    officials = {o.username: Actor.of(session, o) for o in session.scalars(select(Official))}
    for name, complaint, steps, days_ago in CASES:
        worker = session.scalars(select(Worker).where(Worker.name == name)).one()
        case = file_case(session, worker=worker, channel="mp", complaint=complaint)
        for kind, username, *args in steps:
            actor = officials[username]
            if kind == "accept":
                accept(session, actor, case.id, legal_adviser="县总工会法律顾问团")
            elif kind == "handle":
                start_handling(session, actor, case.id, note=args[0])
            elif kind == "resolve":
                resolve(session, actor, case.id, outcome=args[0], amount_recovered=args[1], workers_covered=args[2])
            else:
                close(session, actor, case.id, note=args[0])
        _backdate(session, case, days_ago)
        if name in ADDITIONS:
            _add(case, *ADDITIONS[name])
    # The demo's past is past: its workers were told at the time, so nothing waits to be sent at start-up.
    session.execute(
        update(Notification)
        .where(Notification.kind.like("grievance_%"), Notification.status == PENDING)
        .values(status=DELIVERED, channel=INBOX, delivered_at=utcnow())
    )
    session.flush()
    return len(CASES)


def _backdate(session: Session, case: GrievanceCase, days: int) -> None:
    """Spread the demo over the past weeks: received `days` ago, each change of state a day after the one before.

    A case not accepted yet is due when file_case made it due, two working days after it came in: 孙强's case,
    which the township union let lie, is past that when the demo is loaded (the dashboard lists it as overdue)
    until the scheduler's escalation job takes it up to the county union.
    """
    start = utcnow() - timedelta(days=days)
    case.created_at, day = start, 0
    _renumber(session, case, case_number(start.astimezone(LOCAL_TZ).date(), case.id))
    if case.status == RECEIVED:
        case.deadline_at = due(session, ACCEPT, start)
    for event in case.events:
        day += event.from_status is not None and event.from_status != event.to_status
        event.at = start + timedelta(days=day)
    for name in ("accepted_at", "resolved_at", "closed_at"):
        if getattr(case, name) is not None:
            setattr(case, name, start + timedelta(days=day))


def _renumber(session: Session, case: GrievanceCase, number: str) -> None:
    """Number the case for the day it came in, in what its worker was told too."""
    told = select(Notification).where(Notification.dedup_key.like(f"grievance-%:{case.id}:%"))
    for notification in session.scalars(told):
        notification.body = notification.body.replace(case.number, number)
        notification.data = {**notification.data, "character_string1": {"value": number}}
    case.number = number


def _add(case: GrievanceCase, text: str, media_ids: list[str], days_after: int) -> None:
    """Add what the worker sent later, at its own time (add_information commits, which a demo load must not)."""
    at = case.created_at + timedelta(days=days_after)
    case.attachments.extend(CaseAttachment(media_id=m, caption="职工补充的图片", at=at) for m in media_ids)
    case.events.append(
        CaseEvent(actor=WORKER, action=ADDED, from_status=case.status, to_status=case.status, note=text, at=at)
    )
