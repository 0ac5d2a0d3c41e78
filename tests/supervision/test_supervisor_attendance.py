"""The external supervisor registers attendance for their own sessions from their front page:
the duty's link opens the session with the attendance form (it answered "Ingen adgang" before),
and nothing there lets them move, cancel or change who comes. Another supervisor's session stays
hidden."""

from datetime import timedelta

from hr.db import now
from hr.supervision.tables import Booking, BookingParticipant, Supervisor
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form


async def _past_session(world, supervisor_account=None) -> int:
    supervisor = (await Supervisor.insert(Supervisor(name="Sif Supervisor", account=supervisor_account))
                  .returning(Supervisor.id).run())[0]["id"]
    start = now() - timedelta(days=1)
    booking = (await Booking.insert(Booking(
        supervisor=supervisor, starts_at=start, ends_at=start + timedelta(hours=1), session_type="group",
        capacity=4, institution=world.inst_a, unit=world.unit_a1, booked_by=world.accounts["leader"],
        uid=f"sv-{supervisor}")).returning(Booking.id).run())[0]["id"]
    await BookingParticipant.insert(BookingParticipant(booking=booking, employee=world.staff_employee),
                                    BookingParticipant(booking=booking, employee=world.leader_employee)).run()
    return booking


async def test_the_supervisor_registers_attendance_where_the_duty_leads(client, world):
    booking = await _past_session(world, world.accounts["supervisor"])
    await login(client, World.SUPERVISOR)
    front = (await client.get("/")).text
    link = f"/supervision/bookinger/{booking}"
    assert f'href="{link}"' in front and "Registrér fremmøde" in front
    page = await client.get(link)
    assert page.status_code == 200
    assert f'action="{link}/fremmoede"' in page.text
    assert "Flyt sessionen" not in page.text and "Aflys" not in page.text and "Meld fra" not in page.text
    assert 'href="/supervision/kalender"' in page.text  # the way back is one they may take
    done = await post_form(client, f"{link}/fremmoede", {"attended": str(world.staff_employee)}, token_from=link)
    await confirmed(client, done, "Fremmødet er registreret")
    marks = {r["employee"]: r["attended"] for r in await BookingParticipant.select().run()}
    assert marks == {world.staff_employee: True, world.leader_employee: False}
    assert f'href="{link}"' not in (await client.get("/")).text  # the duty is done


async def test_another_supervisors_session_stays_hidden(client, world):
    booking = await _past_session(world)  # supervised by someone without this account
    await login(client, World.SUPERVISOR)
    assert (await client.get(f"/supervision/bookinger/{booking}")).status_code == 404
    refused = await post_form(client, f"/supervision/bookinger/{booking}/fremmoede",
                              {"attended": str(world.staff_employee)}, token_from="/")
    assert refused.status_code == 404
    assert {r["attended"] for r in await BookingParticipant.select().run()} == {None}
