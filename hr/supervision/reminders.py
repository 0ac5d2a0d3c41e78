"""What supervision wants sent, as data: due-soon and overdue notices to the employee and
their leader, a reminder the day before a session, and a nudge when attendance has not been
registered after a session. A sweep costs a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from hr.auth.principal import SYSTEM
from hr.notify.reminder import Leaders, Problems, Reminder, employee_accounts
from hr.settings import TIMEZONE
from hr.supervision import compliance
from hr.supervision.services import list_requirements
from hr.supervision.tables import Booking, BookingParticipant

SOURCE = "Supervision"
BEFORE_SESSION = timedelta(hours=24)
ATTENDANCE_WINDOW = timedelta(days=14)  # after that, the nudge stops (the session still shows as unregistered)


async def due(now: datetime, problems: Problems | None = None) -> list[Reminder]:
    problems = problems if problems is not None else Problems()
    today = now.astimezone(TIMEZONE).date()
    leaders = await Leaders.load()
    accounts = await employee_accounts()
    out: list[Reminder] = []

    requirements = await list_requirements()
    for person in await compliance.load_people(SYSTEM, latest_until=today):
        with problems.item(SOURCE, f"employee:{person.id}"):
            out.extend(_person(person, compliance.status_on(person, requirements, today), accounts, leaders))

    soon = await Booking.select(Booking.id, Booking.starts_at, Booking.supervisor.account.as_alias("sv_account"),
                                Booking.supervisor.name.as_alias("sv_name")).where(
        (Booking.status == "booked") & (Booking.starts_at > now) & (Booking.starts_at <= now + BEFORE_SESSION)).run()
    finished = await Booking.select(Booking.id, Booking.starts_at, Booking.ends_at, Booking.unit, Booking.institution,
                                    Booking.booked_by, Booking.supervisor.account.as_alias("sv_account")).where(
        (Booking.status == "booked") & (Booking.ends_at <= now) & (Booking.ends_at > now - ATTENDANCE_WINDOW)).run()
    participants = await BookingParticipant.select(BookingParticipant.booking, BookingParticipant.employee,
                                                   BookingParticipant.attended).where(
        BookingParticipant.booking.is_in([b["id"] for b in soon + finished] or [-1])
        & (BookingParticipant.status == "active")).run()
    by_booking: dict[int, list[dict]] = {}
    for p in participants:
        by_booking.setdefault(p["booking"], []).append(p)

    for b in soon:
        with problems.item(SOURCE, f"booking:{b['id']}"):
            out.extend(_booking_soon(b, by_booking, accounts))

    for b in finished:
        with problems.item(SOURCE, f"booking:{b['id']}"):
            out.extend(_attendance_missing(b, by_booking, leaders))
    return out


def _booking_soon(b: dict, by_booking: dict, accounts: dict) -> list[Reminder]:
    period = b["starts_at"].isoformat()  # moved sessions are reminded again
    title = f"Supervision i morgen eller i dag: {b['starts_at'].astimezone(TIMEZONE):%d.%m.%Y kl. %H:%M}"
    who = {accounts.get(p["employee"]) for p in by_booking.get(b["id"], [])} | {b["sv_account"]}
    return [Reminder("supervision.booking_soon", f"booking:{b['id']}", period, account, title,
                     "/supervision/kalender", b["starts_at"]) for account in sorted(a for a in who if a)]


def _attendance_missing(b: dict, by_booking: dict, leaders: Leaders) -> list[Reminder]:
    rows = by_booking.get(b["id"], [])
    if not rows or any(p["attended"] is not None for p in rows):
        return []
    who = {b["booked_by"], b["sv_account"], *leaders.of(b["unit"], b["institution"])}
    title = f"Registrér fremmøde for supervision {b['starts_at'].astimezone(TIMEZONE):%d.%m.%Y}"
    return [Reminder("supervision.attendance_missing", f"booking:{b['id']}", b["ends_at"].date().isoformat(),
                     account, title, f"/supervision/bookinger/{b['id']}", b["ends_at"])
            for account in sorted(a for a in who if a)]


def _person(person, status, accounts: dict, leaders: Leaders) -> list[Reminder]:
    if status.status not in ("due_soon", "overdue") or person.next_booked is not None:
        return []  # fine, or a session is booked already: nothing to nag about
    period = status.due.isoformat() if status.due else "never"
    kind = f"supervision.{status.status}"
    mine = accounts.get(person.id)
    out = []
    if mine:
        title = ("Din supervision er overskredet" if status.status == "overdue"
                 else "Du skal snart have supervision")
        out.append(Reminder(kind, f"employee:{person.id}", period, mine, title, "/supervision/kalender",
                            status.due))
    for leader in leaders.of(person.unit, person.institution) - {mine}:
        state = "har overskredet" if status.status == "overdue" else "skal snart have"
        out.append(Reminder(kind, f"employee:{person.id}", period, leader,
                            f"{person.name} {state} supervision", f"/medarbejdere/{person.id}", status.due))
    return out
