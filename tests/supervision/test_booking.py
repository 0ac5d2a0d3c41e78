"""Booking: availability, matching, no double-booking (also concurrently), group rules, cancel, attendance."""

import asyncio
from datetime import time, timedelta

import pytest

from hr.auth.services import load_principal
from hr.db import now
from hr.forms import ValidationError
from hr.supervision import booking
from hr.supervision.tables import (
    Availability,
    AvailabilityException,
    Booking,
    BookingParticipant,
    Supervisor,
    SupervisorInstitution,
    SupervisorMethod,
)
from tests.confirmations import confirmed
from tests.supervision.conftest import group_of, next_monday


async def test_a_leader_books_individual_supervision_for_themselves(world, supervisor):
    leader = await load_principal(world.accounts["leader"])
    booking_id = await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(10)), minutes=60,
                                    session_type="individual", capacity=1, employee_ids=[world.leader_employee],
                                    place="Mødelokale 2")
    row = await Booking.select().where(Booking.id == booking_id).first().run()
    assert row["starts_at"].tzinfo is not None
    assert row["starts_at"] == next_monday(time(10))
    assert row["uid"].endswith("@hr-socialomraadet")


async def test_outside_availability_and_on_an_exception_day_is_refused(world, supervisor):
    leader = await load_principal(world.accounts["leader"])
    args = dict(supervisor_id=supervisor, minutes=60, session_type="individual", capacity=1,
                employee_ids=[world.leader_employee], place="x")
    with pytest.raises(ValidationError, match="ikke til rådighed"):
        await booking.book(leader, starts_at=next_monday(time(15, 30)), **args)
    await AvailabilityException.insert(AvailabilityException(supervisor=supervisor,
                                                             day=next_monday(time(10)).date())).run()
    with pytest.raises(ValidationError, match="ikke til rådighed"):
        await booking.book(leader, starts_at=next_monday(time(10)), **args)


async def test_a_supervisor_without_a_matching_method_cannot_be_booked(world, supervisor):
    await SupervisorMethod.delete(force=True).run()
    leader = await load_principal(world.accounts["leader"])
    with pytest.raises(ValidationError) as caught:
        await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(10)), minutes=60,
                           session_type="individual", capacity=1, employee_ids=[world.leader_employee], place="x")
    assert "kender ingen af tilbuddets metoder" in caught.value.errors["supervisor"]


async def test_field_errors_for_a_bad_request_leave_nothing_behind(world, supervisor):
    leader = await load_principal(world.accounts["leader"])
    with pytest.raises(ValidationError) as caught:
        await booking.book(leader, supervisor_id=supervisor, starts_at=now() - timedelta(hours=1), minutes=10,
                           session_type="group", capacity=1, employee_ids=[world.other_employee],
                           video_link="http://usikker")
    errors = caught.value.errors
    assert set(errors) >= {"starts_at", "minutes", "capacity", "participants", "video_link"}
    assert await Booking.count().run() == 0


async def test_no_double_booking_of_supervisor_or_participant(world, supervisor):
    leader = await load_principal(world.accounts["leader"])
    await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(10)), minutes=90,
                       session_type="individual", capacity=1, employee_ids=[world.leader_employee], place="x")
    with pytest.raises(ValidationError, match="Supervisoren er optaget"):
        await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(11)), minutes=60,
                           session_type="individual", capacity=1, employee_ids=[world.staff_employee], place="x")
    other = (await Supervisor.insert(Supervisor(name="Anden")).returning(Supervisor.id).run())[0]["id"]
    await SupervisorMethod.insert(SupervisorMethod(supervisor=other, method=world.method_krap)).run()
    await SupervisorInstitution.insert(SupervisorInstitution(supervisor=other, institution=world.inst_a)).run()
    await Availability.insert(Availability(supervisor=other, weekday=0, start_minute=480, end_minute=960)).run()
    with pytest.raises(ValidationError, match="Optaget på det tidspunkt: Lene Leder"):
        await booking.book(leader, supervisor_id=other, starts_at=next_monday(time(11)), minutes=60,
                           session_type="individual", capacity=1, employee_ids=[world.leader_employee], place="x")


