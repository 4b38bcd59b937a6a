"""Console pages: childcare (托管) — the programs of the official's scope, a program, creating and editing one.

A session's roster, its export and cancellations live in childcare_sessions.py.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from models import programs
from models.childcare import CONFIRMED, KIND_LABELS, SEASON_LABELS, WAITLISTED, Program
from models.errors import DomainError, Invalid
from models.organisation import list_unions

from ..extensions import db
from . import blueprint
from .childcare_forms import ProgramEditForm, ProgramForm, changes, program_form, program_values
from .web import done


@blueprint.get("/childcare")
def childcare():
    """List the programs of the unions in scope with places taken and children waiting; totals per kind."""
    year = _year()
    rows = programs.programs_in_scope(db.session, g.actor, year=year)
    counts = programs.counts(db.session, g.actor, year=year)
    by_kind = {label: {CONFIRMED: 0, WAITLISTED: 0} for label in KIND_LABELS.values()}
    waiting: dict[int, int] = {}
    for row in counts:
        by_kind[row["kind"]][CONFIRMED] += row[CONFIRMED]
        by_kind[row["kind"]][WAITLISTED] += row[WAITLISTED]
        waiting[row["program_id"]] = waiting.get(row["program_id"], 0) + row[WAITLISTED]
    years = sorted({p.year for p in programs.programs_in_scope(db.session, g.actor)}, reverse=True)
    return render_template(
        "console/childcare/programs.html",
        programs=rows,
        waiting=waiting,
        by_kind=by_kind,
        year=year,
        years=[(None, "全部")] + [(str(y), f"{y}年") for y in years],
        seasons=SEASON_LABELS,
    )


def _year() -> int | None:
    raw = request.args.get("year") or None
    if raw is not None and not (raw.isdigit() and 2020 <= int(raw) <= 2100):
        raise Invalid("年度应为2020到2100之间的年份")
    return int(raw) if raw else None


@blueprint.get("/childcare/new")
def childcare_new():
    """Show the form to open a program."""
    return _program_form(None, program_values(None) | {"union_id": str(g.actor.official.union_id)})


@blueprint.post("/childcare/new")
def childcare_create():
    """Open the program; its sessions are added on its page."""
    try:
        body = program_form(ProgramForm)
        program = programs.create_program(db.session, g.actor, **body.model_dump(exclude={"sessions"}))
    except DomainError as error:
        return _refill(error, None)
    return done(f"已创建托管项目：{program.title}。请添加期次。", "console.childcare_program", program_id=program.id)


@blueprint.get("/childcare/programs/<id:program_id>")
def childcare_program(program_id: int):
    """Show a program: its details, its sessions with places and children waiting, and a form to add a session."""
    program = programs.program_in_scope(db.session, g.actor, program_id)
    counts = {row["session_id"]: row for row in programs.counts(db.session, g.actor, year=program.year)}
    return render_template(
        "console/childcare/program.html", program=program, counts=counts, seasons=SEASON_LABELS, waitlisted=WAITLISTED
    )


@blueprint.get("/childcare/programs/<id:program_id>/edit")
def childcare_edit(program_id: int):
    """Show the program's form filled in."""
    program = programs.program_in_scope(db.session, g.actor, program_id)
    return _program_form(program, program_values(program))


@blueprint.post("/childcare/programs/<id:program_id>/edit")
def childcare_update(program_id: int):
    """Save the fields that changed."""
    program = programs.program_in_scope(db.session, g.actor, program_id)
    try:
        fields = changes(program, program_form(ProgramEditForm).model_dump(exclude_unset=True))
        if not fields:
            flash("没有需要保存的修改。", "success")
            return redirect(url_for("console.childcare_program", program_id=program.id))
        programs.update_program(db.session, g.actor, program.id, **fields)
    except DomainError as error:
        return _refill(error, program)
    return done("已保存托管项目的修改。", "console.childcare_program", program_id=program.id)


def _program_form(program: Program | None, values) -> str:
    unions = list_unions(db.session, g.actor) if program is None else []
    return render_template(
        "console/childcare/program_form.html",
        program=program,
        values=values,
        unions=unions,
        kinds=KIND_LABELS,
        seasons=SEASON_LABELS,
    )


def _refill(error: DomainError, program: Program | None) -> tuple[str, int]:
    """Show a refused form again with what was typed and the reason, instead of losing a long form."""
    db.session.rollback()
    flash(error.message, "error")
    return _program_form(program, request.form), 400


# The area's other pages register on the blueprint when imported.
from . import childcare_sessions  # noqa: E402, F401
