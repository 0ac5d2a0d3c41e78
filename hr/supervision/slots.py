"""Free times for booking: each suited supervisor's free slots over the coming weeks, from their
weekly availability, their days off and the sessions already booked (theirs and the chosen
participants'), so a leader picks a time instead of guessing one.

Four statements whatever the number of supervisors and weeks; the rest is interval arithmetic in
Danish local time (a window is minutes after local midnight, so summer time shifts nothing)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hr.db import now
from hr.forms import optional_int
from hr.settings import TIMEZONE
from hr.supervision.booking import MAX_MINUTES, MIN_MINUTES
from hr.supervision.tables import Availability, AvailabilityException, Booking, BookingParticipant

WEEKS = 8
ALIGN_MINUTES = 30  # slots start on the hour or the half hour


@dataclass(frozen=True)
class Slot:
    supervisor_id: int
    starts_at: datetime  # aware, Danish local time

    @property
    def value(self) -> str:
        """What the booking form posts for this slot: the supervisor and the local start."""
        return f"{self.supervisor_id}@{self.starts_at.strftime('%Y-%m-%dT%H:%M')}"


def parse_slot(value: object) -> tuple[int, datetime] | None:
    """The supervisor and the start a posted slot names; None when it is not one of ours (a time
    outside the weeks offered, say year 9999, is not: the booking's arithmetic would overflow)."""
    try:
        supervisor, moment = str(value).split("@", 1)
        start = datetime.strptime(moment, "%Y-%m-%dT%H:%M").replace(tzinfo=TIMEZONE)
    except ValueError:
        return None
    supervisor_id = optional_int(supervisor)  # an id the database can hold
    today = now().astimezone(TIMEZONE)
    if not (today - timedelta(days=1) <= start <= today + timedelta(weeks=WEEKS + 1)) or not supervisor_id \
            or supervisor_id < 1:
        return None
    return supervisor_id, start


def _at(day: date, minute: int) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), TIMEZONE)


def _subtract(free: list[tuple[datetime, datetime]], busy: list[tuple[datetime, datetime]]
              ) -> list[tuple[datetime, datetime]]:
    for busy_start, busy_end in busy:
        remaining = []
        for start, end in free:
            if busy_end <= start or end <= busy_start:
                remaining.append((start, end))
                continue
            if start < busy_start:
                remaining.append((start, busy_start))
            if busy_end < end:
                remaining.append((busy_end, end))
        free = remaining
    return free


