"""The bookings list holds a region's sessions: coming or past, by institution, unit and status,
50 to a page, and each person sees only the sessions in their reach."""

import uuid
from datetime import timedelta

from hr.db import bulk_insert, now
from hr.supervision.tables import Booking, BookingParticipant
from tests.conftest import World, login


async def sessions(world, supervisor, count: int, unit: int, institution: int, start, step: timedelta,
                   status: str = "booked") -> list[int]:
    rows = [{"supervisor": supervisor, "starts_at": start + n * step, "ends_at": start + n * step + timedelta(hours=1),
             "session_type": "group", "capacity": 8, "institution": institution, "unit": unit, "place": "Stuen",
             "status": status, "uid": f"{uuid.uuid4()}@test"} for n in range(count)]
    await bulk_insert(Booking, rows)
    return [r["id"] for r in await Booking.select(Booking.id).where(Booking.uid.is_in([r["uid"] for r in rows])
                                                                    ).order_by(Booking.starts_at).run()]


async def test_hr_pages_and_filters_the_region_and_a_leader_sees_their_units(client, new_client, world, supervisor):
    soon = now() + timedelta(days=2)
    coming_a1 = await sessions(world, supervisor, 70, world.unit_a1, world.inst_a, soon, timedelta(hours=3))
    await sessions(world, supervisor, 5, world.unit_b1, world.inst_b, soon, timedelta(days=1), status="cancelled")
    past = await sessions(world, supervisor, 3, world.unit_a2, world.inst_a, now() - timedelta(days=30),
                          timedelta(days=1))
    await bulk_insert(BookingParticipant, [{"booking": past[0], "employee": world.staff_employee, "attended": True,
                                            "status": "active"}])
    await login(client, World.HR)
    first = (await client.get("/supervision/bookinger")).text
    assert "75 sessioner, side 1 af 2." in first and first.count("/supervision/bookinger/") - first.count(
        "/supervision/bookinger/ny") <= 52
    assert 'href="/supervision/bookinger?side=2" rel="next"' in first
    second = (await client.get("/supervision/bookinger?side=2")).text
    last = f'/supervision/bookinger/{coming_a1[-1]}"'
    assert "side 2 af 2" in second and last in second and last not in first
    cancelled = (await client.get(f"/supervision/bookinger?tilbud={world.inst_b}&status=cancelled")).text
    assert "5 sessioner." in cancelled and "Aflyst" in cancelled
    by_unit = (await client.get(f"/supervision/bookinger?afdeling={world.unit_a1}")).text
    assert "70 sessioner" in by_unit
    earlier = (await client.get("/supervision/bookinger?tid=tidligere")).text
    assert "3 sessioner." in earlier and f'/supervision/bookinger/{past[-1]}"' in earlier
    none = (await client.get(f"/supervision/bookinger?tid=tidligere&afdeling={world.unit_b1}")).text
    assert "Ingen sessioner passer til filteret." in none
    leader = new_client()
    await login(leader, World.LEADER)  # leads A1 only
    mine = (await leader.get("/supervision/bookinger")).text
    assert "70 sessioner" in mine
    assert "0 sessioner" in (await leader.get(f"/supervision/bookinger?tilbud={world.inst_b}")).text
    other = new_client()
    await login(other, World.OTHER)  # leads B1: sees its cancelled sessions, none of A's
    assert "5 sessioner." in (await other.get("/supervision/bookinger")).text


async def test_the_bookings_list_filters_by_period_and_exports_what_it_shows(client, world, supervisor):
    import csv
    import io
    from datetime import time, timedelta

    from hr.auth.services import load_principal
    from hr.supervision import booking
    from tests.conftest import World, login
    from tests.supervision.conftest import next_monday

    leader = await load_principal(world.accounts["leader"])
    for days in (0, 1, 8):
        await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(10)) + timedelta(days=days),
                           minutes=60, session_type="individual", capacity=1, employee_ids=[world.leader_employee],
                           place=f"Rum {days}")
    first = next_monday(time(10)).date()
    await login(client, World.HR)
    wanted = {"fra": first.isoformat(), "til": (first + timedelta(days=1)).isoformat()}
    page = (await client.get("/supervision/bookinger", params=wanted)).text
    assert "2 sessioner." in page
    as_csv = (await client.get("/supervision/bookinger/eksport", params={**wanted, "format": "csv"})).text
    rows = list(csv.reader(io.StringIO(as_csv.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Start" and sorted(r[6] for r in rows[1:]) == ["Rum 0", "Rum 1"]
    bad = await client.get("/supervision/bookinger", params={"fra": "i går"})
    assert bad.status_code == 200 and "Skriv en gyldig dato" in bad.text and "3 sessioner." in bad.text
