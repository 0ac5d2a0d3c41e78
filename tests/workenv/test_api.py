"""The work-environment API: scoped like the pages, anonymised for AMR, token scope required."""

from hr.auth.services import create_api_token, load_principal
from tests.workenv.test_followup import filed


async def token_for(world, persona, scopes=("workenv:read",)):
    principal = await load_principal(world.accounts[persona])
    _, token = await create_api_token(principal, world.accounts[persona], "t", list(scopes))
    return {"Authorization": f"Bearer {token}"}


async def test_the_api_lists_incidents_with_deadlines(client, new_client, world):
    incident_id = await filed(client, world)
    api = new_client()
    response = await api.get("/api/v1/workenv/incidents", headers=await token_for(world, "leader"))
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == incident_id and item["kind"] == "violence" and item["reporter_name"] == "Søren Ståbi"
    assert {d["kind"] for d in item["deadlines"]} == {"followup_review", "violence_defusing",
                                                      "violence_debriefing"}


async def test_the_amr_token_sees_no_reporter(client, new_client, world):
    incident_id = await filed(client, world)
    response = await new_client().get(f"/api/v1/workenv/incidents/{incident_id}", headers=await token_for(world, "amr"))
    assert response.status_code == 200 and response.json()["reporter_name"] is None


async def test_a_token_without_workenv_scope_is_refused(client, new_client, world):
    await filed(client, world)
    response = await new_client().get("/api/v1/workenv/incidents", headers=await token_for(world, "hr", ["org:read"]))
    assert response.status_code == 403


async def test_invalid_parameters_give_400(client, world):
    headers = await token_for(world, "hr")
    assert (await client.get("/api/v1/workenv/incidents?per_page=0", headers=headers)).status_code == 400
    assert (await client.get("/api/v1/workenv/incidents?unit_id=x", headers=headers)).status_code == 400
