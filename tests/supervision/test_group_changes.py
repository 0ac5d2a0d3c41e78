"""Group sessions that change: a leader adds people to a booked group session (the newcomer gets
an invitation, the others nothing), a full session gives a place on the waiting list, a freed
seat goes to the first waiting, and the capacity holds when several add at once."""

import asyncio
from datetime import time

import pytest

from hr.auth.services import load_principal
from hr.forms import ValidationError
from hr.notify.tables import OutboxMessage
from hr.org.tables import Employee
from hr.supervision import booking
from hr.supervision.tables import BookingParticipant
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form
from tests.supervision.conftest import next_monday


async def _colleagues(world, count: int) -> list[int]:
    rows = await Employee.insert(*[Employee(employee_number=f"G{n}", name=f"Gitte Gruppe {n}",
                                            email=f"gitte{n}@test.example", unit=world.unit_a1)
                                   for n in range(count)]).returning(Employee.id).run()
    return [r["id"] for r in rows]


async def _session(world, supervisor, capacity: int, employee_ids: list[int]) -> int:
    leader = await load_principal(world.accounts["leader"])
    return await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(10)), minutes=60,
                              session_type="group", capacity=capacity, employee_ids=employee_ids, place="Rummet")


async def _invited(booking_id: int) -> list[str]:
    rows = await OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.kind).order_by(OutboxMessage.id).run()
    return [(r["kind"], r["to_address"]) for r in rows]


async def test_a_newcomer_is_invited_and_the_others_hear_nothing(world, supervisor):
    gitte = await _colleagues(world, 1)
    session = await _session(world, supervisor, 4, [world.staff_employee])
    before = await _invited(session)
    leader = await load_principal(world.accounts["leader"])
    result = await booking.add_participants(leader, session, gitte)
    assert result == {"seated": ["Gitte Gruppe 0"], "waiting": []}
    assert (await _invited(session))[len(before):] == [("supervision_booked", "gitte0@test.example")]
    with pytest.raises(ValidationError, match="allerede med"):
        await booking.add_participants(leader, session, gitte)


async def test_a_full_session_keeps_a_waiting_list_and_a_freed_seat_goes_to_the_first(world, supervisor):
    first, second = await _colleagues(world, 2)
    session = await _session(world, supervisor, 2, [world.staff_employee, world.leader_employee])
    leader = await load_principal(world.accounts["leader"])
    assert (await booking.add_participants(leader, session, [first]))["waiting"] == ["Gitte Gruppe 0"]
    assert (await booking.add_participants(leader, session, [second]))["waiting"] == ["Gitte Gruppe 1"]
    before = await _invited(session)
    await booking.leave(leader, session, world.staff_employee, "Syg")
    statuses = {r["employee"]: r["status"] for r in await BookingParticipant.select().run()}
    assert statuses == {world.staff_employee: "cancelled", world.leader_employee: "active", first: "active",
                        second: "waiting"}
    assert (await _invited(session))[len(before):] == [("supervision_left", World.STAFF),
                                                       ("supervision_booked", "gitte0@test.example")]
    await booking.leave(leader, session, second, "Ferie")  # leaving the waiting list: no mail to take back
    assert len(await _invited(session)) == len(before) + 2


async def test_the_capacity_holds_when_several_add_at_once(world, supervisor):
    people = await _colleagues(world, 6)
    session = await _session(world, supervisor, 3, [world.staff_employee])
    leader = await load_principal(world.accounts["leader"])
    await asyncio.gather(*[booking.add_participants(leader, session, [p]) for p in people])
    rows = await BookingParticipant.select().where(BookingParticipant.booking == session).run()
    assert sum(r["status"] == "active" for r in rows) == 3
    assert sum(r["status"] == "waiting" for r in rows) == 4


async def test_the_leader_adds_through_the_page_and_is_told_what_happened(client, world, supervisor):
    gitte, = await _colleagues(world, 1)
    session = await _session(world, supervisor, 2, [world.staff_employee, world.leader_employee])
    await login(client, World.LEADER)
    page = await client.get(f"/supervision/bookinger/{session}")
    assert "Tilføj deltagere" in page.text and "2 af 2 pladser er taget" in page.text
    added = await post_form(client, f"/supervision/bookinger/{session}/tilfoej", {"participants": str(gitte)})
    shown = await confirmed(client, added, "Sessionen er fuld. På venteliste: Gitte Gruppe 0")
    assert "(på venteliste)" in shown
    empty = await post_form(client, f"/supervision/bookinger/{session}/tilfoej", {})
    assert empty.status_code == 400 and "Vælg, hvem der skal med" in empty.text
