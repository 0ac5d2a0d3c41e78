"""Who is supervised as required: per employee compliant / due soon / overdue (or exempt while
on leave, or without a requirement), with the last attended and the next booked session; and
the same summed per unit, per institution and month by month.

Only attended sessions count. A new hire or someone back from leave is due no earlier than
the requirement's grace period after the start or return. The whole computation costs a fixed
number of queries, whatever the number of employees."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from piccolo.query.functions.aggregate import Max, Min

from hr.auth.principal import SYSTEM, Principal, Role
from hr.auth.scope import leader_unit_ids
from hr.auth.tables import RoleAssignment
from hr.db import as_utc, now, prepared
from hr.forms import add_days
from hr.org.tables import Employee, EmployeeLeave
from hr.settings import TIMEZONE
from hr.supervision.services import SESSION_TYPES, list_requirements, resolve
from hr.supervision.tables import BookingParticipant

DUE_SOON = timedelta(days=14)
STATUSES = {
    "overdue": "Overskredet",
    "due_soon": "Forfalder snart",
    "compliant": "Overholdt",
    "exempt": "Fritaget (orlov)",
    "none": "Intet krav",
}


@dataclass(slots=True)
class Person:
    id: int
    name: str
    unit: int | None
    unit_name: str
    institution: int | None
    institution_name: str
    audience: str
    start_date: date | None
    attended: list[tuple[datetime, str]] = field(default_factory=list)  # sorted by time
    leaves: list[tuple[date, date | None]] = field(default_factory=list)
    next_booked: datetime | None = None
    _times: dict = field(default_factory=dict, repr=False)
    _anchors: list[date] | None = field(default=None, repr=False)

    def times(self, session_type: str) -> tuple[list[datetime], list[date]]:
        """Attended session starts of a type ("any": all), sorted, and their Danish days; computed once."""
        if session_type not in self._times:
            starts = [at for at, kind in self.attended if session_type in ("any", kind)]
            self._times[session_type] = (starts, [_local_day(at) for at in starts])
        return self._times[session_type]

    def anchors(self) -> list[date]:
        """The days a grace period runs from: the start date and each day back from leave."""
        if self._anchors is None:
            # Saturating arithmetic: a stored leave ending 9999-12-31 (from before dates were
            # checked) must not make the whole overview or the reminder sweep fail.
            self._anchors = [d for d in [self.start_date, *(add_days(end, 1) for _, end in self.leaves if end)] if d]
        return self._anchors


@dataclass
class Status:
    status: str
    requirement: str = ""
    last_attended: datetime | None = None
    due: date | None = None
    note: str = ""


@dataclass(frozen=True)
class _Rule:
    """A requirement as it applies on one day, with what every person's status on that day needs."""

    requirement: dict
    label: str
    end_of_day: datetime  # in UTC like the stored times: comparing one tzinfo is much cheaper
    soon: date


@lru_cache(maxsize=16384)
def _local_day(moment: datetime) -> date:
    # Many people share a group session's start: the time-zone conversion is done once for each.
    return moment.astimezone(TIMEZONE).date()


def _rule(requirements: list[dict], person: Person, day: date, cache: dict) -> _Rule | None:
    key = (person.audience, person.institution, person.unit, day)
    if key not in cache:
        requirement = resolve(requirements, person.audience, person.institution, person.unit, day)
        label = f"{SESSION_TYPES[requirement['session_type']]} mindst hver {requirement['interval_days']}. dag" \
            if requirement else ""
        cache[key] = None if requirement is None else _Rule(
            requirement, label, datetime.combine(day, time.max, TIMEZONE).astimezone(timezone.utc),
            add_days(day, DUE_SOON.days))
    return cache[key]


def status_on(person: Person, requirements: list[dict], day: date, cache: dict | None = None) -> Status:
    """The person's status at the end of `day`, from what is known about them up to then.
    `cache` remembers which requirement applies where, across many people and days."""
    rule = _rule(requirements, person, day, {} if cache is None else cache)
    if rule is None:
        return Status("none")
    if person.leaves and any(start <= day and (end is None or end >= day) for start, end in person.leaves):
        return Status("exempt", rule.label, note="Orlov")
    requirement = rule.requirement
    times, days = person.times(requirement["session_type"])
    index = bisect.bisect_right(times, rule.end_of_day)
    last = times[index - 1] if index else None
    anchor = max((d for d in person.anchors() if d <= day), default=None)
    due = add_days(days[index - 1], requirement["interval_days"]) if index else None
    if anchor:
        after_grace = add_days(anchor, requirement["grace_days"])
        due = after_grace if due is None or after_grace > due else due
    note = ""
    if anchor and due == add_days(anchor, requirement["grace_days"]) and (not last or days[index - 1] < anchor):
        note = "Nyansat" if anchor == person.start_date else "Tilbage fra orlov"
    if due is None or due < day:
        state = "overdue"
    elif due <= rule.soon:
        state = "due_soon"
    else:
        state = "compliant"
    return Status(state, rule.label, last, due, note)


