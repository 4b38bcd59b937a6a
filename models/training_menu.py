"""The training menu: topics set by officials, ordered by workers and enterprises, wishes, the demand ranking."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import audit
from .access import Actor
from .enterprises import Enterprise
from .errors import Conflict, Invalid, NotFound
from .surveys import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from .training import Topic, TopicOrder, TopicRequest
from .unions import ancestors
from .workers import Worker, reach

MAX_HEADCOUNT = 1000
_NOISE = re.compile(
    r"[\s\W_]+|培训|课程|知识|方面的|方面|相关的|相关|我想学习|想学习|我想学|想学|我想|希望|学习|一下|的"
)


def normalize(text: str) -> str:
    """Reduce a wish to its content words, so that 想学电工知识 and 电工 count as one."""
    return _NOISE.sub("", text.lower())[:200]


def _check_topic(fields: dict) -> None:
    if "title" in fields and not 2 <= len(fields["title"].strip()) <= 60:
        raise Invalid("科目名称应为2到60个字", field="title")
    if "days" in fields and not 1 <= fields["days"] <= 30:
        raise Invalid("培训天数应在1到30天之间", field="days")
    if "hours" in fields and not 1 <= fields["hours"] <= 200:
        raise Invalid("课时应在1到200之间", field="hours")
    if "experts" in fields and (len(fields["experts"]) > 20 or not all(e.strip() for e in fields["experts"])):
        raise Invalid("授课专家最多20位，且姓名不能为空", field="experts")


def _clean(fields: dict) -> dict:
    for name in ("title", "description", "audience"):
        if name in fields:
            fields[name] = fields[name].strip()
    if "industry" in fields:
        fields["industry"] = (fields["industry"] or "").strip() or None
    if "experts" in fields:
        fields["experts"] = [e.strip() for e in fields["experts"]]
    return fields


def create_topic(session: Session, actor: Actor, *, union_id: int | None = None, **fields) -> Topic:
    """Put a topic on the menu of a union in the official's scope (their own by default)."""
    actor.require_write()
    union = actor.require_union(session, union_id or actor.official.union_id)
    fields = _clean(fields)
    _check_topic(fields)
    if session.scalar(select(Topic.id).where(Topic.union_id == union.id, Topic.title == fields["title"])):
        raise Conflict("菜单上已有同名科目", field="title")
    topic = Topic(union_id=union.id, official_id=actor.id, **fields)
    session.add(topic)
    session.flush()
    audit.record(
        session, actor=actor, action="create", object_type="training_topic", object_id=topic.id, union_id=union.id
    )
    return topic


def update_topic(session: Session, actor: Actor, topic_id: int, **fields) -> Topic:
    """Change a topic in scope, or take it off the menu (active=False)."""
    actor.require_write()
    topic = topic_in_scope(session, actor, topic_id)
    fields = _clean(fields)
    _check_topic(fields)
    if fields.get("title", topic.title) != topic.title and session.scalar(
        select(Topic.id).where(Topic.union_id == topic.union_id, Topic.title == fields["title"])
    ):
        raise Conflict("菜单上已有同名科目", field="title")
    for name, value in fields.items():
        setattr(topic, name, value)
    audit.record(
        session,
        actor=actor,
        action="update",
        object_type="training_topic",
        object_id=topic.id,
        union_id=topic.union_id,
        fields=sorted(fields),
    )
    return topic


def topic_in_scope(session: Session, actor: Actor, topic_id: int) -> Topic:
    """Return a topic of a union in the official's scope, or raise NotFound."""
    topic = session.get(Topic, topic_id)
    if topic is None or topic.union_id not in actor.union_ids:
        raise NotFound("未找到该培训科目")
    return topic


def list_topics(session: Session, actor: Actor) -> list[Topic]:
    """List the topics of the unions in scope, the menu on offer first."""
    query = select(Topic).where(Topic.union_id.in_(actor.union_ids)).order_by(Topic.active.desc(), Topic.id)
    return list(session.scalars(query))


def offered_to(session: Session, worker: Worker) -> ColumnElement[bool]:
    """Return the condition on Topic that it is on the menu for a worker: a union above them, their industry."""
    industry = worker.employer.industry if worker.employer is not None else None
    for_industry = (
        Topic.industry.is_(None) if industry is None else or_(Topic.industry.is_(None), Topic.industry == industry)
    )
    return Topic.union_id.in_(reach(session, worker)) & for_industry


def menu_for(session: Session, worker: Worker) -> list[Topic]:
    """Return the topics on the menu for a worker, their industry's first."""
    industry = worker.employer.industry if worker.employer is not None else None
    query = select(Topic).where(Topic.active.is_(True), offered_to(session, worker))
    topics = list(session.scalars(query.order_by(Topic.id)))
    return sorted(topics, key=lambda t: t.industry != industry)


