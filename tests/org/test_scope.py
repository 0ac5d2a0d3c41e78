"""Role-and-scope rules on organisation data: staff see themselves, leaders their units,
HR everything, AMR their institution's organisation (no personnel lists)."""

from hr.audit import AuditEvent
from hr.auth.services import load_principal
from hr.org import services
from hr.org.tables import Method
from tests.confirmations import confirmed
from tests.conftest import World, login


async def principal(world, persona):
    return await load_principal(world.accounts[persona])


async def test_a_leader_sees_only_employees_of_their_units(world):
    result = await services.search_employees(await principal(world, "leader"))
    assert {e["name"] for e in result.items} == {"Lene Leder", "Søren Ståbi"}


async def test_an_institution_head_sees_every_unit_of_the_institution(world):
    from hr.auth.principal import Role
    from tests.conftest import make_account

    head = await make_account("head@test.example", "Hedda Head", roles=[(Role.LEADER, world.inst_a, None)])
    result = await services.search_employees(await load_principal(head))
    assert {e["name"] for e in result.items} == {"Lene Leder", "Søren Ståbi", "Åse Amr", "Ib Kollega"}


async def test_hr_sees_everyone(world):
    result = await services.search_employees(await principal(world, "hr"))
    assert result.total == 5


async def test_a_leader_of_another_institution_gets_nothing_of_ours(world):
    other = await principal(world, "other")
    assert await services.get_employee(other, world.staff_employee) is None
    assert await services.get_unit(other, world.unit_a1) is None
    assert await services.get_institution(other, world.inst_a) is None
    assert [i["code"] for i in await services.list_institutions(other)] == ["B"]


async def test_an_amr_sees_the_institution_but_no_personnel_list(client, world):
    amr = await principal(world, "amr")
    assert [i["code"] for i in await services.list_institutions(amr)] == ["A"]
    await login(client, World.AMR)
    assert (await client.get(f"/organisation/tilbud/{world.inst_a}")).status_code == 200
    assert (await client.get("/medarbejdere")).status_code == 403


async def test_staff_see_their_own_record_on_the_dashboard_only(client, world):
    await login(client, World.STAFF)
    page = await client.get("/profil")
    assert "901" in page.text
    assert (await client.get(f"/medarbejdere/{world.staff_employee}")).status_code == 403


async def test_reading_an_employee_record_is_audited(client, world):
    await login(client, World.LEADER)
    response = await client.get(f"/medarbejdere/{world.staff_employee}")
    assert response.status_code == 200
    event = await AuditEvent.select().where(
        (AuditEvent.action == "read") & (AuditEvent.entity == "employee")
    ).first().run()
    assert event["entity_id"] == str(world.staff_employee)
    assert event["actor"] == World.LEADER
    assert event["at"].tzinfo is not None


async def test_the_employee_list_paginates_and_searches(client, world):
    from hr.org.tables import Employee

    await Employee.insert(*[Employee(employee_number=f"7{n:03d}", name=f"Person {n:03d}", unit=world.unit_a1)
                            for n in range(120)]).run()
    await login(client, World.LEADER)
    first = await client.get("/medarbejdere")
    assert "122 medarbejdere, side 1 af 3." in first.text
    assert "Side 1 af 3" in first.text
    third = await client.get("/medarbejdere?side=3")
    assert "Person 119" in third.text and "Side 3 af 3" in third.text
    search = await client.get("/medarbejdere?q=Person 007")
    assert "1 medarbejder." in search.text
    nonsense = await client.get("/medarbejdere?side=abc")
    assert nonsense.status_code == 200


async def test_hr_sets_the_methods_of_an_institution(client, world):
    from tests.conftest import post_form

    low = (await Method.select(Method.id).where(Method.name == "Low Arousal").first().run())["id"]
    await login(client, World.HR)
    path = f"/organisation/tilbud/{world.inst_a}"
    response = await post_form(client, f"{path}/metoder", {"methods": [str(world.method_krap), str(low)]},
                               token_from=path)
    await confirmed(client, response, "Tilbuddets metoder er gemt")
    page = await client.get(path)
    assert "KRAP, Low Arousal" in page.text
    bad = await post_form(client, f"{path}/metoder", {"methods": ["99999"]}, token_from=path)
    assert bad.status_code == 400
    assert "En eller flere metoder findes ikke" in bad.text
    assert "KRAP, Low Arousal" in (await client.get(path)).text


async def test_hr_maintains_the_method_list_with_field_errors(client, world):
    from tests.conftest import post_form

    await login(client, World.HR)
    duplicate = await post_form(client, "/admin/metoder", {"name": "krap"}, token_from="/admin/metoder")
    assert duplicate.status_code == 400
    assert "Metoden findes allerede" in duplicate.text
    empty = await post_form(client, "/admin/metoder", {"name": "  "}, token_from="/admin/metoder")
    assert "Skriv metodens navn" in empty.text
    ok = await post_form(client, "/admin/metoder", {"name": "TEACCH"}, token_from="/admin/metoder")
    assert "TEACCH" in await confirmed(client, ok, "Metoden TEACCH er oprettet")
    teacch = (await Method.select(Method.id).where(Method.name == "TEACCH").first().run())["id"]
    await confirmed(client, await post_form(client, f"/admin/metoder/{teacch}/status", {"active": "0"}),
                    "Metoden er taget ud af brug")


async def test_hr_creates_and_edits_an_institution_with_target_groups(client, world):
    from hr.org.tables import Institution, InstitutionTargetGroup, TargetGroup
    from tests.conftest import post_form

    await login(client, World.HR)
    form = "/organisation/tilbud/ny"
    bad = await post_form(client, form, {"code": "a", "name": "", "places": "-3"}, token_from=form)
    assert bad.status_code == 400
    assert "Et andet tilbud har allerede denne kode" in bad.text
    assert "Skriv tilbuddets navn" in bad.text
    assert "Antal pladser skal være et helt tal" in bad.text
    assert await Institution.count().run() == 2
    ok = await post_form(client, form, {"code": "c", "name": "Tilbud  C", "kind": "Forsorgshjem",
                                        "places": "40", "new_target_group": "Hjemløse voksne"}, token_from=form)
    await confirmed(client, ok, "Tilbuddet er oprettet")
    created = await Institution.select().where(Institution.code == "C").first().run()
    assert created["name"] == "Tilbud C" and created["places"] == 40
    group = await TargetGroup.select().where(TargetGroup.name == "Hjemløse voksne").first().run()
    assert await InstitutionTargetGroup.count().where(InstitutionTargetGroup.institution == created["id"]).run() == 1
    edit = f"/organisation/tilbud/{created['id']}/rediger"
    again = await post_form(client, edit, {"code": "C", "name": "Tilbud C", "places": "41",
                                           "target_groups": [str(group["id"])]}, token_from=edit)
    await confirmed(client, again, "Tilbuddet er gemt.")
    assert (await Institution.select().where(Institution.id == created["id"]).first().run())["places"] == 41
    assert "Hjemløse voksne" in (await client.get(f"/organisation/tilbud/{created['id']}")).text
