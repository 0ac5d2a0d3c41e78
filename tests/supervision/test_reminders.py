"""Supervision reminder hooks: due soon / overdue, the day before, attendance not registered."""

from datetime import date, time, timedelta

from hr.auth.services import load_principal
from hr.db import now
from hr.forms import local_today
from hr.org.tables import Employee
from hr.supervision import booking, reminders
from hr.supervision.tables import Booking, Supervisor
from tests.supervision.conftest import next_monday


def keyed(items):
    return {(r.kind, r.subject, r.account_id) for r in items}


async def test_overdue_employees_and_their_leader_are_reminded_until_a_session_is_booked(world, supervisor):
    await Employee.update({Employee.start_date: date(2020, 1, 1)}, force=True).run()
    due = keyed(await reminders.due(now()))
    staff = f"employee:{world.staff_employee}"
    assert ("supervision.overdue", staff, world.accounts["staff"]) in due
    assert ("supervision.overdue", staff, world.accounts["leader"]) in due
    assert ("supervision.overdue", staff, world.accounts["other"]) not in due
    hr = await load_principal(world.accounts["hr"])
    await booking.book(hr, supervisor_id=supervisor, starts_at=next_monday(time(10)), minutes=60,
                       session_type="group", capacity=3, employee_ids=[world.staff_employee, world.leader_employee],
                       place="Stuen")
    assert not any(r[1] == staff for r in keyed(await reminders.due(now())))


async def test_new_hires_are_not_reminded_during_their_grace_period(world):
    await Employee.update({Employee.start_date: local_today() - timedelta(days=5)}, force=True).run()
    assert not [r for r in await reminders.due(now()) if r.kind.startswith("supervision.overdue")]


async def test_the_day_before_participants_and_the_supervisor_are_reminded(world, supervisor):
    await Supervisor.update({Supervisor.account: world.accounts["supervisor"]}).where(
        Supervisor.id == supervisor).run()
    hr = await load_principal(world.accounts["hr"])
    start = next_monday(time(10))
    booking_id = await booking.book(hr, supervisor_id=supervisor, starts_at=start, minutes=60, session_type="group",
                                    capacity=3, employee_ids=[world.staff_employee, world.leader_employee],
                                    place="Stuen")
    assert not [r for r in await reminders.due(now()) if r.kind == "supervision.booking_soon"]
    day_before = start - timedelta(hours=20)
    soon = [r for r in await reminders.due(day_before) if r.kind == "supervision.booking_soon"]
    assert {r.account_id for r in soon} == {world.accounts["staff"], world.accounts["leader"],
                                            world.accounts["supervisor"]}
    assert all(r.subject == f"booking:{booking_id}" for r in soon)
    # Moving the session gives a new period, so the new time is reminded too.
    await booking.reschedule(hr, booking_id, start + timedelta(hours=3), 60, "Senere")
    moved = [r for r in await reminders.due(day_before + timedelta(hours=3)) if r.kind == "supervision.booking_soon"]
    assert {r.period for r in moved} != {r.period for r in soon}


async def test_missing_attendance_nags_until_registered(world, supervisor):
    leader = await load_principal(world.accounts["leader"])
    booking_id = await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(10)), minutes=60,
                                    session_type="individual", capacity=1, employee_ids=[world.leader_employee],
                                    place="Kontoret")
    past = now() - timedelta(days=1)
    await Booking.update({Booking.starts_at: past, Booking.ends_at: past + timedelta(hours=1)}).where(
        Booking.id == booking_id).run()
    nags = [r for r in await reminders.due(now()) if r.kind == "supervision.attendance_missing"]
    assert {r.account_id for r in nags} == {world.accounts["leader"]}
    await booking.register_attendance(leader, booking_id, [])  # registered: nobody came
    assert not [r for r in await reminders.due(now()) if r.kind == "supervision.attendance_missing"]
