"""Needs surveys (需求调查) before a menu-style training: questionnaires, answers once per worker, live tallies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import JSON, ColumnElement, ForeignKey, String, Text, UniqueConstraint, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from . import audit
from .access import Actor
from .base import Base, as_utc, utcnow
from .crypto import EncryptedText
from .enterprises import Enterprise
from .errors import Conflict, Invalid, NotFound
from .unions import TradeUnion, subtree_ids
from .workers import Worker, reach

EVERYONE, INDUSTRY, ENTERPRISES = "everyone", "industry", "enterprises"
AUDIENCE_LABELS = {EVERYONE: "全体职工", INDUSTRY: "指定行业", ENTERPRISES: "指定企业"}
SINGLE, MULTIPLE, TEXT = "single", "multiple", "text"
KIND_LABELS = {SINGLE: "单选", MULTIPLE: "多选", TEXT: "填空"}
UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"
STATUS_LABELS = {UPCOMING: "未开始", OPEN: "进行中", CLOSED: "已截止"}
MAX_QUESTIONS, MAX_OPTIONS, MAX_TEXT = 50, 30, 2000


class SurveyClosed(Invalid):
    """The survey is not taking answers now."""

    code = "survey_closed"
    message = "该问卷不在填写时间内"


class AlreadyAnswered(Conflict):
    """The worker has answered this survey already."""

    code = "already_answered"
    message = "您已填写过该问卷"


class Survey(Base):
    """A union's questionnaire for an audience, open for a while; fixed once created so answers stay comparable."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    title: Mapped[str] = mapped_column(String(100))
    intro: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(12))  # everyone | industry | enterprises
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    union: Mapped[TradeUnion] = relationship()
    targets: Mapped[list[SurveyTarget]] = relationship(cascade="all, delete-orphan", order_by="SurveyTarget.id")
    questions: Mapped[list[SurveyQuestion]] = relationship(
        cascade="all, delete-orphan", order_by="SurveyQuestion.position"
    )

    @property
    def industries(self) -> list[str]:
        return [t.industry for t in self.targets if t.industry is not None]

    @property
    def enterprises(self) -> list[Enterprise]:
        return [t.enterprise for t in self.targets if t.enterprise is not None]

    def status(self, now: datetime | None = None) -> str:
        """Tell whether the survey is upcoming, open or closed at a moment (now by default)."""
        now = now or utcnow()
        if now < as_utc(self.opens_at):
            return UPCOMING
        return OPEN if now < as_utc(self.closes_at) else CLOSED


class SurveyTarget(Base):
    """One industry or one enterprise of a survey's audience."""

    __tablename__ = "survey_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    industry: Mapped[str | None] = mapped_column(String(30), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)

    enterprise: Mapped[Enterprise | None] = relationship()


class SurveyQuestion(Base):
    """A question: single or multiple choice among options (by index), or free text."""

    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # 1, 2, 3… as shown
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(default=True)
    options: Mapped[list] = mapped_column(JSON, default=list)
    max_choices: Mapped[int | None]  # multiple choice: at most this many (None: any)
    max_length: Mapped[int | None]  # free text: at most this many characters


class SurveyResponse(Base):
    """A worker's answer to a survey: one per worker, however many requests race."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "worker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    # The employer when answering, so that results can say where the demand comes from (开滦 sent 83).
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[Survey] = relationship()
    answers: Mapped[list[SurveyAnswer]] = relationship(cascade="all, delete-orphan", order_by="SurveyAnswer.id")


class SurveyAnswer(Base):
    """One chosen option (a row per option, so that SQL counts them) or one free-text answer."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    option: Mapped[int | None]
    # Free text may name people, illnesses or employers: encrypted like other personal data.
    text: Mapped[str | None] = mapped_column(EncryptedText)


@dataclass(frozen=True)
class QuestionIn:
    """A question as an official writes it."""

    kind: str
    text: str
    required: bool = True
    options: list[str] = field(default_factory=list)
    max_choices: int | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Reply:
    """A worker's answer to one question: option indexes for a choice, text for free text."""

    question_id: int
    choices: list[int] | None = None
    text: str | None = None


