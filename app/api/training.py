"""Menu-style training (菜单式培训) in the mini-program: the menu and orders, wishes, classes, sign-up, attendance."""

from __future__ import annotations

from flask import Response, after_this_request, g

from models import training_enrolments as enrolments
from models import training_menu as menu
from models.training import CANCELLED, Enrolment, Topic, TrainingClass

from ..extensions import db
from ..http import limit_attempts
from . import blueprint
from .endpoints import endpoint
from .training_schemas import (
    CheckInIn,
    CheckInOut,
    ClassList,
    ClassOut,
    EnrolmentList,
    EnrolmentOut,
    Menu,
    MyPlace,
    RatingIn,
    TopicOut,
    WishIn,
    WishOut,
)


def _private(response: Response) -> Response:
    """Keep answers about the worker's own enrolments out of every cache on the way."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _already_there(response: Response) -> Response:
    """Answer 200, not 201: nothing new was made."""
    response.status_code = 200
    return response


def _topic(topic: Topic) -> TopicOut:
    count = menu.order_counts(db.session, [topic.id]).get(topic.id, 0)
    return TopicOut.of(topic, ordered=topic.id in menu.ordered_by(db.session, g.worker), count=count)


def _class(training: TrainingClass, mine: dict[int, Enrolment]) -> ClassOut:
    enrolment = mine.get(training.id)
    place = None if enrolment is None else MyPlace.of(enrolment, enrolments.waitlist_position(db.session, enrolment))
    return ClassOut.of(training, place)


def _live() -> dict[int, Enrolment]:
    """Return the worker's live enrolments by class."""
    return {e.class_id: e for e in enrolments.my_enrolments(db.session, g.worker) if e.status != CANCELLED}


def _answer(enrolment: Enrolment) -> EnrolmentOut:
    after_this_request(_private)
    return EnrolmentOut.of(enrolment, enrolments.waitlist_position(db.session, enrolment))


@blueprint.get("/training/menu")
@endpoint(Menu, tag="training")
def training_menu() -> Menu:
    """List the topics on the worker's menu, their industry's first, with their orders and everyone's."""
    topics = menu.menu_for(db.session, g.worker)
    mine = menu.ordered_by(db.session, g.worker)
    counts = menu.order_counts(db.session, [t.id for t in topics])
    return Menu(topics=[TopicOut.of(t, ordered=t.id in mine, count=counts.get(t.id, 0)) for t in topics])


@blueprint.post("/training/topics/<id:topic_id>/order")
@endpoint(TopicOut, status=201, errors=(404,), tag="training")
def order_topic(topic_id: int) -> TopicOut:
    """Order a topic on the menu (点菜): 201 when new, 200 when the worker had ordered it already."""
    order, new = menu.order_topic(db.session, worker=g.worker, topic_id=topic_id)
    if not new:
        after_this_request(_already_there)
    return _topic(order.topic)


@blueprint.delete("/training/topics/<id:topic_id>/order")
@endpoint(None, errors=(404,), tag="training")
def withdraw_order(topic_id: int) -> None:
    """Take back the worker's order of a topic."""
    menu.withdraw_order(db.session, worker=g.worker, topic_id=topic_id)


@blueprint.post("/training/requests")
@endpoint(WishOut, body=WishIn, status=201, tag="training")
def request_topic(body: WishIn) -> WishOut:
    """Record a wish for something to learn; the answer names the topic on the menu that teaches it, if any."""
    return WishOut.of(menu.request_topic(db.session, worker=g.worker, text=body.text))


@blueprint.get("/training/classes")
@endpoint(ClassList, tag="training")
def training_classes() -> ClassList:
    """List the classes the worker may sign up for now, starting soonest first, with their enrolment if any."""
    mine = _live()
    return ClassList(classes=[_class(c, mine) for c in enrolments.open_classes_for(db.session, g.worker)])


@blueprint.get("/training/classes/<id:class_id>")
@endpoint(ClassOut, errors=(404,), tag="training")
def training_class(class_id: int) -> ClassOut:
    """Show a class of the worker's menu (open for sign-up or not), with their enrolment if any."""
    return _class(enrolments.class_for(db.session, g.worker, class_id), _live())


@blueprint.post("/training/classes/<id:class_id>/enrolment")
@endpoint(EnrolmentOut, status=201, errors=(404, 409), tag="training")
def enrol(class_id: int) -> EnrolmentOut:
    """Sign up for a class: an open place if one is left, else the waitlist; 409 when already signed up."""
    return _answer(enrolments.enrol(db.session, worker=g.worker, class_id=class_id))


@blueprint.get("/training/enrolments")
@endpoint(EnrolmentList, tag="training")
def my_enrolments() -> EnrolmentList:
    """List the worker's enrolments, the latest classes first, with attendance, rating and certificate."""
    rows = enrolments.my_enrolments(db.session, g.worker)
    after_this_request(_private)
    return EnrolmentList(enrolments=[EnrolmentOut.of(e, enrolments.waitlist_position(db.session, e)) for e in rows])


@blueprint.post("/training/enrolments/<id:enrolment_id>/cancel")
@endpoint(EnrolmentOut, errors=(404, 409), tag="training")
def cancel_enrolment(enrolment_id: int) -> EnrolmentOut:
    """Withdraw from a class before it starts; a freed place goes to the first worker waiting."""
    enrolments.cancel_enrolment(db.session, worker=g.worker, enrolment_id=enrolment_id)
    return _answer(db.session.get(Enrolment, enrolment_id))


@blueprint.post("/training/classes/<id:class_id>/check-in")
@endpoint(CheckInOut, body=CheckInIn, errors=(404, 409, 429), tag="training")
def check_in(class_id: int, body: CheckInIn) -> CheckInOut:
    """Check in at a class on one of its days with the six-digit code shown there; again is harmless."""
    # A six-digit code falls to guessing: ten tries per worker and class every ten minutes.
    limit_attempts(f"check-in:{g.worker.id}:{class_id}", most=10, seconds=600)
    enrolment, first_time = enrolments.check_in(db.session, worker=g.worker, class_id=class_id, code=body.code)
    after_this_request(_private)
    return CheckInOut.of_check_in(enrolment, first_time)


@blueprint.post("/training/classes/<id:class_id>/rating")
@endpoint(EnrolmentOut, body=RatingIn, status=201, errors=(403, 404, 409), tag="training")
def rate_class(class_id: int, body: RatingIn) -> EnrolmentOut:
    """Rate a class the worker attended (职工评价), from its last day on and once; a second rating is 409."""
    rated = enrolments.rate(db.session, worker=g.worker, class_id=class_id, score=body.score, comment=body.comment)
    return _answer(rated)
