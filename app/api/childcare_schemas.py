"""Bodies of the mini-program's childcare endpoints: programs for everyone, registrations for their guardian."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from models.base import as_utc, utcnow
from models.childcare import SEASON_LABELS, STATUS_LABELS, CareSession, Program, Registration
from models.registrations import age_on

from ..admin.schemas import Body, Id, Short, printable, printable_lines
from .schemas import Answer, Ref

ChildName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=20), AfterValidator(printable)
]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(printable_lines)]
Mobile = Annotated[str, StringConstraints(pattern=r"^1[3-9]\d{9}$")]


class ProgramQuery(BaseModel):
    """Filters of GET /api/programs; a query string arrives as text, so numbers are parsed."""

    model_config = ConfigDict(extra="forbid")

    union_id: Id | None = Field(default=None, description="the organising union")
    kind: Literal["day", "week", "preschool"] | None = Field(default=None, description="日托, 周托 or 幼托")
    season: Literal["summer", "winter"] | None = Field(default=None, description="暑期 or 寒假")
    year: Annotated[int, Field(ge=2020, le=2100)] | None = None
    age: Annotated[int, Field(ge=0, le=16)] | None = Field(default=None, description="programs that take this age")


class ChildIn(Body):
    name: ChildName = Field(description="2 to 20 characters")
    birth_date: date
    gender: Literal["男", "女"]
    health_notes: Notes | None = Field(default=None, description="allergies, illnesses; up to 200 characters")


class RegistrationIn(Body):
    session_id: Id
    child: ChildIn
    guardian_phone: Mobile = Field(description="11-digit mainland mobile number")
    emergency_contact: Short = Field(description="a name and a phone number, up to 50 characters")
    consent: bool = Field(description="the guardian agrees to the processing of the child's data; must be true")


class SessionOut(Answer):
    id: int
    name: str
    starts_on: date
    ends_on: date
    capacity: int
    places_left: int

    @classmethod
    def of(cls, care: CareSession) -> SessionOut:
        """Describe a session and its places."""
        return cls(
            id=care.id,
            name=care.name,
            starts_on=care.starts_on,
            ends_on=care.ends_on,
            capacity=care.capacity,
            places_left=care.places_left,
        )


class ProgramOut(Answer):
    """A program as workers see it."""

    id: int
    union: Ref = Field(description="the organising union")
    title: str
    season: str
    season_label: str
    year: int
    kind: str
    kind_label: str = Field(description="日托, 周托 or 幼托")
    min_age: int = Field(description="age on the first day of a session")
    max_age: int
    place: str
    daily_hours: str
    fee_yuan: int
    courses: list[str]
    timetable: str
    meals: str
    staff: str = Field(description="who looks after the children (the “2+1+N” model)")
    members_only: bool = Field(description="only for members of the organising union and the unions below it")
    registration_opens: datetime
    registration_closes: datetime
    registration_open: bool = Field(description="registration is open now")
    sessions: list[SessionOut]

    @classmethod
    def of(cls, program: Program) -> ProgramOut:
        """Describe a program with its sessions."""
        opens, closes = as_utc(program.registration_opens), as_utc(program.registration_closes)
        return cls(
            id=program.id,
            union=Ref(id=program.union.id, name=program.union.name),
            title=program.title,
            season=program.season,
            season_label=SEASON_LABELS[program.season],
            year=program.year,
            kind=program.kind,
            kind_label=program.kind_label,
            min_age=program.min_age,
            max_age=program.max_age,
            place=program.place,
            daily_hours=program.daily_hours,
            fee_yuan=program.fee_yuan,
            courses=program.courses,
            timetable=program.timetable,
            meals=program.meals,
            staff=program.staff,
            members_only=program.members_only,
            registration_opens=opens,
            registration_closes=closes,
            registration_open=opens <= utcnow() <= closes,
            sessions=[SessionOut.of(s) for s in program.sessions],
        )


class ProgramList(Answer):
    programs: list[ProgramOut]


class ChildOut(Answer):
    name: str
    age: int = Field(description="age on the first day of the session")


class RegistrationOut(Answer):
    """A registration, shown only to the child's guardian."""

    id: int
    status: Literal["confirmed", "waitlisted", "cancelled"]
    status_label: str = Field(description="已报名, 候补中 or 已取消")
    waitlist_position: int | None = Field(description="1 is next; null unless waitlisted")
    program: Ref
    session: SessionOut
    child: ChildOut
    created_at: datetime
    cancelled_at: datetime | None

    @classmethod
    def of(cls, registration: Registration, position: int | None) -> RegistrationOut:
        """Describe a registration with its place in the queue."""
        care, child = registration.session, registration.child
        return cls(
            id=registration.id,
            status=registration.status,
            status_label=STATUS_LABELS[registration.status],
            waitlist_position=position,
            program=Ref(id=care.program.id, name=care.program.title),
            session=SessionOut.of(care),
            child=ChildOut(name=child.name, age=age_on(child.born, care.starts_on)),
            created_at=as_utc(registration.created_at),
            cancelled_at=as_utc(registration.cancelled_at),
        )


class RegistrationList(Answer):
    registrations: list[RegistrationOut]
