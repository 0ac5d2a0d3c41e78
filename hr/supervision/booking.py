"""Booking supervision sessions: availability, the matching rule, and no double-booking of a
supervisor or a participant, also under simultaneous requests.

Concurrency: the overlap checks and the insert run in one transaction that first locks the
supervisor's and the participants' rows (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the
IMMEDIATE transaction already serialises writers), so two requests for the same slot queue up
and the second sees the first's booking."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from hr import audit
from hr.auth.principal import Principal, Role
from hr.auth.scope import leader_unit_ids
from hr.db import is_postgres, now, transaction
from hr.forms import NotFound, Page, Period, ValidationError, text
from hr.org.tables import Employee, Unit
from hr.settings import TIMEZONE, get_settings
from hr.supervision import notices
from hr.supervision.services import matching
from hr.supervision.tables import (
    Availability,
    AvailabilityException,
    Booking,
    BookingParticipant,
    Supervisor,
)

MIN_MINUTES, MAX_MINUTES = 30, 240
# Attendance not registered this long after a session is asked for (a duty, and the bookings list's
# filter: one window, one count).
ATTENDANCE_WINDOW = timedelta(days=30)
MAX_GROUP = 30
REASON_LENGTH = 1000


def cutoff() -> timedelta:
    """How close to the start a leader may still move or cancel (HR always may)."""
    return timedelta(hours=get_settings().supervision_cutoff_hours)


def _check_time(errors: dict, starts_at: datetime | None, minutes: int) -> None:
    if starts_at is None:
        errors["starts_at"] = "Vælg dato og klokkeslæt"
    elif starts_at <= now():
        errors["starts_at"] = "Tidspunktet er allerede passeret"
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors["minutes"] = f"En session varer {MIN_MINUTES}-{MAX_MINUTES} minutter"


async def _check_free(supervisor_id: int, employee_ids: list[int], starts_at: datetime, ends_at: datetime,
                      exclude: int | None = None) -> None:
    """Raise if the supervisor or a participant has another session then (run under the locks)."""
    overlap = (Booking.status == "booked") & (Booking.starts_at < ends_at) & (Booking.ends_at > starts_at)
    if exclude is not None:
        overlap &= Booking.id != exclude
    if await Booking.exists().where((Booking.supervisor == supervisor_id) & overlap).run():
        raise ValidationError({"starts_at": "Supervisoren er optaget på det tidspunkt"})
    other = BookingParticipant.booking
    clash = (BookingParticipant.employee.is_in(employee_ids or [-1]) & (BookingParticipant.status == "active")
             & (other.status == "booked") & (other.starts_at < ends_at) & (other.ends_at > starts_at))
    if exclude is not None:
        clash &= other.id != exclude
    busy = await BookingParticipant.select(BookingParticipant.employee.name.as_alias("name")).where(clash).run()
    if busy:
        names = ", ".join(sorted({b["name"] for b in busy}))
        raise ValidationError({"participants": f"Optaget på det tidspunkt: {names}"})


async def within_availability(supervisor_id: int, start: datetime, end: datetime) -> bool:
    local_start, local_end = start.astimezone(TIMEZONE), end.astimezone(TIMEZONE)
    if local_start.date() != local_end.date():
        return False
    if await AvailabilityException.exists().where((AvailabilityException.supervisor == supervisor_id)
                                                  & (AvailabilityException.day == local_start.date())).run():
        return False
    first = local_start.hour * 60 + local_start.minute
    last = local_end.hour * 60 + local_end.minute
    windows = await Availability.select().where((Availability.supervisor == supervisor_id)
                                                & (Availability.weekday == local_start.weekday())).run()
    return any(w["start_minute"] <= first and last <= w["end_minute"] for w in windows)


async def _may_book_for(principal: Principal, employees: list[dict]) -> bool:
    if principal.is_hr:
        return True
    if Role.LEADER not in principal.roles:
        return False
    units = await leader_unit_ids(principal)
    return all(e["unit"] in units or e["id"] == principal.employee_id for e in employees)


async def _lock(supervisor_id: int, employee_ids: list[int]) -> None:
    if not is_postgres():
        return  # SQLite: the IMMEDIATE transaction holds the database's write lock already
    await Supervisor.raw("SELECT id FROM supervision_supervisor WHERE id = {} FOR UPDATE", supervisor_id).run()
    for employee_id in sorted(employee_ids):  # a fixed order: no deadlock between two bookings
        await Employee.raw("SELECT id FROM org_employee WHERE id = {} FOR UPDATE", employee_id).run()


async def _participants(principal: Principal, employee_ids: list[int], errors: dict, *, none_chosen: str,
                        verb: str) -> list[dict]:
    """The chosen people, checked once for booking and for adding: chosen at all, active, and in
    the person's reach (themselves and their units' staff; HR everyone)."""
    employees = await Employee.select(Employee.id, Employee.name, Employee.unit,
                                      Employee.unit.institution.as_alias("institution")).where(
        Employee.id.is_in(employee_ids or [-1]) & Employee.active.eq(True)).run()
    if not employee_ids:
        errors["participants"] = none_chosen
    elif len(employees) != len(employee_ids):
        errors["participants"] = "En eller flere deltagere findes ikke eller er fratrådt"
    elif not await _may_book_for(principal, employees):
        errors["participants"] = f"Du kan kun {verb} dig selv og medarbejdere i dine afdelinger"
    return employees


async def book(principal: Principal, *, supervisor_id: int, starts_at: datetime | None, minutes: int,
               session_type: str, capacity: int, employee_ids: list[int], place: str = "",
               video_link: str = "") -> int:
    errors: dict[str, str] = {}
    supervisor = await Supervisor.select().where(Supervisor.id == supervisor_id).first().run()
    if not supervisor or not supervisor["active"]:
        errors["supervisor"] = "Vælg en aktiv supervisor"
    if session_type not in ("individual", "group"):
        errors["session_type"] = "Vælg individuel eller gruppe"
    employee_ids = sorted(set(employee_ids))
    employees = await _participants(principal, employee_ids, errors, none_chosen="Vælg deltagere", verb="booke for")
    if session_type == "individual":
        capacity = 1
        if len(employee_ids) > 1:
            errors["participants"] = "Individuel supervision har én deltager"
    elif session_type == "group":
        if not 2 <= capacity <= MAX_GROUP:
            errors["capacity"] = f"En gruppe har plads til 2-{MAX_GROUP}"
        elif len(employee_ids) > capacity:
            errors["participants"] = f"Der er kun plads til {capacity}"
    institutions = {e["institution"] for e in employees}
    if employees and len(institutions) > 1:
        errors["participants"] = "Deltagerne skal være fra samme tilbud"
    if supervisor and employees and "participants" not in errors:
        match = {m["id"]: m for m in await matching(next(iter(institutions)))}.get(supervisor_id)
        if not match or not match["bookable"]:
            errors["supervisor"] = "Supervisoren kender ingen af tilbuddets metoder og har ingen godkendt undtagelse"
    _check_time(errors, starts_at, minutes)
    place = text(place, errors, "place", max_length=200)
    video_link = text(video_link, errors, "video_link", max_length=500, cpr=False)
    if not place and not video_link and "place" not in errors:
        errors["place"] = "Skriv et sted eller et videolink"
    if video_link and not video_link.startswith("https://"):
        errors["video_link"] = "Videolinket skal begynde med https://"
    if errors:
        raise ValidationError(errors)
    ends_at = starts_at + timedelta(minutes=minutes)
    if not await within_availability(supervisor_id, starts_at, ends_at):
        raise ValidationError({"starts_at": "Supervisoren er ikke til rådighed på det tidspunkt"})
    async with transaction():
        await _lock(supervisor_id, employee_ids)
        await _check_free(supervisor_id, employee_ids, starts_at, ends_at)
        units = {e["unit"] for e in employees}
        rows = await Booking.insert(Booking(
            supervisor=supervisor_id, starts_at=starts_at, ends_at=ends_at, session_type=session_type,
            capacity=capacity, institution=next(iter(institutions)), unit=units.pop() if len(units) == 1 else None,
            place=place, video_link=video_link, booked_by=principal.account_id,
            uid=f"{uuid.uuid4()}@hr-socialomraadet",
        )).returning(Booking.id).run()
        booking_id = rows[0]["id"]
        await BookingParticipant.insert(*[BookingParticipant(booking=booking_id, employee=e)
                                          for e in employee_ids]).run()
        await audit.record(principal, "create", "booking", booking_id,
                           {"supervisor": supervisor_id, "participants": employee_ids})
        await notices.notify(booking_id, "booked")
    return booking_id


async def _managed_booking(principal: Principal, booking_id: int) -> dict:
    booking = await Booking.select().where(Booking.id == booking_id).first().run()
    if not booking:
        raise NotFound(booking_id)
    if principal.is_hr or booking["booked_by"] == principal.account_id:
        return booking
    if Role.LEADER in principal.roles and booking["unit"] in await leader_unit_ids(principal):
        return booking
    raise NotFound(booking_id)


async def _attended_booking(principal: Principal, booking_id: int) -> tuple[dict, bool]:
    """(the booking, whether the person manages it): those who manage it, and its own supervisor,
    who may see it and register attendance but not move, cancel or change who comes."""
    try:
        return await _managed_booking(principal, booking_id), True
    except NotFound:
        if Role.SUPERVISOR not in principal.roles:
            raise
    booking = await Booking.select(*Booking.all_columns(), Booking.supervisor.account.as_alias("sv_account")).where(
        Booking.id == booking_id).first().run()
    if not booking or booking["sv_account"] != principal.account_id:
        raise NotFound(booking_id)
    return booking, False


async def cancel(principal: Principal, booking_id: int, reason: str) -> None:
    booking = await _managed_booking(principal, booking_id)
    errors = {}
    if booking["status"] != "booked":
        errors["reason"] = "Sessionen er allerede aflyst"
    elif _too_late(principal, booking):
        errors["reason"] = f"Sessionen begynder om mindre end {_hours()}: kontakt HR for at aflyse"
    reason = text(reason, errors, "reason", max_length=REASON_LENGTH, required="Skriv hvorfor sessionen aflyses")
    if errors:
        raise ValidationError(errors)
    async with transaction():
        await Booking.update({Booking.status: "cancelled", Booking.cancel_reason: reason,
                              Booking.cancelled_at: now(), Booking.sequence: Booking.sequence + 1}).where(
            Booking.id == booking_id).run()
        await audit.record(principal, "cancel", "booking", booking_id)
        await notices.notify(booking_id, "cancelled", reason=reason)


def _too_late(principal: Principal, booking: dict) -> bool:
    return booking["starts_at"] - now() < cutoff() and not principal.is_hr


def _hours() -> str:
    hours = get_settings().supervision_cutoff_hours
    return "1 time" if hours == 1 else f"{hours} timer"


async def reschedule(principal: Principal, booking_id: int, starts_at: datetime | None, minutes: int,
                     reason: str) -> None:
    """Move a session; everyone still on it gets an updated invitation (same UID, next SEQUENCE)."""
    booking = await _managed_booking(principal, booking_id)
    errors: dict[str, str] = {}
    if booking["status"] != "booked":
        errors["starts_at"] = "Sessionen er aflyst"
    elif _too_late(principal, booking):
        errors["starts_at"] = f"Sessionen begynder om mindre end {_hours()}: kontakt HR for at flytte den"
    _check_time(errors, starts_at, minutes)
    reason = text(reason, errors, "move_reason", max_length=REASON_LENGTH, required="Skriv hvorfor sessionen flyttes")
    if errors:
        raise ValidationError(errors)
    ends_at = starts_at + timedelta(minutes=minutes)
    if not await within_availability(booking["supervisor"], starts_at, ends_at):
        raise ValidationError({"starts_at": "Supervisoren er ikke til rådighed på det tidspunkt"})
    async with transaction():
        employee_ids = [p["employee"] for p in await BookingParticipant.select(BookingParticipant.employee).where(
            (BookingParticipant.booking == booking_id) & (BookingParticipant.status == "active")).run()]
        await _lock(booking["supervisor"], employee_ids)
        await _check_free(booking["supervisor"], employee_ids, starts_at, ends_at, exclude=booking_id)
        await Booking.update({Booking.starts_at: starts_at, Booking.ends_at: ends_at,
                              Booking.sequence: Booking.sequence + 1, Booking.move_reason: reason,
                              Booking.moved_at: now()}).where(Booking.id == booking_id).run()
        await audit.record(principal, "reschedule", "booking", booking_id,
                           {"from": booking["starts_at"].isoformat(), "to": starts_at.isoformat()})
        await notices.notify(booking_id, "moved", reason=reason)


async def leave(principal: Principal, booking_id: int, employee_id: int, reason: str) -> None:
    """One participant leaves a group session; the session goes on for the others."""
    booking = await _managed_booking(principal, booking_id)
    if booking["status"] != "booked":
        raise ValidationError({"reason": "Sessionen er aflyst"})
    errors: dict[str, str] = {}
    reason = text(reason, errors, "reason", max_length=REASON_LENGTH, required="Skriv hvorfor deltageren melder fra")
    if errors:
        raise ValidationError(errors)
    async with transaction():
        row = await BookingParticipant.select(BookingParticipant.id, BookingParticipant.status).where(
            (BookingParticipant.booking == booking_id) & (BookingParticipant.employee == employee_id)
            & BookingParticipant.status.is_in(["active", "waiting"])).first().run()
        if not row:
            raise NotFound(employee_id)
        await BookingParticipant.update({BookingParticipant.status: "cancelled",
                                         BookingParticipant.cancel_reason: reason,
                                         BookingParticipant.cancelled_at: now()}).where(
            BookingParticipant.id == row["id"]).run()
        await audit.record(principal, "leave", "booking", booking_id, {"employee": employee_id})
        if row["status"] == "active":  # one on the waiting list had no invitation to take back
            await Booking.update({Booking.sequence: Booking.sequence + 1}).where(Booking.id == booking_id).run()
            await notices.notify(booking_id, "left", employee_ids=[employee_id], reason=reason)
            await _offer_free_seats(principal, booking_id)


async def _lock_booking(booking_id: int) -> dict:
    """The booking, locked until the transaction ends (SQLite: its write lock holds it already)."""
    if is_postgres():
        await Booking.raw("SELECT id FROM supervision_booking WHERE id = {} FOR UPDATE", booking_id).run()
    return await Booking.select().where(Booking.id == booking_id).first().run()


async def _active_count(booking_id: int) -> int:
    return await BookingParticipant.count().where((BookingParticipant.booking == booking_id)
                                                  & (BookingParticipant.status == "active")).run()


async def _offer_free_seats(principal: Principal, booking_id: int) -> list[int]:
    """Free seats go to the waiting list, first come first served; each newcomer gets an
    invitation, nobody else hears anything (call inside the transaction)."""
    booking = await _lock_booking(booking_id)
    seated = []
    while await _active_count(booking_id) < booking["capacity"]:
        first = await BookingParticipant.select(BookingParticipant.id, BookingParticipant.employee).where(
            (BookingParticipant.booking == booking_id) & (BookingParticipant.status == "waiting")).order_by(
            BookingParticipant.id).first().run()
        if first is None:
            break
        await BookingParticipant.update({BookingParticipant.status: "active"}).where(
            BookingParticipant.id == first["id"]).run()
        seated.append(first["employee"])
    if seated:
        await audit.record(principal, "update", "booking", booking_id, {"seated_from_waiting_list": seated})
        await notices.notify(booking_id, "booked", employee_ids=seated)
    return seated


async def add_participants(principal: Principal, booking_id: int, employee_ids: list[int]) -> dict[str, list[str]]:
    """A leader adds people to a booked group session: each gets a seat while there is one (and an
    invitation; the others get nothing), then a place on the waiting list. The capacity holds when
    several add at once. Returns the names seated and waiting."""
    booking = await _managed_booking(principal, booking_id)
    errors: dict[str, str] = {}
    if booking["status"] != "booked" or booking["starts_at"] <= now():
        errors["participants"] = "Der kan kun tilføjes deltagere til en kommende session"
    elif booking["session_type"] != "group":
        errors["participants"] = "Individuel supervision har én deltager"
    employee_ids = sorted(set(employee_ids))
    if "participants" not in errors:
        employees = await _participants(principal, employee_ids, errors, none_chosen="Vælg, hvem der skal med",
                                        verb="tilføje")
        if "participants" not in errors and any(e["institution"] != booking["institution"] for e in employees):
            errors["participants"] = "Deltagerne skal være fra sessionens tilbud"
    if errors:
        raise ValidationError(errors)
    names = {e["id"]: e["name"] for e in employees}
    async with transaction():
        locked = await _lock_booking(booking_id)
        await _lock(locked["supervisor"], employee_ids)
        present = {r["employee"]: r for r in await BookingParticipant.select().where(
            BookingParticipant.booking == booking_id).run()}
        already = [names[e] for e in employee_ids if present.get(e, {}).get("status") in ("active", "waiting")]
        if already:
            raise ValidationError({"participants": f"Er allerede med eller på venteliste: {', '.join(already)}"})
        await _check_free(locked["supervisor"], employee_ids, locked["starts_at"], locked["ends_at"],
                          exclude=booking_id)
        seated, waiting = [], []
        for employee_id in employee_ids:
            status = "active" if await _active_count(booking_id) < locked["capacity"] else "waiting"
            if employee_id in present:  # someone who left before comes back
                await BookingParticipant.update({BookingParticipant.status: status,
                                                 BookingParticipant.cancel_reason: "",
                                                 BookingParticipant.cancelled_at: None}).where(
                    BookingParticipant.id == present[employee_id]["id"]).run()
            else:
                await BookingParticipant.insert(BookingParticipant(booking=booking_id, employee=employee_id,
                                                                   status=status)).run()
            (seated if status == "active" else waiting).append(employee_id)
        await audit.record(principal, "update", "booking", booking_id, {"added": seated, "waiting": waiting})
        if seated:
            await notices.notify(booking_id, "booked", employee_ids=seated)
    return {"seated": [names[e] for e in seated], "waiting": [names[e] for e in waiting]}


async def register_attendance(principal: Principal, booking_id: int, attended_ids: list[int]) -> None:
    booking, _ = await _attended_booking(principal, booking_id)
    if booking["status"] != "booked":
        raise ValidationError({"attendance": "Sessionen er aflyst"})
    if booking["starts_at"] > now():
        raise ValidationError({"attendance": "Fremmøde kan først registreres, når sessionen er begyndt"})
    async with transaction():
        participants = await BookingParticipant.select().where(
            (BookingParticipant.booking == booking_id) & (BookingParticipant.status == "active")).run()
        known = {p["employee"] for p in participants}
        if set(attended_ids) - known:
            raise ValidationError({"attendance": "Kun sessionens deltagere kan registreres"})
        for p in participants:
            await BookingParticipant.update({BookingParticipant.attended: p["employee"] in attended_ids}).where(
                BookingParticipant.id == p["id"]).run()
        await audit.record(principal, "attendance", "booking", booking_id, {"attended": sorted(attended_ids)})


@dataclass(frozen=True)
class BookingFilter:
    """What the bookings list shows: coming or past sessions, narrowed by place and status."""

    upcoming: bool = True
    institution_id: int | None = None
    unit_id: int | None = None
    status: str = ""  # "booked", "cancelled" or both
    attendance_missing: bool = False  # past sessions of the last ATTENDANCE_WINDOW without attendance
    period: Period = Period()  # sessions starting on these days

    def params(self) -> dict:
        return {"tid": "" if self.upcoming else "tidligere", "tilbud": self.institution_id or "",
                "afdeling": self.unit_id or "", "status": self.status,
                "fremmoede": "mangler" if self.attendance_missing else "", **self.period.params()}


BOOKING_STATUSES = {"booked": "Booket", "cancelled": "Aflyst"}
BOOKINGS_PER_PAGE = 50


async def _visible_bookings(principal: Principal, wanted: BookingFilter):
    """The condition for the bookings the person may see that match the filter."""
    where = (Booking.ends_at >= now()) if wanted.upcoming else (Booking.ends_at < now())
    if not principal.is_hr:
        units = await leader_unit_ids(principal) if Role.LEADER in principal.roles else set()
        mine = BookingParticipant.select(BookingParticipant.booking).where(
            BookingParticipant.employee == (principal.employee_id or -1))
        where &= (Booking.unit.is_in(list(units) or [-1]) | (Booking.booked_by == principal.account_id)
                  | Booking.id.is_in(mine))
    if wanted.institution_id:
        where &= Booking.institution == wanted.institution_id
    if wanted.unit_id:
        where &= Booking.unit == wanted.unit_id
    if wanted.status in BOOKING_STATUSES:
        where &= Booking.status == wanted.status
    if wanted.period.start:
        where &= Booking.starts_at >= datetime.combine(wanted.period.start, time(0), TIMEZONE)
    if wanted.period.end:
        where &= Booking.starts_at < datetime.combine(wanted.period.end + timedelta(days=1), time(0), TIMEZONE)
    if wanted.attendance_missing:
        moment = now()
        registered = BookingParticipant.select(BookingParticipant.booking).where(
            BookingParticipant.attended.is_not_null())
        where &= ((Booking.status == "booked") & (Booking.ends_at <= moment)
                  & (Booking.ends_at > moment - ATTENDANCE_WINDOW) & Booking.id.not_in(registered))
    return where


async def booking_page(principal: Principal, wanted: BookingFilter, page: int) -> Page[dict]:
    """One page of the bookings list, soonest first (past ones: latest first)."""
    where = await _visible_bookings(principal, wanted)
    total = await Booking.count().where(where).run()
    page = min(page, max(1, -(-total // BOOKINGS_PER_PAGE)))
    rows = await list_bookings(principal, wanted.upcoming, BOOKINGS_PER_PAGE, where=where,
                               offset=(page - 1) * BOOKINGS_PER_PAGE)
    return Page(items=rows, page=page, per_page=BOOKINGS_PER_PAGE, total=total, params=wanted.params())


async def list_bookings(principal: Principal, upcoming: bool = True, limit: int = 200, *, where=None,
                        offset: int = 0) -> list[dict]:
    where = where if where is not None else await _visible_bookings(principal, BookingFilter(upcoming=upcoming))
    query = Booking.select(Booking.all_columns(), Booking.supervisor.name.as_alias("supervisor_name"),
                           Booking.unit.name.as_alias("unit_name"),
                           Booking.institution.name.as_alias("institution_name")).where(where)
    query = query.order_by(Booking.starts_at, ascending=upcoming)
    rows = await query.offset(offset).limit(limit).run()
    return await _with_participant_counts(rows)


async def bookings_for_export(principal: Principal, wanted: BookingFilter, limit: int) -> list[dict]:
    """Every booking of the filter (at most `limit`), with supervisor, place and head count."""
    return await list_bookings(principal, wanted.upcoming, limit, where=await _visible_bookings(principal, wanted))


async def _with_participant_counts(rows: list[dict]) -> list[dict]:
    counts: dict[int, int] = {}
    ids = [r["id"] for r in rows]
    for first in range(0, max(len(ids), 1), 1000):  # an export's thousands: within the drivers' parameter limits
        for p in await BookingParticipant.select(BookingParticipant.booking).where(
                BookingParticipant.booking.is_in(ids[first:first + 1000] or [-1])
                & (BookingParticipant.status == "active")).run():
            counts[p["booking"]] = counts.get(p["booking"], 0) + 1
    for row in rows:
        row["participant_count"] = counts.get(row["id"], 0)
    return rows


async def get_booking(principal: Principal, booking_id: int) -> dict | None:
    try:
        _, manageable = await _attended_booking(principal, booking_id)
    except NotFound:
        return None
    booking = await Booking.select(Booking.all_columns(), Booking.supervisor.name.as_alias("supervisor_name"),
                                   Booking.unit.name.as_alias("unit_name")).where(Booking.id == booking_id
                                                                                  ).first().run()
    booking["participants"] = await BookingParticipant.select(
        BookingParticipant.all_columns(), BookingParticipant.employee.name.as_alias("name")).where(
        BookingParticipant.booking == booking_id).order_by(BookingParticipant.employee.name).run()
    booking["started"] = booking["starts_at"] <= now()
    booking["manageable"] = manageable
    return booking


PICKER_SIZE = 25  # people a search shows at once; whole units below this are listed in full
LIST_ALL_UP_TO = 60  # a leader of a few units sees all their people; HR and big areas search


def _bookable_clause(principal: Principal, scope_units: set[int] | None, institution_id: int | None = None):
    clause = Employee.active.eq(True)
    if scope_units is not None:
        clause = clause & (Employee.unit.is_in(list(scope_units) or [-1])
                           | (Employee.id == (principal.employee_id or -1)))
    if institution_id is not None:  # a session is for one institution's staff
        clause = clause & (Employee.unit.institution == institution_id)
    return clause


def _bookable(principal: Principal, scope_units: set[int] | None, institution_id: int | None = None):
    # The unit and the employee number tell two people of the same name apart.
    return Employee.select(Employee.id, Employee.name, Employee.employee_number,
                           Employee.unit.name.as_alias("unit_name")).where(
        _bookable_clause(principal, scope_units, institution_id))


async def bookable_people(principal: Principal, q: str = "", unit_id: int | None = None,
                          chosen: list[int] | None = None, institution_id: int | None = None) -> dict:
    """Whom the person may book for: themselves and active staff of their units (HR: everyone),
    of the chosen institution. A few are listed whole; many are searched, by name and unit,
    PICKER_SIZE at a time. `chosen` (already picked) are always returned."""
    scope = None if principal.is_hr else await leader_unit_ids(principal)
    total = await Employee.count().where(_bookable_clause(principal, scope, institution_id)).run()
    picked = await _bookable(principal, scope).where(Employee.id.is_in(chosen or [-1])).order_by(
        Employee.name).run() if chosen else []
    searching = total > LIST_ALL_UP_TO
    found: list[dict] = []
    if not searching:
        found = await _bookable(principal, scope, institution_id).order_by(Employee.unit.name, Employee.name).run()
    elif q.strip() or unit_id:
        query = _bookable(principal, scope, institution_id)
        if q.strip():
            query = query.where(Employee.name.ilike(f"%{q.strip()[:100]}%"))
        if unit_id:
            query = query.where(Employee.unit == unit_id)
        found = await query.order_by(Employee.name).limit(PICKER_SIZE + 1).run()
    more = len(found) > PICKER_SIZE if searching else False
    picked_ids = {p["id"] for p in picked}
    return {"searching": searching, "total": total, "picked": picked, "more": more,
            "found": [f for f in found[:PICKER_SIZE] if f["id"] not in picked_ids] if searching
            else [f for f in found if f["id"] not in picked_ids]}



async def prefilled(principal: Principal, employee_id: int) -> dict | None:
    """The booking form as a duty opens it for one person ("X har overskredet supervision"): that
    person chosen, an individual session, their institution and its best-suited bookable
    supervisor (services.matching's order). None when the person is not one to book for."""
    from hr.supervision.services import matching

    scope = None if principal.is_hr else await leader_unit_ids(principal)
    person = await Employee.select(Employee.unit.institution.as_alias("institution")).where(
        _bookable_clause(principal, scope) & (Employee.id == employee_id)).first().run()
    if person is None:
        return None
    institution = person["institution"]
    suited = next((s for s in await matching(institution) if s["bookable"]), None) if institution else None
    return {"tilbud": str(institution or ""), "participant_ids": [employee_id], "session_type": "individual",
            "capacity": "1", "minutes": "60", "supervisor": str(suited["id"]) if suited else ""}


async def bookable_units(principal: Principal, institution_id: int | None = None) -> list[dict]:
    """The units the participant search can narrow to (of the chosen institution)."""
    query = Unit.select(Unit.id, Unit.name, Unit.institution.name.as_alias("institution_name")).where(
        Unit.active.eq(True)).order_by(Unit.institution.name, Unit.name)
    if institution_id is not None:
        query = query.where(Unit.institution == institution_id)
    if not principal.is_hr:
        query = query.where(Unit.id.is_in(list(await leader_unit_ids(principal)) or [-1]))
    return await query.run()
