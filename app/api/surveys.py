"""Needs surveys (需求调查) in the mini-program: the surveys open to the worker, one survey, answering it once."""

from __future__ import annotations

from flask import g

from models import surveys

from ..extensions import db
from . import blueprint
from .endpoints import endpoint
from .survey_schemas import ResponseIn, ResponseOut, SurveyList, SurveyOut, SurveySummary


@blueprint.get("/surveys")
@endpoint(SurveyList, tag="surveys")
def open_surveys() -> SurveyList:
    """List the surveys open now to the worker (their employer's industry or enterprise), closing soonest first."""
    rows = surveys.surveys_for(db.session, g.worker)
    done = surveys.answered(db.session, g.worker, [s.id for s in rows])
    return SurveyList(surveys=[SurveySummary.of(s, done.get(s.id)) for s in rows])


@blueprint.get("/surveys/<id:survey_id>")
@endpoint(SurveyOut, errors=(404,), tag="surveys")
def one_survey(survey_id: int) -> SurveyOut:
    """Show a survey of the worker's audience with its questions, and whether they answered it."""
    survey = surveys.survey_for(db.session, g.worker, survey_id)
    return SurveyOut.of(survey, surveys.answered(db.session, g.worker, [survey.id]).get(survey.id))


@blueprint.post("/surveys/<id:survey_id>/responses")
@endpoint(ResponseOut, body=ResponseIn, status=201, errors=(404, 409), tag="surveys")
def answer_survey(survey_id: int, body: ResponseIn) -> ResponseOut:
    """Answer a survey, once: required questions answered, options valid; a second answer is 409."""
    replies = [a.to_domain() for a in body.answers]
    response = surveys.answer_survey(db.session, worker=g.worker, survey_id=survey_id, replies=replies)
    return ResponseOut.of(response)
