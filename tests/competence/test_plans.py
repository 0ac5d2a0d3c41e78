"""Competence plans: one per institution and year, edited by the head or HR, progress per method."""

import pytest

from hr.auth.services import load_principal
from hr.competence import enrolments, plans
from hr.forms import ValidationError
from tests.competence.conftest import form


async def test_a_head_plans_their_institution_once_a_year_and_a_unit_leader_cannot(world, head):
    principal = await load_principal(head)
    plan_id = await plans.create_plan(principal, form(year=2027, institution=world.inst_a, title="Plan 2027"))
    with pytest.raises(ValidationError, match="allerede en plan"):
        await plans.create_plan(principal, form(year=2027, institution=world.inst_a, title="Igen"))
    with pytest.raises(ValidationError, match="Kun HR laver tværgående"):
        await plans.create_plan(principal, form(year=2027, institution="", title="Tværgående"))
    leader = await load_principal(world.accounts["leader"])
    with pytest.raises(ValidationError, match="de tilbud, du leder"):
        await plans.create_plan(leader, form(year=2028, institution=world.inst_a, title="Min plan"))
    assert (await plans.get_plan(leader, plan_id))["editable"] is False
    assert await plans.get_plan(await load_principal(world.accounts["other"]), plan_id) is None


async def test_progress_per_method_counts_linked_enrolments(world, head, catalogue):
    principal = await load_principal(head)
    plan_id = await plans.create_plan(principal, form(year=2027, institution=world.inst_a, title="Plan 2027"))
    goal = await plans.add_goal(principal, plan_id, form(text="Alle i A1 kender KRAP", method=world.method_krap,
                                                         target_ects=20))
    with pytest.raises(ValidationError) as bad:
        await plans.add_goal(principal, plan_id, form(text="", method=999, target_ects="mange"))
    assert set(bad.value.errors) == {"text", "method", "target_ects"}
    hr = await load_principal(world.accounts["hr"])
    first = await enrolments.plan(hr, world.staff_employee, form(module=catalogue["krap"], goal=goal))
    await enrolments.plan(hr, world.leader_employee, form(module=catalogue["krap"], goal=goal))
    for state in ("applied", "enrolled", "passed"):
        await enrolments.change_state(hr, first, form(state=state, run=catalogue["run"], grade="12"))
    plan = await plans.get_plan(principal, plan_id)
    [krap] = plan["by_method"]
    assert (krap["name"], krap["target"], krap["planned"], krap["completed"]) == ("KRAP", 20, 20, 10)
    [listed] = await plans.list_plans(principal)
    assert listed["planned"] == 20 and listed["completed"] == 10


async def test_the_plans_page_is_chosen_by_year_and_institution(client, world):
    from hr.competence.tables import Plan
    from hr.db import bulk_insert
    from tests.conftest import World, login

    await bulk_insert(Plan, [{"year": year, "institution": institution, "title": f"Plan {year}"}
                             for year in range(2001, 2031) for institution in (world.inst_a, world.inst_b)])
    await login(client, World.HR)
    first = (await client.get("/kompetence/planer")).text
    assert "60 planer, side 1 af 2." in first and "Plan 2030" in first
    chosen = (await client.get(f"/kompetence/planer?aar=2005&tilbud={world.inst_a}")).text
    assert "1 plan." in chosen and "Plan 2005" in chosen and "Plan 2006" not in chosen
    assert "Ingen planer passer til filteret." in (await client.get("/kompetence/planer?aar=2099")).text
