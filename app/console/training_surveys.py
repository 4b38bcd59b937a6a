"""Console pages: needs surveys (需求调查) — the list, a new survey with its questions, live results."""

from __future__ import annotations

from datetime import timedelta

from flask import g, render_template, request

from models import surveys
from models.base import LOCAL_TZ, utcnow
from models.errors import DomainError
from models.organisation import list_enterprises

from ..extensions import db
from . import blueprint
from .training_forms import question_blocks, refill, survey_form
from .web import done

REFRESH_SECONDS = 30  # the results of an open survey refresh themselves, e.g. on a projector at a meeting


@blueprint.get("/training/surveys")
def training_surveys():
    """List the surveys of the unions in scope with their numbers of answers."""
    rows = surveys.list_surveys(db.session, g.actor)
    return render_template(
        "console/training/surveys.html", rows=rows, audiences=surveys.AUDIENCE_LABELS, statuses=surveys.STATUS_LABELS
    )


@blueprint.get("/training/surveys/new")
def training_survey_new():
    """Show the form of a new survey: audience, time, and blank questions."""
    return _new_form()


def _new_form() -> str:
    now = utcnow().astimezone(LOCAL_TZ).replace(second=0, microsecond=0)
    return render_template(
        "console/training/survey_new.html",
        blocks=question_blocks(),
        enterprises=list_enterprises(db.session, g.actor),
        opens_at=now,
        closes_at=(now + timedelta(days=30)).replace(hour=18, minute=0),
        kinds=surveys.KIND_LABELS,
        audiences=surveys.AUDIENCE_LABELS,
        form=request.form,
    )


@blueprint.post("/training/surveys/new")
def training_survey_create():
    """Create the survey as written; the domain checks each question."""
    try:
        body = survey_form()
        survey = surveys.create_survey(
            db.session,
            g.actor,
            **body.model_dump(exclude={"questions"}),
            questions=[q.to_domain() for q in body.questions],
        )
    except DomainError as error:
        return refill(error, _new_form)
    return done(f"问卷《{survey.title}》已创建。", "console.training_survey", survey_id=survey.id)


@blueprint.get("/training/surveys/<id:survey_id>")
def training_survey(survey_id: int):
    """Show a survey's results now, as bars; the free-text answers only when asked for (that view is audited)."""
    texts = request.args.get("texts") == "1"
    found = surveys.results(db.session, g.actor, survey_id, texts=texts)
    db.session.commit()  # the audit entry of reading the free text
    status = found.survey.status()
    return render_template(
        "console/training/survey_results.html",
        found=found,
        survey=found.survey,
        status=status,
        statuses=surveys.STATUS_LABELS,
        audiences=surveys.AUDIENCE_LABELS,
        kinds=surveys.KIND_LABELS,
        texts=texts,
        refresh=REFRESH_SECONDS if status == surveys.OPEN and not texts else None,
        has_text=any(q.kind == surveys.TEXT for q in found.survey.questions),
    )