def topic_for(session: Session, worker: Worker, topic_id: int) -> Topic:
    """Return a topic on the worker's menu, or raise NotFound."""
    topic = session.scalar(
        select(Topic).where(Topic.id == topic_id, Topic.active.is_(True), offered_to(session, worker))
    )
    if topic is None:
        raise NotFound("菜单上没有该科目")
    return topic


def ordered_by(session: Session, worker: Worker) -> set[int]:
    """Return the topics the worker has ordered."""
    return set(session.scalars(select(TopicOrder.topic_id).where(TopicOrder.worker_id == worker.id)))


def order_counts(session: Session, topic_ids: Sequence[int]) -> dict[int, int]:
    """Count the workers who ordered each topic (enterprises' orders are counted in demand())."""
    query = select(TopicOrder.topic_id, func.count()).where(
        TopicOrder.topic_id.in_(topic_ids), TopicOrder.worker_id.is_not(None)
    )
    return dict(session.execute(query.group_by(TopicOrder.topic_id)).tuples().all())


def order_topic(session: Session, *, worker: Worker, topic_id: int) -> tuple[TopicOrder, bool]:
    """Order a topic for oneself (点菜); ordering it again changes nothing. Commits; returns (order, new)."""
    topic = topic_for(session, worker, topic_id)
    mine = select(TopicOrder).where(TopicOrder.topic_id == topic.id, TopicOrder.worker_id == worker.id)
    existing = session.scalar(mine)
    if existing is not None:
        return existing, False
    order = TopicOrder(topic_id=topic.id, worker_id=worker.id)
    session.add(order)
    try:
        session.flush()
    except IntegrityError:  # the same worker's other request won
        session.rollback()
        return session.scalars(mine).one(), False
    session.commit()
    return order, True


def withdraw_order(session: Session, *, worker: Worker, topic_id: int) -> None:
    """Take back one's order of a topic; commits."""
    order = session.scalar(select(TopicOrder).where(TopicOrder.topic_id == topic_id, TopicOrder.worker_id == worker.id))
    if order is None:
        raise NotFound("您没有点过这个科目")
    session.delete(order)
    session.commit()


def order_for_enterprise(
    session: Session, actor: Actor, *, enterprise_id: int, topic_id: int, headcount: int, note: str = ""
) -> TopicOrder:
    """Order a topic for an enterprise in scope, saying how many it would send; ordering again updates it."""
    actor.require_write()
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None or not actor.sees(*enterprise.scope_union_ids):
        raise NotFound("未找到该企业", field="enterprise_id")
    topic = session.get(Topic, topic_id)
    if topic is None or not topic.active or not reaches(session, topic.union_id, enterprise):
        raise NotFound("菜单上没有该科目", field="topic_id")
    if topic.industry and topic.industry != enterprise.industry:
        raise Invalid(f"该科目面向{topic.industry}行业", field="topic_id")
    if not 1 <= headcount <= MAX_HEADCOUNT:
        raise Invalid(f"拟参训人数应在1到{MAX_HEADCOUNT}之间", field="headcount")
    order = session.scalar(
        select(TopicOrder).where(TopicOrder.topic_id == topic.id, TopicOrder.enterprise_id == enterprise.id)
    )
    if order is None:
        order = TopicOrder(topic_id=topic.id, enterprise_id=enterprise.id)
        session.add(order)
    order.official_id, order.headcount, order.note = actor.id, headcount, note.strip()[:200]
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise Conflict("该企业刚刚点过这个科目，请刷新后再试", field="topic_id") from error
    audit.record(
        session,
        actor=actor,
        action="order",
        object_type="training_topic",
        object_id=topic.id,
        union_id=topic.union_id,
        enterprise_id=enterprise.id,
        headcount=headcount,
    )
    return order


def reaches(session: Session, union_id: int, enterprise: Enterprise) -> bool:
    """Tell whether a union's menu is offered to an enterprise (the union is at or above the enterprise's)."""
    return any(union_id == u or union_id in {a.id for a in ancestors(session, u)} for u in enterprise.scope_union_ids)


