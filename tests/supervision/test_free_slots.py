"""Booking by free times: each suited supervisor's free slots from availability, days off and
bookings (theirs and the participants'), chosen on the booking page in one pass."""

import re
from datetime import time, timedelta

from hr.auth.services import load_principal
from hr.settings import TIMEZONE
from hr.supervision import booking, slots
from hr.supervision.tables import (
    Availability,
    AvailabilityException,
    Booking,
    Supervisor,
    SupervisorInstitution,
    SupervisorMethod,
)
from tests.confirmations import confirmed
from tests.supervision.conftest import next_monday


async def _monday_morning_supervisor(world) -> int:
    """A second KRAP supervisor serving institution A, free on Mondays 8-12 only."""
    other = (await Supervisor.insert(Supervisor(name="Anden")).returning(Supervisor.id).run())[0]["id"]
    await Availability.insert(Availability(supervisor=other, weekday=0, start_minute=8 * 60,
                                           end_minute=12 * 60)).run()
    await SupervisorMethod.insert(SupervisorMethod(supervisor=other, method=world.method_krap)).run()
    await SupervisorInstitution.insert(SupervisorInstitution(supervisor=other, institution=world.inst_a)).run()
    return other


def _times(found: list[slots.Slot], day) -> list[str]:
    return [s.starts_at.strftime("%H:%M") for s in found if s.starts_at.date() == day]


async def test_free_slots_leave_out_days_off_bookings_and_the_participants_other_sessions(world, supervisor):
    monday = next_monday(time(8))
    other = await _monday_morning_supervisor(world)
    leader = await load_principal(world.accounts["leader"])
    # Knud is busy 10-11 on Monday; Søren has a session with the other supervisor 8-9; Knud is off on Tuesday.
    await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(10)), minutes=60,
                       session_type="individual", capacity=1, employee_ids=[world.leader_employee], place="x")
    await booking.book(leader, supervisor_id=other, starts_at=next_monday(time(8)), minutes=60,
                       session_type="individual", capacity=1, employee_ids=[world.staff_employee], place="x")
    await AvailabilityException.insert(AvailabilityException(
        supervisor=supervisor, day=(monday + timedelta(days=1)).date())).run()

    free = await slots.free_slots([supervisor, other], 60)
    day = monday.date()
    assert _times(free[supervisor], day) == ["08:00", "09:00", "11:00", "12:00", "13:00", "14:00", "15:00"]
    assert _times(free[supervisor], day + timedelta(days=1)) == []  # day off
    assert _times(free[supervisor], day + timedelta(days=2))[:2] == ["08:00", "09:00"]
    assert _times(free[other], day) == ["09:00", "10:00", "11:00"]
    assert _times(free[other], day + timedelta(days=1)) == []  # no window on Tuesdays

    # With Søren chosen, his 8-9 session takes that hour from Knud as well.
    with_him = await slots.free_slots([supervisor], 60, [world.staff_employee])
    assert _times(with_him[supervisor], day) == ["09:00", "11:00", "12:00", "13:00", "14:00", "15:00"]
    # 90 minutes: back to back from the start of each free stretch, never across a booking.
    long = await slots.free_slots([supervisor], 90)
    assert _times(long[supervisor], day) == ["08:00", "11:00", "12:30", "14:00"]
    # Nothing before now, nothing after eight weeks.
    assert all(s.starts_at > monday - timedelta(days=14) for s in free[supervisor])
    last = max(s.starts_at for s in free[supervisor]).date()
    assert last < (slots.now().astimezone(TIMEZONE).date() + timedelta(weeks=8))


async def test_a_slot_later_today_starts_on_the_next_half_hour():
    from datetime import datetime

    after = datetime(2027, 3, 1, 9, 10, tzinfo=TIMEZONE)
    free = slots._starts((datetime(2027, 3, 1, 8, 0, tzinfo=TIMEZONE), datetime(2027, 3, 1, 12, 0, tzinfo=TIMEZONE)),
                         60, after)
    assert [s.strftime("%H:%M") for s in free] == ["09:30", "10:30"]


