"""HR administers users and roles; everyone changes their own password."""

import re

from hr.audit import AuditEvent
from hr.auth.principal import Role
from hr.auth.scope import visible_institution_ids
from hr.auth.services import load_principal, principal_for_session
from hr.auth.tables import Account, RoleAssignment, Session
from hr.org.tables import Unit
from tests.confirmations import confirmed
from tests.conftest import PASSWORD, World, login, post_form


async def test_hr_makes_an_employee_leader_of_a_unit_and_the_scope_follows(client, new_client, world):
    await login(client, World.HR)
    ib = await Account.insert(Account(email="ib@test.example", name="Ib Kollega")).returning(Account.id).run()
    account_id = ib[0]["id"]
    page = f"/admin/brugere/{account_id}"
    response = await post_form(client, f"{page}/roller", {"role": "leader", "institution": str(world.inst_a),
                                                            "unit": str(world.unit_a2), "staff_responsibility": "1"},
                               token_from=page)
    await confirmed(client, response, "Rollen er tilføjet")
    principal = await load_principal(account_id)
    assert principal.leader_unit_ids == {world.unit_a2}
    assert await visible_institution_ids(principal) == {world.inst_a}
    assert principal.staff_responsibility
    assert await AuditEvent.count().where((AuditEvent.entity == "role") & (AuditEvent.action == "create")).run() == 1


async def test_a_unit_leaders_session_knows_the_institution_of_the_unit_and_follows_its_move(client, world):
    await login(client, World.LEADER)
    principal = await principal_for_session(client.cookies.get("hr_session"))
    assert principal.leader_unit_ids == {world.unit_a1}
    assert await visible_institution_ids(principal) == {world.inst_a}
    await Unit.update({Unit.institution: world.inst_b}).where(Unit.id == world.unit_a1).run()
    moved = await principal_for_session(client.cookies.get("hr_session"))
    assert await visible_institution_ids(moved) == {world.inst_b}


async def test_a_unit_of_another_institution_is_refused_with_a_field_error(client, world):
    await login(client, World.HR)
    page = f"/admin/brugere/{world.accounts['supervisor']}"
    response = await post_form(client, f"{page}/roller", {"role": "leader", "institution": str(world.inst_a),
                                                            "unit": str(world.unit_b1)}, token_from=page)
    assert response.status_code == 400
    assert "Afdelingen hører ikke til det valgte tilbud" in response.text
    missing = await post_form(client, f"{page}/roller", {"role": "amr"}, token_from=page)
    assert "Vælg det tilbud, rollen gælder for" in missing.text
    assert await RoleAssignment.count().where(RoleAssignment.account == world.accounts["supervisor"]).run() == 1


async def test_hr_removes_a_role(client, world):
    await login(client, World.HR)
    role = await RoleAssignment.select(RoleAssignment.id).where(
        RoleAssignment.account == world.accounts["amr"]).first().run()
    page = f"/admin/brugere/{world.accounts['amr']}"
    response = await post_form(client, f"{page}/roller/{role['id']}/fjern", token_from=page)
    await confirmed(client, response, "Rollen er fjernet.")
    assert Role.AMR not in (await load_principal(world.accounts["amr"])).roles


async def test_hr_cannot_remove_their_own_hr_role(client, world):
    await login(client, World.HR)
    role = await RoleAssignment.select(RoleAssignment.id).where(
        RoleAssignment.account == world.accounts["hr"]).first().run()
    page = f"/admin/brugere/{world.accounts['hr']}"
    response = await post_form(client, f"{page}/roller/{role['id']}/fjern", token_from=page)
    assert response.status_code == 400
    assert "Du kan ikke fjerne din egen HR-rolle" in response.text


async def test_hr_creates_an_external_supervisor_account(client, new_client, world):
    await login(client, World.HR)
    bad = await post_form(client, "/admin/brugere", {"name": "Eva Ekstern", "email": "eva"},
                          token_from="/admin/brugere")
    assert bad.status_code == 400 and "gyldig e-mailadresse" in bad.text
    assert 'value="Eva Ekstern"' in bad.text and 'name="password"' not in bad.text  # HR types no password
    ok = await post_form(client, "/admin/brugere", {"name": "Eva Ekstern", "email": "Eva@Ekstern.example"},
                         token_from="/admin/brugere")
    await confirmed(client, ok, "Brugeren er oprettet")
    assert (await Account.select().where(Account.email == "eva@ekstern.example").first().run())["password_hash"] == ""
    duplicate = await post_form(client, "/admin/brugere", {"name": "Eva", "email": "eva@ekstern.example"},
                                token_from="/admin/brugere")
    assert "Der findes allerede en bruger" in duplicate.text


async def test_deactivating_an_account_ends_its_sessions(client, new_client, world):
    staff = new_client()
    await login(staff, World.STAFF)
    await login(client, World.HR)
    page = f"/admin/brugere/{world.accounts['staff']}"
    await confirmed(client, await post_form(client, f"{page}/status", {"active": "0"}, token_from=page),
                    "Brugeren er deaktiveret")
    assert (await staff.get("/", follow_redirects=False)).status_code == 302
    await confirmed(client, await post_form(client, f"{page}/status", {"active": "1"}), "Brugeren er aktiveret")
    await post_form(client, f"{page}/status", {"active": "0"})
    refused = await post_form(new_client(), "/login", {"email": World.STAFF, "password": PASSWORD})
    assert refused.status_code == 400


async def test_a_person_changes_their_own_password_and_other_sessions_end(client, new_client, world):
    other = new_client()
    await login(other, World.STAFF)
    await login(client, World.STAFF)
    path = "/profil/adgangskode"
    wrong = await post_form(client, path, {"current": "nej", "new": "Ny-adgang-2027", "repeat": "Andet-2027x"},
                            token_from=path)
    assert wrong.status_code == 400
    assert "Den nuværende adgangskode er forkert" in wrong.text
    assert "De to nye adgangskoder er ikke ens" in wrong.text
    weak = await post_form(client, path, {"current": PASSWORD, "new": "Sommer2027", "repeat": "Sommer2027"},
                           token_from=path)
    assert weak.status_code == 400 and "mindst 12 tegn" in weak.text
    ok = await post_form(client, path, {"current": PASSWORD, "new": "Ny-adgang-2027", "repeat": "Ny-adgang-2027"},
                         token_from=path)
    await confirmed(client, ok, "Din adgangskode er skiftet")
    assert (await client.get("/")).status_code == 200
    assert (await other.get("/", follow_redirects=False)).status_code == 302
    assert await Session.count().run() == 1
    await login(new_client(), World.STAFF, "Ny-adgang-2027")


async def test_the_user_list_filters_by_role(client, world):
    await login(client, World.HR)
    page = await client.get("/admin/brugere?rolle=leader")
    assert "2 brugere." in page.text
    assert re.search(r"Lene Leder.*Afdeling A1", page.text, re.S)
