"""Bodies of the mini-program's training endpoints: the menu, wishes, classes and the worker's own enrolments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from models.base import as_utc, utcnow
from models.training import STATUS_LABELS, Enrolment, Topic, TopicRequest, TrainingClass

from ..admin.schemas import Body, printable, printable_lines
from .schemas import Answer, Ref

WishText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200), AfterValidator(printable)
]
CheckinCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$")]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(printable_lines)]
Status = Literal["confirmed", "waitlisted", "cancelled"]


class TopicOut(Answer):
    """A topic on the worker's menu: a dish to order (点菜)."""

    id: int
    union: Ref = Field(description="the union that offers it")
    title: str
    industry: str | None = Field(description="the industry it is for; null: every industry")
    description: str
    experts: list[str]
    days: int
    hours: int = Field(description="class hours (课时)")
    audience: str = Field(description="who it is for, e.g. 工会干部、一线群监员")
    ordered: bool = Field(description="the worker has ordered it")
    order_count: int = Field(description="workers who ordered it, the worker included")

    @classmethod
    def of(cls, topic: Topic, *, ordered: bool, count: int) -> TopicOut:
        """Describe a topic with the worker's order and everyone's."""
        return cls(
            id=topic.id,
            union=Ref(id=topic.union.id, name=topic.union.name),
            title=topic.title,
            industry=topic.industry,
            description=topic.description,
            experts=topic.experts,
            days=topic.days,
            hours=topic.hours,
            audience=topic.audience,
            ordered=ordered,
            order_count=count,
        )


class Menu(Answer):
    topics: list[TopicOut]


class WishIn(Body):
    text: WishText = Field(description="what the worker would like to learn, 2 to 200 characters")


class WishOut(Answer):
    """A wish recorded for the union to read."""

    id: int
    text: str
    matched: bool = Field(description="a topic on the worker's menu teaches it: order that topic")
    topic: Ref | None = Field(description="the topic it matched; null when the menu has none")
    created_at: datetime

    @classmethod
    def of(cls, wish: TopicRequest) -> WishOut:
        """Describe a recorded wish."""
        topic = None if wish.topic is None else Ref(id=wish.topic.id, name=wish.topic.title)
        return cls(
            id=wish.id, text=wish.text, matched=topic is not None, topic=topic, created_at=as_utc(wish.created_at)
        )


class MyPlace(Answer):
    """The worker's own live enrolment in a class."""

    id: int
    status: Literal["confirmed", "waitlisted"]
    status_label: str = Field(description="已报名 or 候补中")
    waitlist_position: int | None = Field(description="1 is next; null unless waitlisted")
    checked_in_at: datetime | None
    rating: int | None

    @classmethod
    def of(cls, enrolment: Enrolment, position: int | None) -> MyPlace:
        """Describe the worker's enrolment in a class."""
        return cls(
            id=enrolment.id,
            status=enrolment.status,
            status_label=STATUS_LABELS[enrolment.status],
            waitlist_position=position,
            checked_in_at=as_utc(enrolment.checked_in_at),
            rating=enrolment.rating,
        )