def _in_scope(units, including, institution_id, unit_id, employee_ids):
    """Active employees with a unit: in `units` (None: all) or `including`, and in the institution,
    the unit and among `employee_ids` when given."""
    where = Employee.active.eq(True) & Employee.unit.is_not_null()
    if units is not None:
        seen = Employee.unit.is_in(units)
        where &= seen if including is None else seen | (Employee.id == including)
    if institution_id is not None:
        where &= Employee.unit.institution == institution_id
    if unit_id is not None:
        where &= Employee.unit == unit_id
    if employee_ids is not None:
        where &= Employee.id.is_in(employee_ids)
    return where


def _ids(*scope):
    # The people as a subquery: a list of 1,800 ids is 1,800 parameters to build and send.
    return Employee.select(Employee.id).where(_in_scope(*scope))


@prepared
def _people(*scope):
    return Employee.select(Employee.id, Employee.name, Employee.unit, Employee.start_date,
                           Employee.unit.name.as_alias("unit_name"), Employee.unit.institution.as_alias("institution"),
                           Employee.unit.institution.name.as_alias("institution_name")
                           ).where(_in_scope(*scope)).order_by(Employee.name)


@prepared
def _leaders(*scope):
    return RoleAssignment.select(RoleAssignment.account.employee.as_alias("employee")).where(
        (RoleAssignment.role == Role.LEADER) & RoleAssignment.account.employee.is_in(_ids(*scope)))


@prepared
def _attended(end_of_day, *scope):
    """Attended sessions: all, or each person's latest of each type up to `end_of_day`."""
    booking = BookingParticipant.booking
    attended = BookingParticipant.employee.is_in(_ids(*scope)) & BookingParticipant.attended.eq(True) \
        & (booking.status == "booked")
    if end_of_day is None:
        return BookingParticipant.select(BookingParticipant.employee, booking.starts_at.as_alias("at"),
                                         booking.session_type.as_alias("kind")).where(attended)
    return BookingParticipant.select(BookingParticipant.employee, booking.session_type.as_alias("kind"),
                                     Max(booking.starts_at, alias="at")).where(
        attended & (booking.starts_at <= end_of_day)).group_by(BookingParticipant.employee, booking.session_type)


@prepared
def _next_booked(moment, *scope):
    booking = BookingParticipant.booking
    return BookingParticipant.select(BookingParticipant.employee, Min(booking.starts_at, alias="at")).where(
        BookingParticipant.employee.is_in(_ids(*scope)) & (BookingParticipant.status == "active")
        & (booking.status == "booked") & (booking.starts_at > moment)).group_by(BookingParticipant.employee)


@prepared
def _leaves(*scope):
    return EmployeeLeave.select(EmployeeLeave.employee, EmployeeLeave.starts_on, EmployeeLeave.ends_on).where(
        EmployeeLeave.employee.is_in(_ids(*scope)))


async def load_people(principal: Principal, institution_id: int | None = None, unit_id: int | None = None,
                      employee_ids: list[int] | None = None, latest_until: date | None = None,
                      including: int | None = None) -> list[Person]:
    """Active employees the person may see (leaders: their units; HR: all) with their history;
    `including`: one more employee read with them (a leader's own status beside their staff's).

    With `latest_until`, only each person's latest attended session of each type up to the end
    of that day is read: all a status on that day needs (and valid for no other day), and a
    tenth of the rows of ten years' history. Five prepared selects, whatever the number of people."""
    units = None
    if not principal.is_hr:
        units = list(await leader_unit_ids(principal) if Role.LEADER in principal.roles else ()) or [-1]
    scope = (units, including if units is not None else None, institution_id or None, unit_id or None,
             None if employee_ids is None else list(employee_ids) or [-1])
    leaders = {r["employee"] for r in await _leaders(*scope)}
    people = {r["id"]: Person(id=r["id"], name=r["name"], unit=r["unit"], unit_name=r["unit_name"] or "",
                              institution=r["institution"], institution_name=r["institution_name"] or "",
                              audience="leader" if r["id"] in leaders else "staff", start_date=r["start_date"])
              for r in await _people(*scope)}
    end_of_day = None if latest_until is None else \
        datetime.combine(latest_until, time.max, TIMEZONE).astimezone(timezone.utc)
    for row in await _attended(end_of_day, *scope):
        people[row["employee"]].attended.append((as_utc(row["at"]), row["kind"]))
    for row in await _next_booked(now(), *scope):
        people[row["employee"]].next_booked = as_utc(row["at"])
    for row in await _leaves(*scope):
        people[row["employee"]].leaves.append((row["starts_on"], row["ends_on"]))
    for person in people.values():
        person.attended.sort()
    return list(people.values())


