"""Needs surveys in the admin API: the body of a new survey, and surveys and live results as JSON."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from models.base import as_utc
from models.surveys import AUDIENCE_LABELS, KIND_LABELS, STATUS_LABELS, QuestionIn, Results, Survey, SurveyQuestion

from .schemas import Body, Id, Name, Short, printable, printable_lines
from .serialize import union_ref

Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(printable)
]
Wording = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(printable)
]
Intro = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(printable_lines)]


class QuestionBody(Body):
    kind: Literal["single", "multiple", "text"]
    text: Wording
    required: bool = True
    options: list[Label] = Field(default_factory=list, max_length=30)
    max_choices: Annotated[int, Field(ge=1, le=30)] | None = None
    max_length: Annotated[int, Field(ge=1, le=2000)] | None = None

    def to_domain(self) -> QuestionIn:
        """Return the question as the domain takes it."""
        return QuestionIn(**self.model_dump())


class SurveyIn(Body):
    union_id: Id | None = None  # the official's own union when left out
    title: Name
    intro: Intro = ""
    audience: Literal["everyone", "industry", "enterprises"]
    industries: list[Short] = Field(default_factory=list, max_length=20)
    enterprise_ids: list[Id] = Field(default_factory=list, max_length=200)
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    questions: list[QuestionBody] = Field(min_length=1, max_length=50)


def question(row: SurveyQuestion) -> dict:
    return {
        "id": row.id,
        "position": row.position,
        "kind": row.kind,
        "kind_label": KIND_LABELS[row.kind],
        "text": row.text,
        "required": row.required,
        "options": row.options,
        "max_choices": row.max_choices,
        "max_length": row.max_length,
    }


def survey(row: Survey, responses: int) -> dict:
    status = row.status()
    return {
        "id": row.id,
        "union": union_ref(row.union),
        "title": row.title,
        "intro": row.intro,
        "audience": row.audience,
        "audience_label": AUDIENCE_LABELS[row.audience],
        "industries": row.industries,
        "enterprises": [{"id": e.id, "name": e.name} for e in row.enterprises],
        "opens_at": as_utc(row.opens_at).isoformat(),
        "closes_at": as_utc(row.closes_at).isoformat(),
        "status": status,
        "status_label": STATUS_LABELS[status],
        "responses": responses,
        "questions": [question(q) for q in row.questions],
    }


def results(found: Results) -> dict:
    """Serialize live results: counts and shares per option, free-text answers (an audited view)."""
    return {
        "survey": survey(found.survey, found.responses),
        "responses": found.responses,
        "by_enterprise": [{"id": i, "name": name, "responses": n} for i, name, n in found.by_enterprise],
        "questions": [
            {
                **question(t.question),
                "answered": t.answered,
                "options": [
                    {"index": o.index, "label": o.label, "count": o.count, "share": o.share} for o in t.options
                ],
                "texts": t.texts,
            }
            for t in found.questions
        ],
    }
