"""E-mails (with an iCalendar attachment) when a session is booked, moved or cancelled, or a
participant leaves. Each mail goes to one person and names only that person, and is written
to the outbox inside the transaction of the change."""

from __future__ import annotations

from hr.auth.tables import Account
from hr.notify.outbox import Attachment, Mail, enqueue
from hr.supervision.calendar import invitation
from hr.supervision.tables import Booking, BookingParticipant

CHANGES = {"booked": "REQUEST", "moved": "REQUEST", "cancelled": "CANCEL", "left": "CANCEL"}


async def _booking(booking_id: int) -> dict:
    return await Booking.select(Booking.all_columns(), Booking.supervisor.name.as_alias("supervisor_name"),
                                Booking.supervisor.email.as_alias("supervisor_email"),
                                Booking.supervisor.account.as_alias("supervisor_account"),
                                Booking.unit.name.as_alias("unit_name")).where(Booking.id == booking_id
                                                                               ).first().run()


async def _recipients(booking: dict, employee_ids: list[int] | None) -> list[dict]:
    """Active participants (or the given ones) with an e-mail address, plus the supervisor."""
    query = BookingParticipant.select(BookingParticipant.employee.as_alias("employee_id"),
                                      BookingParticipant.employee.name.as_alias("name"),
                                      BookingParticipant.employee.email.as_alias("email")).where(
        BookingParticipant.booking == booking["id"])
    if employee_ids is None:
        query = query.where(BookingParticipant.status == "active")
    else:
        query = query.where(BookingParticipant.employee.is_in(employee_ids or [-1]))
    people = await query.run()
    accounts = {r["employee"]: r["id"] for r in await Account.select(Account.id, Account.employee).where(
        Account.employee.is_in([p["employee_id"] for p in people] or [-1])).run()}
    out = [{"who": f"emp{p['employee_id']}", "name": p["name"], "email": p["email"],
            "account": accounts.get(p["employee_id"]), "role": "participant"} for p in people]
    if employee_ids is None and booking["supervisor_email"]:
        out.append({"who": "supervisor", "name": booking["supervisor_name"], "email": booking["supervisor_email"],
                    "account": booking["supervisor_account"], "role": "supervisor"})
    return [r for r in out if r["email"]]


async def notify(booking_id: int, change: str, employee_ids: list[int] | None = None, reason: str = "") -> int:
    """Queue the mails for a change; `employee_ids` limits it to those participants (one who left)."""
    method = CHANGES[change]
    booking = await _booking(booking_id)
    mails = []
    for person in await _recipients(booking, employee_ids):
        ics = invitation(booking, method, (person["name"], person["email"]))
        mails.append(Mail(
            key=f"supervision:{change}:{booking['uid']}:{booking['sequence']}:{person['who']}",
            kind=f"supervision_{change}", to_address=person["email"], account_id=person["account"],
            template="supervision_invitation",
            context={"booking": booking, "change": change, "person": person, "reason": reason},
            attachments=(Attachment(filename="invitation.ics" if method == "REQUEST" else "aflysning.ics",
                                    content=ics, method=method),)))
    return await enqueue(*mails)