def _row(person: Person, status: Status) -> dict:
    return {"employee_id": person.id, "name": person.name, "unit_id": person.unit, "unit_name": person.unit_name,
            "institution_id": person.institution, "institution_name": person.institution_name,
            "audience": person.audience, "status": status.status, "status_label": STATUSES[status.status],
            "requirement": status.requirement, "last_attended": status.last_attended, "due": status.due,
            "next_booked": person.next_booked, "note": status.note,
            "needs_booking": needs_booking(status.status, person.next_booked)}


def needs_booking(status: str, next_booked: datetime | None) -> bool:
    """Overdue or due soon, and no session booked: what a leader's front page lists as "mangler
    supervision" and the overview counts as "uden booket tid" (one rule, one figure)."""
    return status in ("overdue", "due_soon") and next_booked is None


async def overview(principal: Principal, *, institution_id: int | None = None, unit_id: int | None = None,
                   status: str = "", audience: str = "", unbooked: bool = False, today: date | None = None,
                   people: list[Person] | None = None) -> list[dict]:
    """One row per employee, most urgent first (`people`: already loaded for this scope)."""
    today = today or _local_day(now())
    requirements = await list_requirements()
    if people is None:
        people = await load_people(principal, institution_id, unit_id)
    cache: dict = {}
    rows = [_row(p, status_on(p, requirements, today, cache)) for p in people
            if not audience or p.audience == audience]
    if status:
        rows = [r for r in rows if r["status"] == status]
    if unbooked:
        rows = [r for r in rows if r["needs_booking"]]
    order = list(STATUSES)
    rows.sort(key=lambda r: (order.index(r["status"]), r["due"] or date.min, r["name"]))
    return rows


def summarise(rows: list[dict], key: str, name_key: str) -> list[dict]:
    """Counts per unit or institution; the share is of those with a requirement and not on leave."""
    groups: dict = {}
    for row in rows:
        group = groups.setdefault(row[key], {"id": row[key], "name": row[name_key], "total": 0, "unbooked": 0,
                                             **{s: 0 for s in STATUSES}})
        group["total"] += 1
        group[row["status"]] += 1
        group["unbooked"] += row["needs_booking"]
    for group in groups.values():
        counted = group["overdue"] + group["due_soon"] + group["compliant"]
        group["share"] = round(100 * (group["compliant"] + group["due_soon"]) / counted) if counted else None
    return sorted(groups.values(), key=lambda g: (-(g["overdue"]), g["name"]))


def month_ends(today: date, months: int = 12) -> list[date]:
    ends = []
    first = today.replace(day=1)
    for _ in range(months - 1):
        ends.append(first - timedelta(days=1))
        first = (first - timedelta(days=1)).replace(day=1)
    return [*reversed(ends), today]


async def trend(principal: Principal, *, institution_id: int | None = None, unit_id: int | None = None,
                months: int = 12, today: date | None = None, people: list[Person] | None = None) -> list[dict]:
    """Month by month: the share not overdue at the month's end, among those with a requirement.
    People are today's employees as employed then (by start date)."""
    today = today or _local_day(now())
    requirements = await list_requirements()
    if people is None:
        people = await load_people(principal, institution_id, unit_id)
    out = []
    cache: dict = {}
    for day in month_ends(today, months):
        counts = {s: 0 for s in STATUSES}
        for person in people:
            if person.start_date and person.start_date > day:
                continue
            counts[status_on(person, requirements, day, cache).status] += 1
        counted = counts["overdue"] + counts["due_soon"] + counts["compliant"]
        share = round(100 * (counted - counts["overdue"]) / counted) if counted else None
        out.append({"month": day.strftime("%Y-%m"), "day": day, "share": share, **counts})
    return out


async def employee_status(employee_id: int | None, requirements: list[dict] | None = None) -> dict | None:
    """One employee's status; the caller has checked that the person may see this employee
    (their own, or one in their scope)."""
    if employee_id is None:
        return None
    today = _local_day(now())
    people = await load_people(SYSTEM, employee_ids=[employee_id], latest_until=today)
    if not people:
        return None
    return status_row(people[0], requirements if requirements is not None else await list_requirements(), today)


def status_row(person: Person, requirements: list[dict], day: date) -> dict:
    """A loaded person's status on a day, as a row of the overview."""
    return _row(person, status_on(person, requirements, day))
