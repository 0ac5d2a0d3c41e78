"""The competence API: catalogue, enrolments in scope, cohorts with the nominations one may see."""

from multidict import MultiDict

from hr.auth.services import load_principal
from hr.competence import cohorts, enrolments
from tests.competence.conftest import in_days
from tests.workenv.test_api import token_for


async def test_catalogue_enrolments_and_cohorts(client, world, catalogue, head):
    hr = await load_principal(world.accounts["hr"])
    await enrolments.plan(hr, world.staff_employee, MultiDict({"module": str(catalogue["krap"])}))
    cohort = await cohorts.open_cohort(hr, MultiDict({"year": "2027", "nomination_deadline": in_days(20)}))
    await cohorts.nominate(await load_principal(head), cohort, MultiDict({
        "employee": str(world.leader_employee), "motivation": "En erfaren leder med et stort team"}))
    leader = await token_for(world, "leader", ["competence:read"])
    modules = (await client.get("/api/v1/competence/modules", headers=leader)).json()
    assert {m["code"] for m in modules} == {"PÆD-KRAP", "DIL-1"}
    assert [r["semester"] for m in modules for r in m["runs"]] == ["F2027"]
    mine = (await client.get("/api/v1/competence/enrolments", headers=leader)).json()
    assert [(e["employee_name"], e["state"]) for e in mine] == [("Søren Ståbi", "planned")]
    other = await token_for(world, "other", ["competence:read"])
    assert (await client.get("/api/v1/competence/enrolments", headers=other)).json() == []
    detail = (await client.get(f"/api/v1/competence/cohorts/{cohort}", headers=await token_for(
        world, "hr", ["competence:read"]))).json()
    assert detail["capacity"] == 20 and [n["name"] for n in detail["nominations"]] == ["Lene Leder"]
    assert (await client.get(f"/api/v1/competence/cohorts/{cohort}", headers=other)).json()["nominations"] == []
    assert (await client.get("/api/v1/competence/enrolments?employee_id=0", headers=leader)).status_code == 400
    assert (await client.get("/api/v1/competence/modules", headers=await token_for(world, "hr", ["org:read"]))
            ).status_code == 403
