"""JSON API for supervisors, bookings and compliance (token scope supervision:read).
Participants are listed by name only: no e-mail addresses leave the service here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, Parameter

from hr.auth.rules import allow
from hr.forms import MAX_ID
from hr.supervision import booking, compliance, services


@dataclass
class NamedRef:
    id: int
    name: str


@dataclass
class SupervisorOut:
    id: int
    name: str
    organisation: str
    external: bool
    active: bool
    methods: list[NamedRef]
    institutions: list[NamedRef]


@dataclass
class ParticipantOut:
    employee_id: int
    name: str
    status: str
    attended: bool | None


@dataclass
class BookingOut:
    id: int
    uid: str
    sequence: int
    supervisor_id: int
    supervisor_name: str
    session_type: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    institution_id: int | None
    unit_id: int | None
    place: str
    status: str
    participant_count: int


@dataclass
class BookingDetailOut(BookingOut):
    participants: list[ParticipantOut]


@dataclass
class ComplianceOut:
    employee_id: int
    name: str
    institution_id: int | None
    unit_id: int | None
    audience: str
    status: str
    requirement: str
    last_attended: datetime | None
    due: date | None
    next_booked: datetime | None
    note: str


def _booking(row: dict) -> dict:
    return dict(id=row["id"], uid=row["uid"], sequence=row["sequence"], supervisor_id=row["supervisor"],
                supervisor_name=row["supervisor_name"], session_type=row["session_type"],
                starts_at=row["starts_at"], ends_at=row["ends_at"], capacity=row["capacity"],
                institution_id=row["institution"], unit_id=row["unit"], place=row["place"], status=row["status"],
                participant_count=row.get("participant_count", 0))


class SupervisionApi(Controller):
    path = "/supervision"
    tags = ["Supervision"]

    @get("/supervisors", opt=allow("supervision.book", scope="supervision:read"), summary="Supervisorer")
    async def supervisors(self) -> list[SupervisorOut]:
        return [SupervisorOut(id=s["id"], name=s["name"], organisation=s["organisation"], external=s["external"],
                              active=s["active"], methods=[NamedRef(**m) for m in s["methods"]],
                              institutions=[NamedRef(**i) for i in s["institutions"]])
                for s in await services.list_supervisors()]

    @get("/bookings", opt=allow("supervision.book", scope="supervision:read"), summary="Bookinger")
    async def bookings(self, request: Request,
                       upcoming: bool = Parameter(default=True, description="Kommende (true) eller afholdte")
                       ) -> list[BookingOut]:
        return [BookingOut(**_booking(b)) for b in await booking.list_bookings(request.user, upcoming=upcoming)]

    @get("/bookings/{booking_id:int}", opt=allow("supervision.book", scope="supervision:read"),
         summary="Én booking med deltagere og fremmøde")
    async def booking(self, request: Request, booking_id: FromPath[int]) -> BookingDetailOut:
        row = await booking.get_booking(request.user, booking_id)
        if row is None:
            raise NotFoundException()
        participants = [ParticipantOut(employee_id=p["employee"], name=p["name"], status=p["status"],
                                       attended=p["attended"]) for p in row["participants"]]
        active = sum(1 for p in participants if p.status == "active")
        return BookingDetailOut(**{**_booking(row), "participant_count": active}, participants=participants)

    @get("/compliance", opt=allow("supervision.compliance", scope="supervision:read"),
         summary="Overholdelse af supervisionskrav pr. medarbejder")
    async def compliance(
        self, request: Request,
        institution_id: int | None = Parameter(default=None, ge=1, le=MAX_ID),
        unit_id: int | None = Parameter(default=None, ge=1, le=MAX_ID),
        status: str = Parameter(default="", max_length=20,
                                description="overdue, due_soon, compliant, exempt eller none"),
    ) -> list[ComplianceOut]:
        rows = await compliance.overview(request.user, institution_id=institution_id, unit_id=unit_id,
                                         status=status if status in compliance.STATUSES else "")
        return [ComplianceOut(employee_id=r["employee_id"], name=r["name"], institution_id=r["institution_id"],
                              unit_id=r["unit_id"], audience=r["audience"], status=r["status"],
                              requirement=r["requirement"], last_attended=r["last_attended"], due=r["due"],
                              next_booked=r["next_booked"], note=r["note"]) for r in rows]