async def test_simultaneous_requests_for_one_slot_book_it_once(world, supervisor):
    leader = await load_principal(world.accounts["leader"])
    hr = await load_principal(world.accounts["hr"])
    people = await group_of(world)

    async def attempt(principal, employee):
        try:
            return await booking.book(principal, supervisor_id=supervisor, starts_at=next_monday(time(13)),
                                      minutes=60, session_type="individual", capacity=1, employee_ids=[employee],
                                      place="x")
        except ValidationError as exc:
            return exc

    results = await asyncio.gather(*[attempt(hr, e) for e in people[:4]], attempt(leader, world.leader_employee))
    assert sum(isinstance(r, int) for r in results) == 1
    assert all("optaget" in str(r) for r in results if not isinstance(r, int))
    assert await Booking.count().run() == 1


async def test_one_participant_leaving_keeps_the_group_session(world, supervisor):
    leader = await load_principal(world.accounts["leader"])
    members = [world.staff_employee, world.leader_employee]
    booking_id = await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(9)), minutes=120,
                                    session_type="group", capacity=8, employee_ids=members, place="Fællesrum")
    await booking.leave(leader, booking_id, world.staff_employee, "Syg")
    row = await Booking.select().where(Booking.id == booking_id).first().run()
    assert row["status"] == "booked"
    active = await BookingParticipant.count().where((BookingParticipant.booking == booking_id)
                                                    & (BookingParticipant.status == "active")).run()
    assert active == 1
    with pytest.raises(ValidationError, match="Skriv hvorfor sessionen aflyses"):
        await booking.cancel(leader, booking_id, "")
    await booking.cancel(leader, booking_id, "Supervisor syg")
    row = await Booking.select().where(Booking.id == booking_id).first().run()
    assert row["status"] == "cancelled" and row["sequence"] == 2  # one leave, one cancel


async def test_attendance_only_after_the_start_and_only_for_participants(world, supervisor):
    leader = await load_principal(world.accounts["leader"])
    booking_id = await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(9)), minutes=60,
                                    session_type="group", capacity=4,
                                    employee_ids=[world.staff_employee, world.leader_employee], place="x")
    with pytest.raises(ValidationError, match="først registreres"):
        await booking.register_attendance(leader, booking_id, [world.staff_employee])
    await Booking.update({Booking.starts_at: now() - timedelta(hours=2), Booking.ends_at: now() - timedelta(hours=1)}
                         ).where(Booking.id == booking_id).run()
    with pytest.raises(ValidationError, match="Kun sessionens deltagere"):
        await booking.register_attendance(leader, booking_id, [world.other_employee])
    await booking.register_attendance(leader, booking_id, [world.staff_employee])
    rows = {r["employee"]: r["attended"] for r in await BookingParticipant.select().run()}
    assert rows == {world.staff_employee: True, world.leader_employee: False}


async def test_leaders_of_other_units_cannot_touch_the_booking(world, supervisor):
    leader = await load_principal(world.accounts["leader"])
    other = await load_principal(world.accounts["other"])
    booking_id = await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(9)), minutes=60,
                                    session_type="individual", capacity=1, employee_ids=[world.staff_employee],
                                    place="x")
    with pytest.raises(LookupError):
        await booking.cancel(other, booking_id, "Nej")
    with pytest.raises(ValidationError, match="Du kan kun booke"):
        await booking.book(other, supervisor_id=supervisor, starts_at=next_monday(time(11)), minutes=60,
                           session_type="individual", capacity=1, employee_ids=[world.staff_employee], place="x")


