"""Needs surveys for officials: create one for an audience, list them, read live results (free text audited)."""

from __future__ import annotations

from flask import g

from models import surveys

from ..extensions import db
from . import blueprint
from . import survey_schemas as out
from .context import login_required, payload
from .survey_schemas import SurveyIn


@blueprint.get("/surveys")
@login_required
def list_surveys():
    """List the surveys of the unions in scope, newest first, with their numbers of responses."""
    return {"surveys": [out.survey(s, n) for s, n in surveys.list_surveys(db.session, g.actor)]}


@blueprint.post("/surveys")
@login_required
def create_survey():
    """Create a survey for everyone, some industries or some enterprises, owned by a union in scope."""
    body = payload(SurveyIn)
    fields = body.model_dump(exclude={"questions"})
    survey = surveys.create_survey(db.session, g.actor, **fields, questions=[q.to_domain() for q in body.questions])
    db.session.commit()
    return out.survey(survey, 0), 201


@blueprint.get("/surveys/<id:survey_id>/results")
@login_required
def survey_results(survey_id: int):
    """Tally a survey's answers now: counts and shares per option, free-text answers (audited)."""
    found = surveys.results(db.session, g.actor, survey_id)
    db.session.commit()
    return out.results(found)