class ClassOut(Answer):
    """A class as workers see it; its check-in code is shown only at the class."""

    id: int
    title: str
    topic: Ref
    union: Ref = Field(description="the organising union")
    industry: str | None = Field(description="the industry it is for; null: every industry")
    description: str
    audience: str
    starts_on: date
    ends_on: date
    days: int
    place: str
    experts: list[str]
    hours: int = Field(description="class hours (课时)")
    capacity: int = Field(description="all places, enterprises' quotas included")
    open_places_left: int = Field(description="places left for workers who sign up themselves")
    registration_closes: datetime
    registration_open: bool = Field(description="sign-up is open now")
    cancelled: bool
    my_enrolment: MyPlace | None = Field(description="the worker's live enrolment; null: not signed up")

    @classmethod
    def of(cls, training: TrainingClass, mine: MyPlace | None) -> ClassOut:
        """Describe a class with the worker's enrolment in it."""
        topic, closes = training.topic, as_utc(training.registration_closes)
        return cls(
            id=training.id,
            title=training.title,
            topic=Ref(id=topic.id, name=topic.title),
            union=Ref(id=training.union.id, name=training.union.name),
            industry=topic.industry,
            description=topic.description,
            audience=topic.audience,
            starts_on=training.starts_on,
            ends_on=training.ends_on,
            days=(training.ends_on - training.starts_on).days + 1,
            place=training.place,
            experts=training.experts,
            hours=training.hours,
            capacity=training.capacity,
            open_places_left=training.open_left,
            registration_closes=closes,
            registration_open=training.cancelled_at is None and utcnow() < closes,
            cancelled=training.cancelled_at is not None,
            my_enrolment=mine,
        )


class ClassList(Answer):
    classes: list[ClassOut]


class ClassBrief(Answer):
    id: int
    title: str
    starts_on: date
    ends_on: date
    place: str
    hours: int
    cancelled: bool


class EnrolmentOut(Answer):
    """One of the worker's enrolments, shown only to them."""

    id: int
    training_class: ClassBrief
    status: Status
    status_label: str = Field(description="已报名, 候补中 or 已取消")
    waitlist_position: int | None = Field(description="1 is next; null unless waitlisted")
    by_enterprise: bool = Field(description="signed up by the enterprise's union, on its quota")
    created_at: datetime
    promoted_at: datetime | None = Field(description="when a freed place moved the worker off the waitlist")
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    rating: int | None = Field(description="the worker's score, 1 to 5")
    comment: str | None
    rated_at: datetime | None
    certificate_no: str | None = Field(description="the number of the certificate of attendance, once issued")

    @classmethod
    def fields(cls, enrolment: Enrolment, position: int | None) -> dict:
        """Return the fields of an enrolment with its place in the queue."""
        training = enrolment.training_class
        return {
            "id": enrolment.id,
            "training_class": ClassBrief(
                id=training.id,
                title=training.title,
                starts_on=training.starts_on,
                ends_on=training.ends_on,
                place=training.place,
                hours=training.hours,
                cancelled=training.cancelled_at is not None,
            ),
            "status": enrolment.status,
            "status_label": STATUS_LABELS[enrolment.status],
            "waitlist_position": position,
            "by_enterprise": enrolment.quota_id is not None,
            "created_at": as_utc(enrolment.created_at),
            "promoted_at": as_utc(enrolment.promoted_at),
            "cancelled_at": as_utc(enrolment.cancelled_at),
            "checked_in_at": as_utc(enrolment.checked_in_at),
            "rating": enrolment.rating,
            "comment": enrolment.comment,
            "rated_at": as_utc(enrolment.rated_at),
            "certificate_no": enrolment.certificate_no,
        }

    @classmethod
    def of(cls, enrolment: Enrolment, position: int | None) -> EnrolmentOut:
        """Describe an enrolment with its place in the queue."""
        return cls(**cls.fields(enrolment, position))


class EnrolmentList(Answer):
    enrolments: list[EnrolmentOut]


class CheckInIn(Body):
    code: CheckinCode = Field(description="the six-digit code shown at the class")


class CheckInOut(EnrolmentOut):
    """The worker is checked in."""

    first_time: bool = Field(description="false when the worker had checked in already")

    @classmethod
    def of_check_in(cls, enrolment: Enrolment, first_time: bool) -> CheckInOut:
        """Describe a checked-in enrolment."""
        return cls(**cls.fields(enrolment, None), first_time=first_time)


class RatingIn(Body):
    score: Annotated[int, Field(ge=1, le=5)] = Field(description="1 (poor) to 5 (excellent)")
    comment: Comment = Field(default="", description="what the worker thought, up to 500 characters")
