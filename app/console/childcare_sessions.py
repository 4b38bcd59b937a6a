"""Console pages: a childcare session (期) — adding one, its roster and waitlist (audited), the Excel, cancelling."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for

from models import programs, registrations
from models.childcare import Registration

from ..admin.rosters import roster_download, roster_rows
from ..extensions import db
from . import blueprint
from .childcare_forms import session_form
from .web import done


@blueprint.post("/childcare/programs/<id:program_id>/sessions")
def childcare_add_session(program_id: int):
    """Add a session with its places to a program."""
    care = programs.add_session(db.session, g.actor, program_id, **session_form().model_dump())
    return done(f"已添加期次：{care.name}，名额{care.capacity}个。", "console.childcare_program", program_id=program_id)


@blueprint.get("/childcare/sessions/<id:session_id>")
def childcare_roster(session_id: int):
    """Show a session's roster: the children with places, then the waitlist in order (an audited view)."""
    care, rows = programs.roster(db.session, g.actor, session_id)
    db.session.commit()  # the audit entry of the view
    listed = roster_rows(db.session, rows)
    return render_template(
        "console/childcare/roster.html",
        care=care,
        program=care.program,
        confirmed=[r for r in listed if r["waitlist"] is None],
        waiting=[r for r in listed if r["waitlist"] is not None],
    )


@blueprint.get("/childcare/sessions/<id:session_id>/roster.xlsx")
def childcare_roster_export(session_id: int):
    """Download the roster as the admin API's Excel workbook (audited as an export)."""
    care, rows = programs.roster(db.session, g.actor, session_id, export=True)
    db.session.commit()
    return roster_download(care, roster_rows(db.session, rows))


@blueprint.post("/childcare/registrations/<id:registration_id>/cancel")
def childcare_cancel(registration_id: int):
    """Cancel a child's registration for a guardian who asked the union; the first child waiting moves up."""
    promoted = registrations.cancel_for_guardian(db.session, g.actor, registration_id)
    cancelled = db.session.get(Registration, registration_id)
    message = f"已取消{cancelled.child.name}的报名，已通知家长。"
    if promoted is not None:
        message += f"候补的{promoted.child.name}已递补为正式报名。"
    flash(message, "success")
    return redirect(url_for("console.childcare_roster", session_id=cancelled.session_id))
