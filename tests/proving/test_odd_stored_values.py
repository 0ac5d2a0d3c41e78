"""Values no form accepts today but an older version, an import or a hand edit may have stored:
a leave to 9999-12-31, a session at the calendar's end, text with control characters. Every
page, export and the reminder sweep that reads them still answers."""

from datetime import date, datetime, timezone

import pytest

from hr.notify import engine
from hr.org.tables import EmployeeLeave
from hr.supervision.tables import Booking, BookingParticipant, Supervisor
from hr.workenv.tables import ActionItem
from tests.conftest import World, login

PAGES = [
    "/supervision/overblik", "/supervision/overblik?format=xlsx", "/supervision/overblik/eksport?format=xlsx",
    "/supervision/overblik/eksport?format=csv", "/supervision/overblik/udvikling/eksport?format=xlsx",
    "/ledelsesinformation",
    "/supervision/bookinger", "/arbejdsmiljoe/handlinger", "/arbejdsmiljoe/handlinger/eksport?format=xlsx",
    "/arbejdsmiljoe/handlinger/eksport?format=csv", "/kompetence",
]


async def _plant(world) -> None:
    await EmployeeLeave.insert(EmployeeLeave(employee=world.staff_employee, starts_on=date(2026, 1, 1),
                                             ends_on=date(9999, 12, 31), kind="orlov")).run()
    supervisor = (await Supervisor.insert(Supervisor(name="Sidst")).returning(Supervisor.id).run())[0]["id"]
    booking = (await Booking.insert(Booking(
        supervisor=supervisor, starts_at=datetime(9999, 12, 31, 22, 30, tzinfo=timezone.utc),
        ends_at=datetime(9999, 12, 31, 23, 59, tzinfo=timezone.utc), session_type="group", capacity=4,
        institution=world.inst_a, unit=world.unit_a1, booked_by=world.accounts["leader"], uid="odd-uid",
    )).returning(Booking.id).run())[0]["id"]
    await BookingParticipant.insert(BookingParticipant(booking=booking, employee=world.leader_employee)).run()
    await ActionItem.insert(ActionItem(
        source_type="incident", source_id=1, institution=world.inst_a, unit=world.unit_a1,
        problem="Gammel tekst\x07 med \x1b[31mstyretegn", measure="m\x0b", owner=world.accounts["staff"],
        effect_check="e", deadline=date(2026, 12, 24))).run()


@pytest.mark.parametrize("persona", ["hr", "leader"])
async def test_pages_and_exports_survive_odd_stored_values(client, world, persona):
    await _plant(world)
    await login(client, world.personas[persona])
    for page in [*PAGES, f"/medarbejdere/{world.staff_employee}", f"/medarbejdere/{world.leader_employee}"]:
        response = await client.get(page)
        assert response.status_code == 200, (page, response.status_code)
    workbook = await client.get("/arbejdsmiljoe/handlinger/eksport?format=xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    cells = [c for row in load_workbook(BytesIO(workbook.content)).active.iter_rows(values_only=True) for c in row]
    assert "Gammel tekst med [31mstyretegn" in cells


async def test_the_sweep_survives_odd_stored_values(world):
    await _plant(world)
    result = await engine.sweep()
    assert result["status"] == "ok" and result["problems"] == [], result


async def test_a_staff_member_on_endless_leave_still_sees_their_calendar(client, world):
    await _plant(world)
    await login(client, World.LEADER)
    assert (await client.get("/supervision/kalender")).status_code == 200
