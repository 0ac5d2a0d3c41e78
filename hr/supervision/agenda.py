"""A person's own sessions: as participant and, for supervisors, the sessions they lead.
Also the secret calendar-subscription link (only the token's hash is stored)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from hr import audit
from hr.auth.principal import Principal
from hr.auth.tables import Account
from hr.db import now, transaction
from hr.supervision.tables import Booking, BookingParticipant, CalendarFeed, Supervisor

HISTORY = timedelta(days=90)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _sessions(account_id: int, employee_id: int | None, since, include_cancelled: bool) -> list[dict]:
    supervisor_ids = [r["id"] for r in await Supervisor.select(Supervisor.id).where(
        Supervisor.account == account_id).run()]
    joined = [r["booking"] for r in await BookingParticipant.select(BookingParticipant.booking).where(
        (BookingParticipant.employee == (employee_id or -1)) & (BookingParticipant.status == "active")).run()]
    query = Booking.select(Booking.all_columns(), Booking.supervisor.name.as_alias("supervisor_name"),
                           Booking.unit.name.as_alias("unit_name")).where(
        (Booking.supervisor.is_in(supervisor_ids or [-1]) | Booking.id.is_in(joined or [-1]))
        & (Booking.ends_at >= since)).order_by(Booking.starts_at)
    if not include_cancelled:
        query = query.where(Booking.status == "booked")
    rows = await query.limit(500).run()
    names = await _participant_names([r["id"] for r in rows])
    for row in rows:
        row["leading"] = row["supervisor"] in supervisor_ids
        row["participants"] = names.get(row["id"], [])
    return rows


async def _participant_names(booking_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for row in await BookingParticipant.select(BookingParticipant.booking,
                                               BookingParticipant.employee.name.as_alias("name")).where(
            BookingParticipant.booking.is_in(booking_ids or [-1]) & (BookingParticipant.status == "active")
    ).order_by(BookingParticipant.employee.name).run():
        out.setdefault(row["booking"], []).append(row["name"])
    return out


async def my_sessions(principal: Principal) -> list[dict]:
    return await _sessions(principal.account_id, principal.employee_id, now() - timedelta(days=1), False)


async def supervisor_calendar(supervisor_id: int) -> list[dict]:
    """HR's view of one supervisor's calendar (also those without a login)."""
    rows = await Booking.select(Booking.all_columns(), Booking.supervisor.name.as_alias("supervisor_name"),
                                Booking.unit.name.as_alias("unit_name")).where(
        (Booking.supervisor == supervisor_id) & (Booking.ends_at >= now() - timedelta(days=1))
        & (Booking.status == "booked")).order_by(Booking.starts_at).limit(500).run()
    names = await _participant_names([r["id"] for r in rows])
    for row in rows:
        row["leading"] = True
        row["participants"] = names.get(row["id"], [])
    return rows


async def has_feed(principal: Principal) -> bool:
    return await CalendarFeed.exists().where(CalendarFeed.account == principal.account_id).run()


async def new_feed(principal: Principal) -> str:
    """A fresh subscription token; the old link stops working."""
    token = secrets.token_urlsafe(32)
    async with transaction():
        await CalendarFeed.delete().where(CalendarFeed.account == principal.account_id).run()
        await CalendarFeed.insert(CalendarFeed(account=principal.account_id, token_hash=_hash(token))).run()
        await audit.record(principal, "create", "calendar_feed", principal.account_id)
    return token


async def revoke_feed(principal: Principal) -> None:
    async with transaction():
        await CalendarFeed.delete().where(CalendarFeed.account == principal.account_id).run()
        await audit.record(principal, "revoke", "calendar_feed", principal.account_id)


async def feed_sessions(token: str) -> tuple[str, list[dict]] | None:
    """(name, sessions incl. cancelled ones, so subscribed calendars remove them) or None."""
    if not token or len(token) > 100:
        return None
    feed = await CalendarFeed.select(CalendarFeed.account).where(CalendarFeed.token_hash == _hash(token)).first().run()
    if not feed:
        return None
    account = await Account.select().where((Account.id == feed["account"]) & Account.active.eq(True)).first().run()
    if not account:
        return None
    return account["name"], await _sessions(account["id"], account["employee"], now() - HISTORY, True)


ASK_KIND = "supervision.ask"


async def ask_leader_for_session(principal: Principal) -> list[str]:
    """'Bed din leder om en tid': an employee cannot book their own supervision (their leader
    does), so their overdue duty offers this instead. Their unit's leaders (or the institution's
    head) get a mail that opens booking with the person chosen; one a day per leader, whatever
    the clicks. Returns the leaders' names."""
    from hr.forms import ValidationError, local_today
    from hr.notify.outbox import Mail, enqueue
    from hr.notify.reminder import Leaders
    from hr.org.tables import Employee
    from hr.settings import get_settings
    from hr.supervision.duties import booking_link

    if not principal.employee_id:
        raise ValidationError({"form": "Du er ikke ansat i et tilbud her; HR aftaler din supervision med dig"})
    me = await Employee.select(Employee.id, Employee.name, Employee.unit,
                               Employee.unit.institution.as_alias("institution")).where(
        Employee.id == principal.employee_id).first().run()
    leaders = (await Leaders.load()).of(me["unit"], me["institution"]) - {principal.account_id}
    people = await Account.select(Account.id, Account.name, Account.email).where(
        Account.id.is_in(sorted(leaders) or [-1]) & Account.active.eq(True)).order_by(Account.name).run()
    if not people:
        raise ValidationError({"ask": "Din afdeling har ingen leder registreret her; kontakt HR"})
    today = local_today()
    link = f"{get_settings().base_url}{booking_link(me['id'])}"
    async with transaction():
        await enqueue(*[Mail(key=f"{ASK_KIND}|{me['id']}|{today}|{p['id']}", kind=ASK_KIND, to_address=p["email"],
                             account_id=p["id"], template="supervision_ask",
                             context={"name": p["name"], "employee": me["name"], "link": link})
                        for p in people])
        await audit.record(principal, "send", "supervision_request", me["id"], {"leaders": len(people)})
    return [p["name"] for p in people]