async def test_the_leader_books_through_the_page_with_field_errors_first(client, world, supervisor):
    from tests.conftest import World, login, post_form

    await login(client, World.LEADER)
    form = await client.get("/supervision/bookinger/ny")
    assert "Knud KRAP: Kender KRAP, som tilbuddet arbejder med" in form.text
    start = next_monday(time(10))
    bad = await post_form(client, "/supervision/bookinger/ny", {"supervisor": str(supervisor), "session_type": "group",
                                                                 "date": start.date().isoformat(), "time": "10:00",
                                                                 "minutes": "90", "capacity": "8"})
    assert bad.status_code == 400
    assert "Vælg deltagere" in bad.text and "Skriv et sted eller et videolink" in bad.text
    ok = await post_form(client, "/supervision/bookinger/ny", {
        "supervisor": str(supervisor), "session_type": "group", "date": start.date().isoformat(), "time": "10:00",
        "minutes": "90", "capacity": "8", "participants": [str(world.staff_employee), str(world.leader_employee)],
        "place": "Fællesrummet"})
    page = await confirmed(client, ok, "Supervisionen er booket")
    assert start.strftime("%d.%m.%Y") + " 10:00" in page and "Søren Ståbi" in page
    assert 'href="/supervision/bookinger/ny">Book en til' in page
    listing = await client.get("/supervision/bookinger")
    assert "Knud KRAP" in listing.text


async def test_each_change_to_a_booking_is_confirmed_after_the_redirect(client, world, supervisor):
    from tests.conftest import World, login, post_form

    leader = await load_principal(world.accounts["leader"])
    booking_id = await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(9)), minutes=60,
                                    session_type="group", capacity=4,
                                    employee_ids=[world.staff_employee, world.leader_employee], place="x")
    await login(client, World.LEADER)
    base = f"/supervision/bookinger/{booking_id}"
    later = next_monday(time(13))
    moved = await post_form(client, f"{base}/flyt", {"date": later.date().isoformat(), "time": "13:00",
                                                     "minutes": "60", "move_reason": "Personalemøde"})
    await confirmed(client, moved, "Supervisionen er flyttet")
    left = await post_form(client, f"{base}/afmeld", {"employee": str(world.staff_employee), "reason": "Syg"})
    await confirmed(client, left, "Deltageren er afmeldt")
    await Booking.update({Booking.starts_at: now() - timedelta(hours=2), Booking.ends_at: now() - timedelta(hours=1)}
                         ).where(Booking.id == booking_id).run()
    attended = await post_form(client, f"{base}/fremmoede", {"attended": [str(world.leader_employee)]})
    await confirmed(client, attended, "Fremmødet er registreret")
    other = await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(15)), minutes=60,
                               session_type="individual", capacity=1, employee_ids=[world.leader_employee],
                               place="y")
    cancelled = await post_form(client, f"/supervision/bookinger/{other}/aflys", {"reason": "Supervisor syg"})
    await confirmed(client, cancelled, "Supervisionen er aflyst")
    # The address of a form, opened again, leads to the booking rather than to a 405.
    again = await client.get(f"{base}/fremmoede")
    assert again.status_code == 302 and again.headers["location"] == base


async def test_the_participant_picker_never_lists_the_whole_region(client, world, supervisor):
    """With 1,800 employees, HR's booking form and its search each render at most a page of people."""
    from hr.org.tables import Employee
    from hr.supervision.booking import PICKER_SIZE
    from tests.conftest import World, login, post_form

    await Employee.insert(*[Employee(employee_number=f"R{n}", name=f"Region Person {n:04d}", unit=world.unit_a2)
                            for n in range(1800)]).run()
    await login(client, World.HR)
    form = await client.get("/supervision/bookinger/ny")
    assert form.text.count('name="participants"') == 0 and "Find deltagere" in form.text
    found = await client.get("/supervision/bookinger/deltagere", params={"q": "Region Person"})
    assert found.text.count('name="participants"') == PICKER_SIZE and "Der er flere" in found.text
    narrow = await client.get("/supervision/bookinger/deltagere", params={"q": "Person 0042"})
    assert narrow.text.count('name="participants"') == 1 and "Region Person 0042" in narrow.text
    chosen = (await Employee.select(Employee.id).where(Employee.name == "Region Person 0042").first().run())["id"]
    again = await client.get("/supervision/bookinger/deltagere", params={"q": "Person 004", "participants": chosen})
    assert "Region Person 0042" not in again.text  # already chosen: it stays above, not in the results
    # Without JavaScript the search button re-renders the form with the results and books nothing.
    searched = await post_form(client, "/supervision/bookinger/ny", {"action": "search", "q": "Person 0042",
                                                                      "participants": str(world.staff_employee)})
    assert searched.status_code == 200 and "Region Person 0042" in searched.text
    assert searched.text.count('checked') >= 1 and "Søren Ståbi" in searched.text
    from hr.supervision.tables import Booking

    assert await Booking.count() == 0


