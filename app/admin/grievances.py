"""Grievances (维权) for officials: the queue, walk-ins and calls, the closed loop, statistics, routing, deadlines."""

from __future__ import annotations

from flask import g, request

from models import grievance_cases as cases
from models import grievance_deadlines as deadlines
from models import grievance_routing as routing
from models import grievance_stats

from ..extensions import db
from . import blueprint
from . import grievance_serialize as out
from .context import login_required, payload, query_int
from .grievance_schemas import (
    AcceptIn,
    AssignIn,
    DeadlineIn,
    MediationIn,
    MessageIn,
    NoteIn,
    ResolveIn,
    RulesIn,
    VisitIn,
)


@blueprint.get("/grievances")
@login_required
def list_cases():
    """List the cases in scope (?status=, ?category=, ?q= a number or employer, ?open=1), the most urgent first."""
    rows = cases.list_cases(
        db.session,
        g.actor,
        status=_arg("status", 12),
        category=_arg("category", 24),
        search=_arg("q", 50),
        open_only=request.args.get("open") == "1",
    )
    db.session.commit()  # the listing is audited
    return {"cases": [out.case(c) for c in rows]}


@blueprint.post("/grievances")
@login_required
def record_visit():
    """Record a worker's walk-in or phone call; the case is routed at once and gets its number."""
    body = payload(VisitIn)
    case = cases.record_visit(
        db.session, g.actor, name=body.name, phone=body.phone, channel=body.channel, complaint=body.to_domain()
    )
    db.session.commit()
    return out.case_detail(case, cases.collective_size(db.session, case)), 201


@blueprint.get("/grievances/<id:case_id>")
@login_required
def view_case(case_id: int):
    """A case with the worker's contact, its history and attachments (audited)."""
    case = cases.view_case(db.session, g.actor, case_id)
    db.session.commit()
    return out.case_detail(case, cases.collective_size(db.session, case))


@blueprint.post("/grievances/<id:case_id>/accept")
@login_required
def accept(case_id: int):
    """Accept a case: its handler (the caller by default) and a legal adviser; the worker is told by when."""
    case = cases.accept(db.session, g.actor, case_id, **payload(AcceptIn).model_dump())
    return case_answer(case)


@blueprint.post("/grievances/<id:case_id>/handle")
@login_required
def handle(case_id: int):
    """Begin investigation or mediation, saying how."""
    return case_answer(cases.start_handling(db.session, g.actor, case_id, note=payload(NoteIn).note))


@blueprint.post("/grievances/<id:case_id>/resolve")
@login_required
def resolve(case_id: int):
    """Record how the case was resolved, how much was recovered and for how many workers."""
    return case_answer(cases.resolve(db.session, g.actor, case_id, **payload(ResolveIn).model_dump()))


@blueprint.post("/grievances/<id:case_id>/close")
@login_required
def close(case_id: int):
    """Close a resolved case, or refuse a received one that is not for the union (不予受理), with the reason."""
    return case_answer(cases.close(db.session, g.actor, case_id, note=payload(NoteIn).note))


@blueprint.post("/grievances/<id:case_id>/assign")
@login_required
def assign(case_id: int):
    """Name who handles a case in hand (an official of its union or one above) and/or its legal adviser."""
    return case_answer(cases.assign(db.session, g.actor, case_id, **payload(AssignIn).model_dump()))


@blueprint.post("/grievances/<id:case_id>/mediation")
@login_required
def mediation(case_id: int):
    """Record a mediation: the day, who took part, what was agreed; an accepted or escalated case is in hand."""
    return case_answer(cases.record_mediation(db.session, g.actor, case_id, **payload(MediationIn).model_dump()))


@blueprint.get("/grievances/<id:case_id>/messages")
@login_required
def messages(case_id: int):
    """What the worker filed, added and rated, and the union's messages with how each reached them (audited)."""
    case = cases.view_case(db.session, g.actor, case_id)
    db.session.commit()
    return {"messages": [out.message(m) for m in cases.conversation(db.session, case)]}


@blueprint.post("/grievances/<id:case_id>/messages")
@login_required
def message_worker(case_id: int):
    """Write to the worker: queued as the case's notices are (subscribe message, customer service or the inbox)."""
    event = cases.message_worker(db.session, g.actor, case_id, text=payload(MessageIn).text)
    db.session.commit()
    case = cases.case_in_scope(db.session, g.actor, event.case_id)
    return {"messages": [out.message(m) for m in cases.conversation(db.session, case)]}, 201


@blueprint.get("/grievances/statistics")
@login_required
def statistics():
    """Cases, resolved, median days, amount recovered and workers covered per union, category and month."""
    year = query_int("year", low=2000, high=2100)
    return out.statistics(grievance_stats.statistics(db.session, g.actor, year=year), year)


@blueprint.get("/grievances/routing-rules")
@login_required
def routing_rules():
    """The routing rules in the order they are tried, with whether each is on."""
    return out.routing_rules(routing.active_rules(db.session))


@blueprint.put("/grievances/routing-rules")
@login_required
def set_routing_rules():
    """Replace the rules in force, in order (those left out are off); for the top-level union's admin."""
    active = routing.set_rules(db.session, g.actor, payload(RulesIn).rules)
    db.session.commit()
    return out.routing_rules(active)


@blueprint.get("/grievances/route")
@login_required
def preview_route():
    """Where a case against this employer (or at this place) would go, and why."""
    enterprise, found = cases.route_employer(
        db.session,
        _arg("employer", 100) or "",
        township=_arg("township", 50),
        county=_arg("county", 50),
        address=_arg("address", 200),
        industry=_arg("industry", 30),
    )
    return out.route(found, enterprise)


@blueprint.get("/grievances/deadlines")
@login_required
def list_deadlines():
    """How long each stage may take before a case is escalated."""
    return out.deadlines(deadlines.rules(db.session))


@blueprint.put("/grievances/deadlines/<stage>")
@login_required
def set_deadline(stage: str):
    """Change how long a stage may take (admins only); cases get it from their next stage on."""
    deadlines.set_rule(db.session, g.actor, stage, **payload(DeadlineIn).model_dump())
    db.session.commit()
    return out.deadlines(deadlines.rules(db.session))


def case_answer(case) -> dict:
    """Commit an official's step and answer with the case as it now is."""
    db.session.commit()
    return out.case_detail(case, cases.collective_size(db.session, case))


def _arg(name: str, most: int) -> str | None:
    return (request.args.get(name) or "").strip()[:most] or None
