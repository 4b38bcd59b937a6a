"""Childcare for officials: programs and sessions, rosters (audited) and their Excel export, counts."""

from __future__ import annotations

from flask import g

from models import programs
from models.childcare import SEASON_LABELS

from ..extensions import db
from . import blueprint, serialize
from .context import login_required, payload, query_int
from .rosters import roster_download, roster_rows
from .schemas import CareSessionIn, ProgramIn, ProgramPatch


@blueprint.get("/childcare/programs")
@login_required
def list_programs():
    """List the programs of the unions in scope, with their sessions and places left."""
    rows = programs.programs_in_scope(db.session, g.actor, year=query_int("year", high=2100))
    return {"programs": [serialize.program(p) for p in rows]}


@blueprint.post("/childcare/programs")
@login_required
def create_program():
    """Open a program (with its sessions) for a union in scope."""
    body = payload(ProgramIn)
    program = programs.create_program(db.session, g.actor, **body.model_dump(exclude={"sessions"}))
    for care in body.sessions:
        programs.add_session(db.session, g.actor, program.id, **care.model_dump())
    db.session.commit()
    return serialize.program(program), 201


@blueprint.patch("/childcare/programs/<id:program_id>")
@login_required
def update_program(program_id: int):
    """Change a program's details."""
    fields = payload(ProgramPatch).model_dump(exclude_unset=True)
    program = programs.update_program(db.session, g.actor, program_id, **fields)
    db.session.commit()
    return serialize.program(program)


@blueprint.post("/childcare/programs/<id:program_id>/sessions")
@login_required
def add_session(program_id: int):
    """Add a session (期) with its places."""
    care = programs.add_session(db.session, g.actor, program_id, **payload(CareSessionIn).model_dump())
    db.session.commit()
    return serialize.care_session(care), 201


@blueprint.get("/childcare/sessions/<id:session_id>/roster")
@login_required
def roster(session_id: int):
    """The children of a session with guardians' phones (audited)."""
    care, rows = programs.roster(db.session, g.actor, session_id)
    db.session.commit()
    return {"session": serialize.care_session(care), "children": roster_rows(db.session, rows)}


@blueprint.get("/childcare/sessions/<id:session_id>/roster.xlsx")
@login_required
def roster_export(session_id: int):
    """The roster as an Excel workbook for the teachers (audited as an export)."""
    care, rows = programs.roster(db.session, g.actor, session_id, export=True)
    db.session.commit()
    return roster_download(care, roster_rows(db.session, rows))


@blueprint.get("/childcare/counts")
@login_required
def counts():
    """Children confirmed and waiting per program, kind and session."""
    return {"counts": programs.counts(db.session, g.actor, year=query_int("year", high=2100)), "seasons": SEASON_LABELS}
