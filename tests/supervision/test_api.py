"""The supervision API: supervisors, bookings with attendance, compliance; scoped, no e-mail addresses."""

from datetime import time

from hr.auth.services import load_principal
from hr.supervision import booking
from tests.supervision.conftest import next_monday
from tests.workenv.test_api import token_for


async def test_bookings_and_their_participants_without_addresses(client, world, supervisor):
    leader = await load_principal(world.accounts["leader"])
    booking_id = await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(10)), minutes=90,
                                    session_type="group", capacity=4,
                                    employee_ids=[world.leader_employee, world.staff_employee], place="Stuen")
    headers = await token_for(world, "leader", ["supervision:read"])
    listed = (await client.get("/api/v1/supervision/bookings", headers=headers)).json()
    assert [b["id"] for b in listed] == [booking_id] and listed[0]["participant_count"] == 2
    detail = await client.get(f"/api/v1/supervision/bookings/{booking_id}", headers=headers)
    assert detail.status_code == 200
    body = detail.json()
    assert {p["name"] for p in body["participants"]} == {"Lene Leder", "Søren Ståbi"}
    assert "@test.example" not in detail.text
    assert body["starts_at"].endswith(("Z", "+00:00"))
    other = await token_for(world, "other", ["supervision:read"])
    assert (await client.get(f"/api/v1/supervision/bookings/{booking_id}", headers=other)).status_code == 404
    assert (await client.get("/api/v1/supervision/bookings", headers=other)).json() == []


async def test_supervisors_and_compliance(client, world, supervisor):
    headers = await token_for(world, "hr", ["supervision:read"])
    [item] = (await client.get("/api/v1/supervision/supervisors", headers=headers)).json()
    assert item["name"] == "Knud KRAP" and [m["name"] for m in item["methods"]] == ["KRAP"]
    rows = (await client.get("/api/v1/supervision/compliance", headers=headers,
                             params={"institution_id": world.inst_a})).json()
    assert len(rows) == 4 and {r["status"] for r in rows} <= {"overdue", "compliant", "due_soon", "none"}
    leader = await token_for(world, "leader", ["supervision:read"])
    assert {r["name"] for r in (await client.get("/api/v1/supervision/compliance", headers=leader)).json()} == {
        "Lene Leder", "Søren Ståbi"}


async def test_a_token_without_the_supervision_scope_is_refused_and_bad_parameters_give_400(client, world):
    assert (await client.get("/api/v1/supervision/bookings",
                             headers=await token_for(world, "hr", ["org:read"]))).status_code == 403
    headers = await token_for(world, "hr", ["supervision:read"])
    assert (await client.get("/api/v1/supervision/compliance?unit_id=x", headers=headers)).status_code == 400
    assert (await client.get("/api/v1/supervision/compliance?unit_id=0", headers=headers)).status_code == 400