def _starts(free: tuple[datetime, datetime], minutes: int, earliest: datetime) -> list[datetime]:
    """Back-to-back sessions from the first aligned start of a free stretch (all times local)."""
    start, end = free
    if start < earliest:
        start = earliest
    if start.minute % ALIGN_MINUTES or start.second or start.microsecond:
        start = start.replace(second=0, microsecond=0) + timedelta(minutes=ALIGN_MINUTES - start.minute % ALIGN_MINUTES)
    step = timedelta(minutes=-(-minutes // ALIGN_MINUTES) * ALIGN_MINUTES)
    length = timedelta(minutes=minutes)
    out = []
    while start + length <= end:
        out.append(start)
        start += step
    return out


async def free_slots(supervisor_ids: list[int], minutes: int, employee_ids: list[int] | None = None, *,
                     weeks: int = WEEKS, after: datetime | None = None) -> dict[int, list[Slot]]:
    """Each supervisor's free slots of `minutes` from `after` (now) over `weeks`, soonest first:
    inside a weekly window, not on a day off, not overlapping the supervisor's or any chosen
    participant's booked session."""
    # Every time in local time from here on: comparing times of one zone is cheap, and a slot is
    # shown as it is.
    after = (after or now()).astimezone(TIMEZONE)
    first_day = after.date()
    last_day = first_day + timedelta(days=7 * weeks - 1)
    range_start, range_end = _at(first_day, 0), _at(last_day + timedelta(days=1), 0)
    ids = list(supervisor_ids) or [-1]
    windows: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for w in await Availability.select(Availability.supervisor, Availability.weekday, Availability.start_minute,
                                       Availability.end_minute).where(Availability.supervisor.is_in(ids)).run():
        windows[w["supervisor"]][w["weekday"]].append((w["start_minute"], w["end_minute"]))
    days_off = {(r["supervisor"], r["day"]) for r in await AvailabilityException.select(
        AvailabilityException.supervisor, AvailabilityException.day).where(
        AvailabilityException.supervisor.is_in(ids) & (AvailabilityException.day >= first_day)
        & (AvailabilityException.day <= last_day)).run()}
    # A session lasts at most MAX_MINUTES: the lower bound on the start lets the index skip the history.
    overlapping = ((Booking.status == "booked") & (Booking.starts_at < range_end) & (Booking.ends_at > range_start)
                   & (Booking.starts_at > range_start - timedelta(minutes=MAX_MINUTES)))
    busy: dict[int, dict[date, list]] = defaultdict(lambda: defaultdict(list))
    for b in await Booking.select(Booking.supervisor, Booking.starts_at, Booking.ends_at).where(
            Booking.supervisor.is_in(ids) & overlapping).run():
        starts_at = b["starts_at"].astimezone(TIMEZONE)
        busy[b["supervisor"]][starts_at.date()].append((starts_at, b["ends_at"].astimezone(TIMEZONE)))
    people_busy: dict[date, list] = defaultdict(list)
    if employee_ids:
        booked = BookingParticipant.booking
        for b in await BookingParticipant.select(booked.starts_at.as_alias("starts_at"),
                                                 booked.ends_at.as_alias("ends_at")).where(
                BookingParticipant.employee.is_in(list(employee_ids)) & (BookingParticipant.status == "active")
                & (booked.status == "booked") & (booked.starts_at < range_end) & (booked.ends_at > range_start)
                & (booked.starts_at > range_start - timedelta(minutes=MAX_MINUTES))).run():
            starts_at = b["starts_at"].astimezone(TIMEZONE)
            people_busy[starts_at.date()].append((starts_at, b["ends_at"].astimezone(TIMEZONE)))
    out: dict[int, list[Slot]] = {}
    for supervisor_id in supervisor_ids:
        found: set[datetime] = set()
        weekly = windows.get(supervisor_id, {})
        for offset in range(7 * weeks):
            day = first_day + timedelta(days=offset)
            if not weekly.get(day.weekday()) or (supervisor_id, day) in days_off:
                continue
            taken = busy[supervisor_id].get(day, []) + people_busy.get(day, [])
            for start_minute, end_minute in weekly[day.weekday()]:
                for stretch in _subtract([(_at(day, start_minute), _at(day, end_minute))], taken):
                    found.update(_starts(stretch, minutes, after))
        out[supervisor_id] = [Slot(supervisor_id, s) for s in sorted(found)]
    return out


@dataclass
class Week:
    """One week of free times for the booking form: its days, and on each day each supervisor's
    slots (in the order the supervisors were given)."""

    number: int
    first_day: date
    count: int
    days: list[tuple[date, list[tuple[int, list[Slot]]]]]

    @property
    def label(self) -> str:
        last = self.first_day + timedelta(days=6)
        return f"Uge {self.number} ({self.first_day.day}.{self.first_day.month}.–{last.day}.{last.month}.)"


def by_week(slots: dict[int, list[Slot]], *, after: datetime | None = None, weeks: int = WEEKS) -> list[Week]:
    """The slots laid out week by week from the current week (Monday first), empty weeks kept so
    the form can say a week has nothing free."""
    today = (after or now()).astimezone(TIMEZONE).date()
    monday = today - timedelta(days=today.weekday())
    span = weeks + (1 if today != monday else 0)  # the tail of the last week lies in the next
    per_day: dict[date, dict[int, list[Slot]]] = defaultdict(lambda: defaultdict(list))
    for supervisor_id, found in slots.items():
        for slot in found:
            per_day[slot.starts_at.date()][supervisor_id].append(slot)
    out = []
    for n in range(span):
        first = monday + timedelta(days=7 * n)
        days = []
        for d in range(7):
            day = first + timedelta(days=d)
            if day in per_day:
                days.append((day, [(sid, per_day[day][sid]) for sid in slots if per_day[day].get(sid)]))
        out.append(Week(number=first.isocalendar().week, first_day=first,
                        count=sum(len(s) for _, by in days for _, s in by), days=days))
    return out


def session_minutes(value: object, default: int = 60) -> int:
    """The session length the free times are computed for: what the form says when it is a
    length a session may have, otherwise the default (the booking rule reports the bad value)."""
    try:
        minutes = int(str(value))
    except ValueError:
        return default
    return minutes if MIN_MINUTES <= minutes <= MAX_MINUTES else default


@dataclass
class FreeTimes:
    """What the booking form shows: the weeks, which one is open, and the supervisors' names."""

    weeks: list[Week]
    shown: int
    names: dict[int, str]
    minutes: int

    @property
    def week(self) -> Week:
        return self.weeks[self.shown]

    @property
    def total(self) -> int:
        return sum(w.count for w in self.weeks)


async def free_times(matches: list[dict], minutes: int, employee_ids: list[int], shown: object = None) -> FreeTimes:
    """The suited (bookable) supervisors' free times for the booking form; the week shown is the
    one asked for, else the first with a free time."""
    suited = [m for m in matches if m["bookable"]]
    weeks = by_week(await free_slots([m["id"] for m in suited], minutes, employee_ids))
    try:
        index = int(str(shown))
    except ValueError:
        index = next((i for i, w in enumerate(weeks) if w.count), 0)
    return FreeTimes(weeks=weeks, shown=min(max(index, 0), len(weeks) - 1),
                     names={m["id"]: m["name"] for m in suited}, minutes=minutes)


def slot_errors(errors: dict[str, str], chosen: bool) -> dict[str, str]:
    """A booking made by choosing a free time: the supervisor's and the time's errors belong to
    the choice of time (the person never typed either)."""
    errors = dict(errors)
    said = [errors.pop(key) for key in ("supervisor", "starts_at") if key in errors]
    if said:
        errors = {"slot": said[0] if chosen else "Vælg en ledig tid", **errors}
    return errors
