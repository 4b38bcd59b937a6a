"""Bodies of the mini-program's survey endpoints: surveys open to the worker, and their one answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from models.base import as_utc
from models.surveys import KIND_LABELS, OPEN, Reply, Survey, SurveyQuestion, SurveyResponse

from ..admin.schemas import Body, Id, printable_lines
from .schemas import Answer, Ref

FreeText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(printable_lines)]


class QuestionOut(Answer):
    id: int
    position: int = Field(description="1, 2, 3… as shown")
    kind: Literal["single", "multiple", "text"]
    kind_label: str = Field(description="单选, 多选 or 填空")
    text: str
    required: bool
    options: list[str] = Field(description="choices, answered by their index from 0; empty for free text")
    max_choices: int | None = Field(description="multiple choice: at most this many; null: any")
    max_length: int | None = Field(description="free text: at most this many characters")

    @classmethod
    def of(cls, row: SurveyQuestion) -> QuestionOut:
        """Describe a question."""
        return cls(
            id=row.id,
            position=row.position,
            kind=row.kind,
            kind_label=KIND_LABELS[row.kind],
            text=row.text,
            required=row.required,
            options=row.options,
            max_choices=row.max_choices,
            max_length=row.max_length,
        )


class SurveySummary(Answer):
    """A survey in the worker's list."""

    id: int
    union: Ref = Field(description="the union that asks")
    title: str
    opens_at: datetime
    closes_at: datetime
    open: bool = Field(description="taking answers now")
    question_count: int
    answered_at: datetime | None = Field(description="when the worker answered; null until then")

    @classmethod
    def fields(cls, survey: Survey, answered_at: datetime | None) -> dict:
        """Return the summary's fields of a survey."""
        return {
            "id": survey.id,
            "union": Ref(id=survey.union.id, name=survey.union.name),
            "title": survey.title,
            "opens_at": as_utc(survey.opens_at),
            "closes_at": as_utc(survey.closes_at),
            "open": survey.status() == OPEN,
            "question_count": len(survey.questions),
            "answered_at": answered_at,
        }

    @classmethod
    def of(cls, survey: Survey, answered_at: datetime | None) -> SurveySummary:
        """Describe a survey briefly."""
        return cls(**cls.fields(survey, answered_at))


class SurveyOut(SurveySummary):
    """A survey with its questions."""

    intro: str
    questions: list[QuestionOut]

    @classmethod
    def of(cls, survey: Survey, answered_at: datetime | None) -> SurveyOut:
        """Describe a survey with its questions."""
        questions = [QuestionOut.of(q) for q in survey.questions]
        return cls(**cls.fields(survey, answered_at), intro=survey.intro, questions=questions)


class SurveyList(Answer):
    surveys: list[SurveySummary]


class ReplyIn(Body):
    question_id: Id
    choices: list[Annotated[int, Field(ge=0, le=29)]] | None = Field(
        default=None, max_length=30, description="choice questions: the indexes of the chosen options"
    )
    text: FreeText | None = Field(default=None, description="free-text questions: the answer")

    def to_domain(self) -> Reply:
        """Return the reply as the domain takes it."""
        return Reply(self.question_id, self.choices, self.text)


class ResponseIn(Body):
    answers: list[ReplyIn] = Field(min_length=1, max_length=50, description="one per question answered")


class ResponseOut(Answer):
    """The worker's answer was recorded."""

    id: int
    survey: Ref
    submitted_at: datetime

    @classmethod
    def of(cls, response: SurveyResponse) -> ResponseOut:
        """Describe a recorded answer."""
        survey = Ref(id=response.survey.id, name=response.survey.title)
        return cls(id=response.id, survey=survey, submitted_at=as_utc(response.submitted_at))