def _question(number: int, q: QuestionIn) -> SurveyQuestion:
    """Check a question as written and make its row."""
    where = {"field": "questions", "position": number}
    if q.kind not in KIND_LABELS:
        raise Invalid(f"第{number}题的题型应为 single（单选）、multiple（多选）或 text（填空）", **where)
    if not q.text.strip():
        raise Invalid(f"请填写第{number}题的题目", **where)
    options = [o.strip() for o in q.options]
    if q.kind == TEXT:
        if options or q.max_choices is not None:
            raise Invalid(f"第{number}题是填空题，不能设置选项", **where)
        if not 1 <= (q.max_length or 500) <= MAX_TEXT:
            raise Invalid(f"第{number}题的字数上限应在1到{MAX_TEXT}之间", **where)
        return SurveyQuestion(
            position=number, kind=TEXT, text=q.text.strip(), required=q.required, max_length=q.max_length or 500
        )
    if not 2 <= len(options) <= MAX_OPTIONS or not all(options) or len(set(options)) != len(options):
        raise Invalid(f"第{number}题应有2到{MAX_OPTIONS}个互不相同的选项", **where)
    if q.max_length is not None or (q.kind == SINGLE and q.max_choices is not None):
        raise Invalid(f"第{number}题的设置与题型不符", **where)
    if q.max_choices is not None and not 1 <= q.max_choices <= len(options):
        raise Invalid(f"第{number}题最多可选项数应在1到{len(options)}之间", **where)
    return SurveyQuestion(
        position=number,
        kind=q.kind,
        text=q.text.strip(),
        required=q.required,
        options=options,
        max_choices=q.max_choices,
    )


def _targets(
    session: Session, union_id: int, audience: str, industries: list[str], enterprise_ids: list[int]
) -> list[SurveyTarget]:
    """Check an audience and make its rows: none for everyone, one per industry or enterprise."""
    if audience == EVERYONE:
        if industries or enterprise_ids:
            raise Invalid("面向全体职工的问卷不能再指定行业或企业", field="audience")
        return []
    if audience == INDUSTRY:
        names = list(dict.fromkeys(i.strip() for i in industries if i.strip()))
        if not names or enterprise_ids:
            raise Invalid("请指定至少一个行业（且不指定企业）", field="industries")
        return [SurveyTarget(industry=name) for name in names]
    if audience != ENTERPRISES:
        raise Invalid("调查对象应为 everyone（全体）、industry（行业）或 enterprises（企业）", field="audience")
    if not enterprise_ids or industries:
        raise Invalid("请指定至少一家企业（且不指定行业）", field="enterprise_ids")
    reach = subtree_ids(session, union_id)
    targets = []
    for enterprise_id in dict.fromkeys(enterprise_ids):
        enterprise = session.get(Enterprise, enterprise_id)
        # An enterprise outside the owning union's tree is "not found", as anywhere out of scope.
        if enterprise is None or not enterprise.scope_union_ids & reach:
            raise NotFound("未找到该企业", field="enterprise_ids", enterprise_id=enterprise_id)
        targets.append(SurveyTarget(enterprise_id=enterprise.id))
    return targets


def create_survey(
    session: Session,
    actor: Actor,
    *,
    title: str,
    audience: str,
    opens_at: datetime,
    closes_at: datetime,
    questions: Sequence[QuestionIn],
    union_id: int | None = None,
    intro: str = "",
    industries: Sequence[str] = (),
    enterprise_ids: Sequence[int] = (),
) -> Survey:
    """Create a survey owned by a union in the official's scope (their own by default); the caller commits."""
    actor.require_write()
    union = actor.require_union(session, union_id or actor.official.union_id)
    if not title.strip():
        raise Invalid("请填写问卷标题", field="title")
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        raise Invalid("时间须带时区", field="opens_at")
    if opens_at >= closes_at:
        raise Invalid("开始时间应早于截止时间", field="closes_at")
    if closes_at <= utcnow():
        raise Invalid("截止时间应晚于现在", field="closes_at")
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise Invalid(f"问卷应有1到{MAX_QUESTIONS}道题", field="questions")
    survey = Survey(
        union_id=union.id,
        official_id=actor.id,
        title=title.strip(),
        intro=intro.strip(),
        audience=audience,
        # In UTC: SQLite keeps no offset, so a +08:00 time would come back eight hours off.
        opens_at=opens_at.astimezone(UTC),
        closes_at=closes_at.astimezone(UTC),
        targets=_targets(session, union.id, audience, list(industries), list(enterprise_ids)),
        questions=[_question(n, q) for n, q in enumerate(questions, start=1)],
    )
    session.add(survey)
    session.flush()
    audit.record(
        session, actor=actor, action="create", object_type="survey", object_id=survey.id, union_id=union.id, ip=actor.ip
    )
    return survey