async def test_the_leader_books_a_free_time_from_the_overdue_duty_in_one_pass(client, world, supervisor):
    from tests.conftest import World, login, post_form

    await login(client, World.LEADER)
    form = (await client.get(f"/supervision/bookinger/ny?medarbejder={world.staff_employee}")).text
    assert "Ledige tider" in form
    offered = re.findall(r'name="slot" id="[^"]+" value="([^"]+)"', form)
    assert offered and all(v.startswith(f"{supervisor}@") for v in offered)
    chosen = offered[0]
    ok = await post_form(client, "/supervision/bookinger/ny", {
        "slot": chosen, "session_type": "individual", "minutes": "60", "capacity": "1",
        "participants": [str(world.staff_employee)], "place": "Kontoret", "tilbud": str(world.inst_a)})
    await confirmed(client, ok, "Supervisionen er booket")
    row = await Booking.select().where(Booking.status == "booked").first().run()
    assert row["starts_at"].astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M") == chosen.split("@")[1]
    # The time is taken now: the form no longer offers it, and posting it again says so at the choice.
    again = (await client.get(f"/supervision/bookinger/ny?medarbejder={world.leader_employee}")).text
    assert f'value="{chosen}"' not in again
    taken = await post_form(client, "/supervision/bookinger/ny", {
        "slot": chosen, "session_type": "individual", "minutes": "60", "capacity": "1",
        "participants": [str(world.leader_employee)], "place": "Kontoret", "tilbud": str(world.inst_a)})
    assert taken.status_code == 400 and 'href="#slot">Supervisoren er optaget' in taken.text
    assert await Booking.count() == 1


async def test_booking_without_a_time_asks_for_one_and_the_weeks_page_without_booking(client, world, supervisor):
    from tests.conftest import World, login, post_form

    await login(client, World.LEADER)
    fields = {"session_type": "individual", "minutes": "60", "capacity": "1",
              "participants": [str(world.staff_employee)], "place": "Kontoret", "tilbud": str(world.inst_a)}
    missing = await post_form(client, "/supervision/bookinger/ny", fields)
    assert missing.status_code == 400 and 'href="#slot">Vælg en ledig tid' in missing.text
    for garbled in ("x@y", "1@9999-12-31T23:59", "99999999999999999999@2027-01-04T10:00", "@", "1@"):
        answer = await post_form(client, "/supervision/bookinger/ny", {**fields, "slot": garbled})
        assert answer.status_code == 400 and "Vælg en ledig tid" in answer.text, garbled
    week = await post_form(client, "/supervision/bookinger/ny", {**fields, "vis_uge": "3"})
    assert week.status_code == 200 and 'value="3" class="button button-secondary app-week-button" aria-current' \
        in week.text
    shown = re.search(r"<h3>Uge (\d+) ", week.text).group(1)
    assert int(shown) == (slots.now().astimezone(TIMEZONE).date() + timedelta(weeks=3)).isocalendar().week
    assert await Booking.count() == 0


async def test_the_free_times_follow_the_chosen_participants_and_length(client, world, supervisor):
    """The form asks again (htmx) when a participant is ticked: their other sessions drop out."""
    from tests.conftest import World, login

    other = await _monday_morning_supervisor(world)
    leader = await load_principal(world.accounts["leader"])
    await booking.book(leader, supervisor_id=other, starts_at=next_monday(time(10)), minutes=60,
                       session_type="individual", capacity=1, employee_ids=[world.staff_employee], place="x")
    await login(client, World.LEADER)
    knud_at_ten = f'value="{supervisor}@{next_monday(time(10)).strftime("%Y-%m-%dT%H:%M")}"'
    today = slots.now().astimezone(TIMEZONE).date()
    week = (next_monday(time(8)).date() - (today - timedelta(days=today.weekday()))).days // 7
    params = {"tilbud": world.inst_a, "minutes": "60", "uge": week}
    nobody = (await client.get("/supervision/bookinger/ledige", params=params)).text
    assert "Ledige tider" in nobody and "<html" not in nobody and knud_at_ten in nobody
    with_soren = (await client.get("/supervision/bookinger/ledige",
                                   params={**params, "participants": world.staff_employee})).text
    assert knud_at_ten not in with_soren and "hvor de valgte deltagere ikke har anden supervision" in with_soren
    longer = (await client.get("/supervision/bookinger/ledige", params={**params, "minutes": "120"})).text
    assert "på 120 minutter" in longer
    # Another institution's times are not the leader's to see.
    assert (await client.get("/supervision/bookinger/ledige", params={**params, "tilbud": world.inst_b})
            ).status_code == 404
