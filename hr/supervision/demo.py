"""A year of supervision for the demo: group sessions per unit and individual sessions for
leaders, mostly on time but with realistic gaps (some units slip, some people miss sessions,
some attendance is not registered yet), a few cancellations, upcoming bookings and some leave,
so the compliance view has every status to show."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta

from hr.auth.principal import Role
from hr.auth.tables import RoleAssignment
from hr.db import bulk_insert
from hr.org.tables import Employee, EmployeeLeave, Unit
from hr.settings import TIMEZONE
from hr.supervision.services import matching
from hr.supervision.tables import Booking, BookingParticipant, MatchException

GROUP_SIZE = 12


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() > 3:  # Monday to Thursday
        day += timedelta(days=1)
    return day


class _Calendar:
    """Keeps supervisors and people from being double-booked in the generated history."""

    def __init__(self):
        self.taken: set[tuple[int, date, int]] = set()

    def slot(self, supervisor: int, day: date, rng: random.Random) -> datetime:
        hours = [9, 12]
        day = _weekday_on_or_after(day)
        while True:
            free = [h for h in hours if (supervisor, day, h) not in self.taken]
            if free:
                hour = rng.choice(free)
                self.taken.add((supervisor, day, hour))
                return datetime.combine(day, time(hour), TIMEZONE)
            day = _weekday_on_or_after(day + timedelta(days=1))


async def load(rng: random.Random, today: date) -> None:
    units = await Unit.select(Unit.id, Unit.institution, Unit.code).order_by(Unit.id).run()
    employees = await Employee.select(Employee.id, Employee.unit, Employee.start_date).where(
        Employee.active.eq(True)).order_by(Employee.id).run()
    leader_ids = {r["employee"] for r in await RoleAssignment.select(
        RoleAssignment.account.employee.as_alias("employee")).where(RoleAssignment.role == Role.LEADER).run()}
    supervisors: dict[int, list[int]] = {}
    for institution in sorted({u["institution"] for u in units}):
        bookable = [m["id"] for m in await matching(institution) if m["bookable"]]
        if not bookable:
            candidates = [m["id"] for m in await matching(institution)]
            if not candidates:
                continue
            await MatchException.insert(MatchException(supervisor=candidates[0], institution=institution,
                                                       reason="Kender stedets målgruppe; metodekursus aftalt")).run()
            bookable = candidates[:1]
        supervisors[institution] = bookable

    calendar = _Calendar()
    bookings: list[dict] = []
    participants: list[tuple[str, int, bool | None, str]] = []  # (uid, employee, attended, status)
    start_of_year = today - timedelta(days=365)

    def add(supervisor: int, at: datetime, minutes: int, kind: str, unit: dict, people: list[int],
            reliable: float) -> None:
        uid = f"{uuid.UUID(int=rng.getrandbits(128))}@hr-socialomraadet"
        past = at.date() < today
        cancelled = past and rng.random() < 0.04
        bookings.append({"supervisor": supervisor, "starts_at": at, "ends_at": at + timedelta(minutes=minutes),
                         "session_type": kind, "capacity": max(len(people), 1) if kind == "individual" else
                         GROUP_SIZE, "institution": unit["institution"], "unit": unit["id"],
                         "place": "Personalestuen" if kind == "group" else "Supervisors kontor",
                         "status": "cancelled" if cancelled else "booked", "uid": uid,
                         "cancel_reason": "Supervisor syg" if cancelled else "",
                         "cancelled_at": at - timedelta(days=1) if cancelled else None})
        unregistered = past and (today - at.date()).days < 10 and rng.random() < 0.4
        for person in people:
            attended = None if (not past or cancelled or unregistered) else rng.random() < reliable
            participants.append((uid, person, attended, "active"))

    by_unit: dict[int, list[dict]] = {}
    for e in employees:
        by_unit.setdefault(e["unit"], []).append(e)
    for unit in units:
        choices = supervisors.get(unit["institution"])
        if not choices:
            continue
        staff = [e["id"] for e in by_unit.get(unit["id"], []) if e["id"] not in leader_ids]
        leaders = [e["id"] for e in by_unit.get(unit["id"], []) if e["id"] in leader_ids]
        slipping = rng.random() < 0.2  # some units let supervision slide
        reliable = 0.7 if slipping else 0.9
        if not unit["code"].endswith("-00"):
            for n in range(0, len(staff), GROUP_SIZE):
                group = staff[n:n + GROUP_SIZE]
                supervisor = rng.choice(choices)
                day = start_of_year + timedelta(days=rng.randint(0, 30))
                while day < today + timedelta(days=28):
                    add(supervisor, calendar.slot(supervisor, day, rng), 120, "group", unit, group, reliable)
                    gap = rng.randint(55, 95) if slipping else rng.randint(32, 46)
                    day += timedelta(days=gap)
        for leader in leaders:
            supervisor = rng.choice(choices)
            day = start_of_year + timedelta(days=rng.randint(0, 60))
            irregular = rng.random() < 0.25
            while day < today + timedelta(days=21):
                add(supervisor, calendar.slot(supervisor, day, rng), 60, "individual", unit, [leader], 0.95)
                day += timedelta(days=rng.randint(110, 160) if irregular else rng.randint(70, 88))

    await bulk_insert(Booking, bookings)
    ids = {r["uid"]: r["id"] for r in await Booking.select(Booking.id, Booking.uid).run()}
    await bulk_insert(BookingParticipant, [{"booking": ids[uid], "employee": employee, "attended": attended,
                                            "status": status} for uid, employee, attended, status in participants])
    leave = []
    for e in rng.sample(employees, max(1, len(employees) // 40)):
        starts = today - timedelta(days=rng.randint(20, 300))
        ends = None if rng.random() < 0.6 else starts + timedelta(days=rng.randint(10, max(11, (today - starts).days)))
        leave.append({"employee": e["id"], "starts_on": starts, "ends_on": ends,
                      "kind": rng.choice(["barsel", "orlov", "sygdom"])})
    await bulk_insert(EmployeeLeave, leave)