async def test_the_overdue_duty_opens_booking_with_the_person_and_a_suited_supervisor_chosen(client, world,
                                                                                             supervisor):
    """'Søren Ståbi har overskredet supervision' opened his employee page, whose only button was leave."""
    import re

    from tests.conftest import World, login, post_form

    await Supervisor.insert(Supervisor(name="Anna Anden")).run()  # serves no one here: not chosen
    await login(client, World.LEADER)
    front = (await client.get("/")).text
    link = f"/supervision/bookinger/ny?medarbejder={world.staff_employee}"
    assert f'href="{link}"' in front.replace("&amp;", "&")
    form = (await client.get(link)).text
    checked = re.findall(r'<input[^>]*checked[^>]*>', form)
    assert any(f'name="participants" value="{world.staff_employee}"' in c for c in checked)
    assert any(f'name="supervisor" value="{supervisor}"' in c for c in checked)
    assert any('value="individual"' in c for c in checked)
    start = next_monday(time(10))
    ok = await post_form(client, "/supervision/bookinger/ny", {
        "supervisor": str(supervisor), "session_type": "individual", "date": start.date().isoformat(),
        "time": "10:00", "minutes": "60", "capacity": "1", "participants": [str(world.staff_employee)],
        "place": "Kontoret", "tilbud": str(world.inst_a)})
    await confirmed(client, ok, "Supervisionen er booket")
    assert f'href="{link}"' not in (await client.get("/")).text.replace("&amp;", "&")  # booked: the duty is gone


async def test_a_person_outside_the_leaders_reach_is_not_prefilled(client, world, supervisor):
    from tests.conftest import World, login

    await login(client, World.OTHER)
    form = await client.get(f"/supervision/bookinger/ny?medarbejder={world.staff_employee}")
    assert form.status_code == 200 and "Søren Ståbi" not in form.text


async def test_the_picker_keeps_to_the_chosen_institution_and_tells_namesakes_apart(client, world, supervisor):
    """HR saw two identical "Christian Møller (Kastanjegården Pilen)" and people of other institutions."""
    from hr.org.tables import Employee
    from tests.conftest import World, login

    await Employee.insert(*[Employee(employee_number=f"R{n}", name=f"Region Person {n:04d}", unit=world.unit_a2)
                            for n in range(100)]).run()  # enough that HR searches rather than lists
    await Employee.insert(Employee(employee_number="7001", name="Christian Møller", unit=world.unit_a1),
                          Employee(employee_number="7002", name="Christian Møller", unit=world.unit_a1),
                          Employee(employee_number="7003", name="Christian Møller", unit=world.unit_b1)).run()
    await login(client, World.HR)
    found = (await client.get("/supervision/bookinger/deltagere",
                              params={"q": "Christian", "tilbud": world.inst_a})).text
    assert found.count('name="participants"') == 2
    assert "(Afdeling A1, nr. 7001)" in found and "(Afdeling A1, nr. 7002)" in found and "7003" not in found
    other = (await client.get("/supervision/bookinger/deltagere", params={"q": "Christian", "tilbud": world.inst_b}))
    assert "nr. 7003" in other.text and "7001" not in other.text and "Region Person" not in other.text
    form = (await client.get("/supervision/bookinger/ny", params={"tilbud": world.inst_a})).text
    assert "Afdeling A2 (Tilbud A)" in form and "Afdeling B1 (Tilbud B)" not in form  # the units to narrow to
