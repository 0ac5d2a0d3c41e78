"""What supervision asks of a person now: their own supervision when overdue or due soon; for
leaders (HR: the region) the staff overdue or due soon without a booked session and past
sessions without attendance; for supervisors their coming sessions and attendance to register.
A fixed number of queries."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime, timedelta

from hr.auth.principal import Principal, Role
from hr.auth.scope import led_unit_list
from hr.db import prepared
from hr.duties import Duty
from hr.forms import local_today
from hr.settings import TIMEZONE
from hr.supervision import compliance
from hr.supervision.booking import ATTENDANCE_WINDOW
from hr.supervision.services import list_requirements
from hr.supervision.tables import Booking, BookingParticipant

COMING = timedelta(days=14)


def _at(moment: datetime) -> str:
    return f"{moment.astimezone(TIMEZONE):%d.%m.%Y kl. %H:%M}"


def _requirements(principal: Principal) -> Awaitable[list[dict]]:
    return principal.once("supervision_requirements", list_requirements)


def _led_people(principal: Principal, today: date) -> Awaitable[list[compliance.Person]]:
    """A unit leader's staff and the leader themself, read once per request: the leader's own
    status and their staff's duties come from the one read."""
    return principal.once(f"supervision_people:{today}", lambda: compliance.load_people(
        principal, latest_until=today, including=principal.employee_id))


def booking_link(employee_id: int) -> str:
    """The booking form with the person chosen and a suited supervisor (booking.prefilled)."""
    return f"/supervision/bookinger/ny?medarbejder={employee_id}"


def _leads_units(principal: Principal) -> bool:
    return Role.LEADER in principal.roles and not principal.is_hr


async def my_status(principal: Principal) -> dict | None:
    """The person's own supervision: status against which requirement, and the next session (read
    once per request: the front page shows it and derives a duty from it)."""
    if not principal.employee_id:
        return None
    if _leads_units(principal):
        today = local_today()
        me = next((p for p in await _led_people(principal, today) if p.id == principal.employee_id), None)
        return compliance.status_row(me, await _requirements(principal), today) if me else None
    return await principal.once("my_supervision", lambda: _own_status(principal))


async def _own_status(principal: Principal) -> dict | None:
    return await compliance.employee_status(principal.employee_id, await _requirements(principal))


@prepared
def _finished(account, everyone: bool, units, after, until):
    """Sessions ended in (after, until] that the person booked or supervised, or of their units
    (`units`), or any (`everyone`: HR)."""
    who = (Booking.booked_by == account) | (Booking.supervisor.account == account)
    if everyone:
        who = who | Booking.id.is_not_null()
    elif units is not None:
        who = who | Booking.unit.is_in(units)
    return Booking.select(Booking.id, Booking.starts_at, Booking.institution, Booking.unit.name.as_alias("unit_name"),
                          Booking.institution.name.as_alias("institution_name")).where(
        (Booking.status == "booked") & (Booking.ends_at <= until) & (Booking.ends_at > after) & who)


async def duties(principal: Principal, moment: datetime) -> list[Duty]:
    today = moment.astimezone(TIMEZONE).date()
    out: list[Duty] = []
    mine = await my_status(principal)
    if mine and mine["status"] in ("overdue", "due_soon") and not mine.get("next_booked"):
        title = ("Din supervision er overskredet" if mine["status"] == "overdue" else "Du skal snart have supervision")
        # A leader books for themself; anyone else's leader books for them (the calendar says so).
        link = booking_link(principal.employee_id) if Role.LEADER in principal.roles else "/supervision/kalender"
        out.append(Duty("supervision.own", "Din supervision", f"{title} ({mine['requirement']})",
                        link, mine["due"], late=mine["status"] == "overdue"))
    leads = Role.LEADER in principal.roles or principal.is_hr
    if leads:
        requirements = await _requirements(principal)
        cache: dict = {}
        people = await (_led_people(principal, today) if _leads_units(principal)
                        else compliance.load_people(principal, latest_until=today))
        for person in people:
            if person.id == principal.employee_id or person.next_booked is not None:
                continue  # a booked person needs nothing (compliance.needs_booking): not worth a status
            status = compliance.status_on(person, requirements, today, cache)
            if not compliance.needs_booking(status.status, person.next_booked):
                continue
            state = "har overskredet" if status.status == "overdue" else "skal snart have"
            out.append(Duty(f"supervision.{status.status}", "Medarbejdere, der mangler supervision",
                            f"{person.name} {state} supervision ({person.unit_name})", booking_link(person.id),
                            status.due, person.institution_name, late=status.status == "overdue",
                            institution_id=person.institution))
    units = None if principal.is_hr else await led_unit_list(principal)
    finished = await _finished(principal.account_id, principal.is_hr, units, moment - ATTENDANCE_WINDOW, moment)
    # Read by the sessions' ids (indexed), not as a NOT IN over every participant in the history.
    registered = {r["booking"] for r in await BookingParticipant.select(BookingParticipant.booking).where(
        BookingParticipant.booking.is_in([b["id"] for b in finished] or [-1])
        & BookingParticipant.attended.is_not_null()).run()}
    for booking in finished:
        if booking["id"] in registered:
            continue
        out.append(Duty("supervision.attendance", "Fremmøde, der mangler",
                        f"Registrér fremmøde: supervision {_at(booking['starts_at'])}, {booking['unit_name'] or ''}"
                        .rstrip(", "), f"/supervision/bookinger/{booking['id']}", booking["starts_at"],
                        booking["institution_name"] or "", institution_id=booking["institution"]))
    if Role.SUPERVISOR in principal.roles:
        coming = await Booking.select(Booking.id, Booking.starts_at, Booking.unit.name.as_alias("unit_name"),
                                      Booking.institution.name.as_alias("institution_name")).where(
            (Booking.status == "booked") & (Booking.supervisor.account == principal.account_id)
            & (Booking.starts_at > moment) & (Booking.starts_at <= moment + COMING)).order_by(Booking.starts_at).run()
        for booking in coming:
            out.append(Duty("supervision.coming", "Dine kommende supervisioner",
                            f"Supervision {_at(booking['starts_at'])}, {booking['unit_name'] or ''}".rstrip(", "),
                            f"/supervision/bookinger/{booking['id']}", booking["starts_at"],
                            booking["institution_name"] or ""))
    return out
