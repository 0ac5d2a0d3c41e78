"""Rights that follow payroll: the leader the payroll file names for a unit (or the head for an
institution) gets the leader role for it; when the leader moves or the employee leaves, the old
rights and every open session end at once. HR's own grants are left alone."""

from datetime import timedelta

from hr.audit import AuditEvent
from hr.auth.services import load_principal
from hr.auth.tables import RoleAssignment, Session
from hr.forms import local_today
from hr.org.importer import run_import
from tests.conftest import PASSWORD, World, login, post_form

HEADER = "Medarbejdernummer;Navn;E-mail;Stilling;Slutdato;Afdelingskode;Afdeling;Tilbudskode;Ledelse"


def payroll(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def soren(unit: str = "A1", leads: str = "", end: str = "") -> str:
    return f"901;Søren Ståbi;{World.STAFF};Socialpædagog;{end};{unit};Afdeling {unit};A;{leads}"


async def organisation_roles(account_id: int) -> list[tuple]:
    rows = await RoleAssignment.select().where((RoleAssignment.account == account_id)
                                               & (RoleAssignment.source == "organisation")).run()
    return sorted((r["role"], r["institution"], r["unit"], r["staff_responsibility"]) for r in rows)


async def test_the_leader_payroll_names_gets_the_role_and_a_move_ends_the_old_one_and_the_session(
        client, world):
    made = await run_import("loen.csv", payroll(soren("A2", "afdelingsleder")), dry_run=False, principal=None)
    assert made.rights.describe().startswith("Lederroller: 1 givet, 0 fjernet")
    assert await organisation_roles(world.accounts["staff"]) == [("leader", world.inst_a, world.unit_a2, True)]
    await login(client, World.STAFF)
    assert (await load_principal(world.accounts["staff"])).leader_unit_ids == {world.unit_a2}
    assert (await client.get("/profil")).status_code == 200
    moved = await run_import("loen.csv", payroll(soren("A1", "afdelingsleder")), dry_run=False, principal=None)
    assert await organisation_roles(world.accounts["staff"]) == [("leader", world.inst_a, world.unit_a1, True)]
    assert moved.rights.sessions_ended == 1
    assert (await client.get("/profil")).status_code in (302, 303)  # the old session stopped working
    assert await Session.count().where(Session.account == world.accounts["staff"]) == 0
    trail = await AuditEvent.select(AuditEvent.action).where(AuditEvent.entity == "role").order_by(
        AuditEvent.id).run()
    assert [r["action"] for r in trail] == ["grant", "grant", "revoke"]


async def test_a_head_gets_the_whole_institution(world):
    await run_import("loen.csv", payroll(f"903;Bo Andetsted;{World.OTHER};Forstander;;B1;Afdeling B1;B;forstander"),
                     dry_run=False, principal=None)
    assert await organisation_roles(world.accounts["other"]) == [("leader", world.inst_b, None, True)]
    assert world.inst_b in (await load_principal(world.accounts["other"])).leader_institution_ids


async def test_a_leaver_loses_every_session_and_cannot_sign_in_with_any_role(client, new_client, world):
    await run_import("loen.csv", payroll(soren("A2", "afdelingsleder")), dry_run=False, principal=None)
    await login(client, World.STAFF)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    left = await run_import("loen.csv", payroll(soren("A2", "afdelingsleder", end=yesterday)), dry_run=False,
                            principal=None)
    assert left.deactivated == ["901"] and left.rights.sessions_ended == 1
    assert await organisation_roles(world.accounts["staff"]) == []
    assert (await client.get("/profil")).status_code in (302, 303)
    again = await post_form(new_client(), "/login", {"email": World.STAFF, "password": PASSWORD})
    assert again.status_code == 400 and "Forkert e-mail eller adgangskode, eller kontoen er ikke aktiv" in again.text


async def test_a_file_without_the_column_leaves_leadership_as_it_is(world):
    await run_import("loen.csv", payroll(soren("A2", "afdelingsleder")), dry_run=False, principal=None)
    plain = payroll("901;Søren Ståbi;staff@test.example;Socialpædagog;;A2;Afdeling A2;A",
                    header=HEADER.rsplit(";", 1)[0])
    result = await run_import("loen.csv", plain, dry_run=False, principal=None)
    assert result.unchanged == 1 and not result.rights.removed
    assert await organisation_roles(world.accounts["staff"]) == [("leader", world.inst_a, world.unit_a2, True)]


async def test_hr_grants_stay_and_a_payroll_role_cannot_be_removed_by_hand(client, world):
    await run_import("loen.csv", payroll(soren("A2", "afdelingsleder"),
                                         f"902;Åse Amr;{World.AMR};Socialpædagog;;A2;Afdeling A2;A;"),
                     dry_run=False, principal=None)
    amr = await RoleAssignment.select().where(RoleAssignment.account == world.accounts["amr"]).run()
    assert [(r["role"], r["source"]) for r in amr] == [("amr", "hr")]  # HR's grant is untouched
    await login(client, World.HR)
    page = await client.get(f"/admin/brugere/{world.accounts['staff']}")
    assert "Fra lønsystemet" in page.text
    assignment = (await RoleAssignment.select().where(RoleAssignment.account == world.accounts["staff"]).first()
                  .run())["id"]
    refused = await post_form(client, f"/admin/brugere/{world.accounts['staff']}/roller/{assignment}/fjern")
    assert refused.status_code == 400 and "følger lønsystemets" in refused.text
    assert await RoleAssignment.exists().where(RoleAssignment.id == assignment).run()


async def test_an_unknown_leadership_value_is_a_row_error_and_nothing_is_written(world):
    result = await run_import("loen.csv", payroll(soren("A2", "chef")), dry_run=False, principal=None)
    assert [(e.row, e.field) for e in result.errors] == [(2, "Ledelse")]
    assert result.rights is None and await organisation_roles(world.accounts["staff"]) == []