def survey_in_scope(session: Session, actor: Actor, survey_id: int) -> Survey:
    """Return a survey owned by a union in the official's scope, or raise NotFound."""
    survey = session.get(Survey, survey_id)
    if survey is None or survey.union_id not in actor.union_ids:
        raise NotFound("未找到该问卷")
    return survey


def list_surveys(session: Session, actor: Actor) -> list[tuple[Survey, int]]:
    """List the surveys of the unions in scope, newest first, each with its number of responses."""
    responses = select(func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == Survey.id).scalar_subquery()
    query = select(Survey, responses).where(Survey.union_id.in_(actor.union_ids)).order_by(Survey.id.desc())
    return [(survey, count) for survey, count in session.execute(query)]


def _audience_of(session: Session, worker: Worker) -> ColumnElement[bool]:
    """Return the condition on Survey that a worker is in its audience."""
    employer = worker.employer
    matches = [Survey.audience == EVERYONE]
    if employer is not None:
        mine = Survey.targets.any(SurveyTarget.enterprise_id == employer.id)
        matches.append(and_(Survey.audience == ENTERPRISES, mine))
        if employer.industry:
            matches.append(
                and_(Survey.audience == INDUSTRY, Survey.targets.any(SurveyTarget.industry == employer.industry))
            )
    return and_(Survey.union_id.in_(reach(session, worker)), or_(*matches))


def surveys_for(session: Session, worker: Worker) -> list[Survey]:
    """List the surveys open now whose audience includes the worker, closing soonest first."""
    now = utcnow()
    query = (
        select(Survey)
        .where(_audience_of(session, worker), Survey.opens_at <= now, Survey.closes_at > now)
        .order_by(Survey.closes_at, Survey.id)
    )
    return list(session.scalars(query))


def survey_for(session: Session, worker: Worker, survey_id: int) -> Survey:
    """Return a survey that has opened and whose audience includes the worker, or raise NotFound."""
    query = select(Survey).where(Survey.id == survey_id, _audience_of(session, worker), Survey.opens_at <= utcnow())
    survey = session.scalar(query)
    if survey is None:
        raise NotFound("未找到该问卷")
    return survey


def answered(session: Session, worker: Worker, survey_ids: list[int]) -> dict[int, datetime]:
    """Return when the worker answered each of these surveys they have answered."""
    rows = session.execute(
        select(SurveyResponse.survey_id, SurveyResponse.submitted_at).where(
            SurveyResponse.worker_id == worker.id, SurveyResponse.survey_id.in_(survey_ids)
        )
    )
    return {survey_id: as_utc(at) for survey_id, at in rows}


def _answers(question: SurveyQuestion, reply: Reply | None) -> list[SurveyAnswer]:
    """Check a worker's reply to one question and make its rows (none for an optional question skipped)."""
    where = {"field": "answers", "question_id": question.id}
    label = f"第{question.position}题"
    if reply is None or (not reply.choices and not (reply.text or "").strip()):
        if question.required:
            raise Invalid(f"{label}为必答题", **where)
        return []
    if question.kind == TEXT:
        text = (reply.text or "").strip()
        if reply.choices or not text:
            raise Invalid(f"{label}是填空题，请填写文字", **where)
        if len(text) > question.max_length:
            raise Invalid(f"{label}最多填写{question.max_length}字", **where)
        return [SurveyAnswer(question_id=question.id, text=text)]
    choices = reply.choices or []
    if reply.text or not choices:
        raise Invalid(f"{label}是选择题，请选择选项", **where)
    if len(set(choices)) != len(choices) or not all(0 <= c < len(question.options) for c in choices):
        raise Invalid(f"{label}的选项无效", **where)
    if question.kind == SINGLE and len(choices) != 1:
        raise Invalid(f"{label}是单选题，只能选一项", **where)
    if question.max_choices is not None and len(choices) > question.max_choices:
        raise Invalid(f"{label}最多选{question.max_choices}项", **where)
    return [SurveyAnswer(question_id=question.id, option=c) for c in sorted(choices)]