def request_topic(session: Session, *, worker: Worker, text: str) -> TopicRequest:
    """Record a wish for something to learn; matched to a topic on the worker's menu when there is one. Commits."""
    wish = text.strip()
    if not 2 <= len(wish) <= 200:
        raise Invalid("请用2到200个字说说想学什么", field="text")
    key = normalize(wish)
    if not key:
        raise Invalid("请说说具体想学什么内容，例如“电工安全操作”", field="text")
    topic = next((t for t in menu_for(session, worker) if _same(normalize(t.title), key)), None)
    request = TopicRequest(
        union_id=home_union(session, worker),
        worker_id=worker.id,
        industry=worker.employer.industry if worker.employer is not None else None,
        text=wish,
        normalized=key,
        topic_id=topic.id if topic else None,
    )
    session.add(request)
    session.commit()
    return request


def home_union(session: Session, worker: Worker) -> int:
    """Return the union that hears a worker's wishes: theirs, else their employer's, else the root's."""
    employer = worker.employer
    return (
        worker.union_id or (employer and (employer.union_id or employer.local_union_id)) or min(reach(session, worker))
    )


def _same(title: str, wish: str) -> bool:
    # A wish naming the topic matches it; a part of a title must say enough (安全 alone is no topic).
    return bool(title) and (title in wish or (len(wish) >= 4 and wish in title))


@dataclass
class DemandRow:
    """One line of the demand ranking: a topic on the menu, or a wish not on it."""

    title: str
    topic: Topic | None = None
    worker_orders: int = 0
    enterprise_orders: int = 0
    enterprise_headcount: int = 0
    survey_votes: int = 0
    requests: int = 0
    industries: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """People asking for it: workers who ordered, enterprises' headcounts, survey votes, wishes."""
        return self.worker_orders + self.enterprise_headcount + self.survey_votes + self.requests


def demand(session: Session, actor: Actor, *, industry: str | None = None) -> list[DemandRow]:
    """Rank what workers and enterprises want to learn, from orders, survey answers and requests."""
    topics = [t for t in list_topics(session, actor) if industry is None or t.industry in (None, industry)]
    rows = {t.id: DemandRow(t.title, t, industries=[t.industry] if t.industry else []) for t in topics}
    ids = list(rows)
    orders = select(
        TopicOrder.topic_id,
        func.count(TopicOrder.worker_id),
        func.count(TopicOrder.enterprise_id),
        func.coalesce(func.sum(TopicOrder.headcount).filter(TopicOrder.enterprise_id.is_not(None)), 0),
    ).where(TopicOrder.topic_id.in_(ids))
    for topic_id, workers, enterprises, headcount in session.execute(orders.group_by(TopicOrder.topic_id)):
        row = rows[topic_id]
        row.worker_orders, row.enterprise_orders, row.enterprise_headcount = workers, enterprises, headcount
    for title, votes in _survey_votes(session, actor).items():
        for row in rows.values():
            if normalize(row.title) == title:
                row.survey_votes += votes
    requests = select(TopicRequest).where(TopicRequest.union_id.in_(actor.union_ids))
    if industry is not None:
        requests = requests.where(TopicRequest.industry == industry)
    wishes: dict[str, DemandRow] = {}
    for request in session.scalars(requests.order_by(TopicRequest.id)):
        if request.topic_id in rows:
            rows[request.topic_id].requests += 1
            continue
        row = wishes.setdefault(request.normalized, DemandRow(request.text))
        row.requests += 1
        if request.industry and request.industry not in row.industries:
            row.industries.append(request.industry)
    ranked = [*rows.values(), *wishes.values()]
    return sorted(ranked, key=lambda r: (-r.total, r.topic is None, r.title))


def _survey_votes(session: Session, actor: Actor) -> dict[str, int]:
    """Count, per normalized option label, the choices made in the surveys of the unions in scope."""
    counts = session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.option, func.count())
        .join(SurveyResponse, SurveyAnswer.response_id == SurveyResponse.id)
        .join(Survey, SurveyResponse.survey_id == Survey.id)
        .where(Survey.union_id.in_(actor.union_ids), SurveyAnswer.option.is_not(None))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.option)
    ).all()
    questions = {
        q.id: q for q in session.scalars(select(SurveyQuestion).where(SurveyQuestion.id.in_({c[0] for c in counts})))
    }
    votes: dict[str, int] = {}
    for question_id, option, count in counts:
        label = normalize(questions[question_id].options[option])
        votes[label] = votes.get(label, 0) + count
    return votes


def enterprise_orders(session: Session, actor: Actor, topic_id: int) -> Sequence[TopicOrder]:
    """List the enterprises' orders of a topic in scope, largest first."""
    topic = topic_in_scope(session, actor, topic_id)
    query = select(TopicOrder).where(TopicOrder.topic_id == topic.id, TopicOrder.enterprise_id.is_not(None))
    return list(session.scalars(query.order_by(TopicOrder.headcount.desc(), TopicOrder.id)))
