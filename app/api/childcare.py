"""Childcare (托管) in the mini-program: programs to browse, children to register, registrations to cancel."""

from __future__ import annotations

from flask import Response, after_this_request, g
from sqlalchemy import select

from models.childcare import Program, Registration
from models.errors import NotFound
from models.programs import list_programs
from models.registrations import ChildInfo, cancel_registration, register_child, waitlist_position

from ..extensions import db
from . import blueprint
from .childcare_schemas import (
    ProgramList,
    ProgramOut,
    ProgramQuery,
    RegistrationIn,
    RegistrationList,
    RegistrationOut,
)
from .endpoints import endpoint


def _private(response: Response) -> Response:
    """Keep answers with a child's data out of every cache on the way."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _describe(registration: Registration) -> RegistrationOut:
    """Describe a registration with its place in the queue."""
    return RegistrationOut.of(registration, waitlist_position(db.session, registration))


def _answer(registration: Registration) -> RegistrationOut:
    """Describe a registration just changed, with its session's places read afresh; never cached."""
    after_this_request(_private)
    # The domain moves places with UPDATEs past the ORM (and sessions keep rows after commit): read them again.
    db.session.refresh(registration.session)
    return _describe(registration)


@blueprint.get("/programs")
@endpoint(ProgramList, query=ProgramQuery, tag="childcare")
def programs(query: ProgramQuery) -> ProgramList:
    """List childcare programs, newest first, with their sessions and places left; filter as asked."""
    rows = list_programs(db.session, **query.model_dump())
    return ProgramList(programs=[ProgramOut.of(p) for p in rows])


@blueprint.get("/programs/<id:program_id>")
@endpoint(ProgramOut, tag="childcare")
def program(program_id: int) -> ProgramOut:
    """Show one childcare program in detail."""
    row = db.session.get(Program, program_id)
    if row is None:
        raise NotFound("未找到该托管项目")
    return ProgramOut.of(row)


@blueprint.post("/registrations")
@endpoint(RegistrationOut, body=RegistrationIn, status=201, errors=(403, 404, 409), tag="childcare")
def register(body: RegistrationIn) -> RegistrationOut:
    """Register a child for a session: a place if one is left, else the waitlist."""
    child = body.child
    registration = register_child(
        db.session,
        guardian=g.worker,
        session_id=body.session_id,
        child=ChildInfo(child.name, child.birth_date, child.gender, child.health_notes),
        guardian_phone=body.guardian_phone,
        emergency_contact=body.emergency_contact,
        consent=body.consent,
    )
    return _answer(registration)


@blueprint.get("/registrations")
@endpoint(RegistrationList, tag="childcare")
def my_registrations() -> RegistrationList:
    """List the registrations of the worker's children, newest first."""
    rows = db.session.scalars(
        select(Registration).where(Registration.guardian_id == g.worker.id).order_by(Registration.id.desc())
    )
    after_this_request(_private)
    return RegistrationList(registrations=[_describe(r) for r in rows])


@blueprint.post("/registrations/<id:registration_id>/cancel")
@endpoint(RegistrationOut, errors=(409,), tag="childcare")
def cancel(registration_id: int) -> RegistrationOut:
    """Cancel a registration of the worker's child; a freed place goes to the first child waiting."""
    cancel_registration(db.session, guardian=g.worker, registration_id=registration_id)
    return _answer(db.session.get(Registration, registration_id))