def answer_survey(session: Session, *, worker: Worker, survey_id: int, replies: Sequence[Reply]) -> SurveyResponse:
    """Record a worker's one answer to a survey open to them; commits, so that a second one is refused."""
    survey = survey_for(session, worker, survey_id)
    if survey.status() != OPEN:
        raise SurveyClosed("该问卷已截止" if survey.status() == CLOSED else "该问卷尚未开始", field="survey_id")
    if session.scalar(
        select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id, SurveyResponse.worker_id == worker.id)
    ):
        raise AlreadyAnswered(field="survey_id")
    by_question = {}
    questions = {q.id: q for q in survey.questions}
    for reply in replies:
        if reply.question_id not in questions:
            raise Invalid("该问卷没有这道题", field="answers", question_id=reply.question_id)
        if reply.question_id in by_question:
            raise Invalid("同一道题只能回答一次", field="answers", question_id=reply.question_id)
        by_question[reply.question_id] = reply
    rows = [a for q in survey.questions for a in _answers(q, by_question.get(q.id))]
    if not rows:
        raise Invalid("请至少回答一道题", field="answers")
    response = SurveyResponse(survey_id=survey.id, worker_id=worker.id, enterprise_id=worker.employer_id, answers=rows)
    session.add(response)
    try:
        session.flush()
    except IntegrityError as error:
        # Another request of the same worker got there first; the unique constraint decided.
        session.rollback()
        raise AlreadyAnswered(field="survey_id") from error
    session.commit()
    return response


@dataclass
class OptionTally:
    """How many respondents chose an option, and their share of those who answered the question."""

    index: int
    label: str
    count: int = 0
    share: float = 0.0


@dataclass
class QuestionTally:
    """A question's results: who answered it, option counts, or the free-text answers."""

    question: SurveyQuestion
    answered: int = 0
    options: list[OptionTally] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class Results:
    """A survey's live results."""

    survey: Survey
    responses: int
    by_enterprise: list[tuple[int | None, str | None, int]]
    questions: list[QuestionTally]


def results(session: Session, actor: Actor, survey_id: int, *, texts: bool = True) -> Results:
    """Tally a survey's answers now; free text is personal, so reading it (texts=True) leaves an audit entry."""
    survey = survey_in_scope(session, actor, survey_id)
    tallies = {
        q.id: QuestionTally(q, options=[OptionTally(i, label) for i, label in enumerate(q.options)])
        for q in survey.questions
    }
    mine = select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id)
    per_question = select(SurveyAnswer.question_id, func.count(SurveyAnswer.response_id.distinct())).where(
        SurveyAnswer.response_id.in_(mine)
    )
    for question_id, count in session.execute(per_question.group_by(SurveyAnswer.question_id)):
        tallies[question_id].answered = count
    per_option = (
        select(SurveyAnswer.question_id, SurveyAnswer.option, func.count())
        .where(SurveyAnswer.response_id.in_(mine), SurveyAnswer.option.is_not(None))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.option)
    )
    for question_id, option, count in session.execute(per_option):
        tally = tallies[question_id]
        tally.options[option].count = count
        tally.options[option].share = round(count / tally.answered, 4)
    if texts:
        _read_texts(session, actor, survey, mine, tallies)
    by_enterprise = session.execute(
        select(SurveyResponse.enterprise_id, Enterprise.name, func.count())
        .outerjoin(Enterprise, SurveyResponse.enterprise_id == Enterprise.id)
        .where(SurveyResponse.survey_id == survey.id)
        .group_by(SurveyResponse.enterprise_id, Enterprise.name)
        .order_by(func.count().desc(), Enterprise.name)
    )
    rows = [(enterprise_id, name, count) for enterprise_id, name, count in by_enterprise]
    return Results(survey, sum(count for *_, count in rows), rows, list(tallies.values()))


def _read_texts(session: Session, actor: Actor, survey: Survey, mine, tallies: dict[int, QuestionTally]) -> None:
    """Add the free-text answers to their questions' tallies, and record that the official read them."""
    texts = select(SurveyAnswer.question_id, SurveyAnswer.text).where(
        SurveyAnswer.response_id.in_(mine), SurveyAnswer.option.is_(None)
    )
    for question_id, text in session.execute(texts.order_by(SurveyAnswer.id)):
        tallies[question_id].texts.append(text)
    if any(q.kind == TEXT for q in survey.questions):
        audit.record(
            session,
            actor=actor,
            action="view",
            object_type="survey_answers",
            object_id=survey.id,
            union_id=survey.union_id,
            ip=actor.ip,
        )
