"""A first work-account sign-in links only what is the person's own: the employee the directory's
employee number names and that employee's own account, holding nothing but what payroll and the
directory give. Everything else is refused in Danish and waits for HR's decision. Through the
real redirect flow against the real OpenID provider on loopback."""


import pytest

from hr.auth import oidc
from hr.auth.middleware import SESSION_COOKIE
from hr.auth.services import load_principal
from hr.auth.tables import Account, PendingSignIn, Session, SignInConflict
from hr.devidp import Person
from hr.org.importer import run_import
from tests.auth.directory import pointed_at, provider
from tests.auth.test_directory_sign_in import at_provider, refusals, sign_in
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form

PEOPLE = [
    Person("sub-newcomer", "Nora Nyansat", "nora@test.example", "905"),
    Person("sub-amr", "Åse Amr", World.AMR, "902"),
    Person("sub-staff", "Søren Ståbi", World.STAFF, "901"),
    Person("sub-staff-new", "Søren Ståbi", World.STAFF, "901"),  # a new directory identity, same person
    Person("sub-staff-mail", "Søren Ståbi", World.STAFF),  # no employee number: e-mail only
]


@pytest.fixture(scope="module")
def idp():
    with provider(PEOPLE) as started:
        yield started


@pytest.fixture
def directory(idp):
    with pointed_at(idp):
        yield idp


def payroll(number: str, name: str, email: str, unit: str = "A1") -> bytes:
    return ("Medarbejdernummer;Navn;E-mail;Afdelingskode;Afdeling;Tilbudskode;Ledelse\n"
            f"{number};{name};{email};{unit};Afdeling {unit};A;\n").encode()


async def conflict_kinds() -> list[str]:
    return [r["kind"] for r in await SignInConflict.select(SignInConflict.kind).where(
        SignInConflict.resolved_at.is_null()).order_by(SignInConflict.id).run()]


async def test_a_payroll_email_equal_to_hrs_does_not_hand_over_hrs_account(client, new_client, world, directory):
    """The takeover found by trying: a newcomer imported with HR's address signed in as HR."""
    await run_import("loen.csv", payroll("905", "Nora Nyansat", World.HR), dry_run=False, principal=None)
    refused = await sign_in(client, "sub-newcomer")
    assert refused.status_code == 403 and "HR har fået besked" in refused.text
    assert SESSION_COOKIE not in refused.cookies
    assert (await client.get("/admin/brugere")).status_code in (302, 303, 401)
    hr_account = await Account.select().where(Account.id == world.accounts["hr"]).first().run()
    assert hr_account["directory_subject"] is None and hr_account["employee"] is None
    assert await Session.count() == 0
    assert [r["reason"] for r in await refusals()] == ["email_taken"]
    assert await conflict_kinds() == ["email_taken"]
    hr = new_client()
    await login(hr, World.HR)
    front = await hr.get("/")
    assert "Arbejdskonti, der venter på HR" in front.text and "Nora Nyansat" in front.text
    page = await hr.get("/admin/arbejdskonti")
    assert "E-mailadressen fra lønsystemet bruges allerede af en anden konto" in page.text
    assert "Knyt arbejdskontoen" not in page.text  # only fixing the address solves it
    conflict_id = (await SignInConflict.select(SignInConflict.id).first().run())["id"]
    refused_link = await post_form(hr, f"/admin/arbejdskonti/{conflict_id}", {"decision": "link"})
    assert refused_link.status_code == 400 and "kan ikke løses ved at knytte" in refused_link.text
    assert (await Account.select().where(Account.id == world.accounts["hr"]).first().run())[
        "directory_subject"] is None
    # Payroll corrects the address: the newcomer's next try creates her own account.
    await run_import("loen.csv", payroll("905", "Nora Nyansat", "nora@test.example"), dry_run=False,
                     principal=None)
    assert (await sign_in(new_client(), "sub-newcomer")).status_code == 302
    nora = await Account.select().where(Account.directory_subject == f"{directory.issuer}|sub-newcomer").first().run()
    assert nora["email"] == "nora@test.example" and nora["id"] != world.accounts["hr"]
    assert not (await load_principal(nora["id"])).is_hr


async def test_an_account_without_an_employee_is_never_linked_by_email(client, world, directory):
    """The external supervisor's account has no employee: a payroll row with its address must
    not make it the newcomer's."""
    await run_import("loen.csv", payroll("905", "Nora Nyansat", World.SUPERVISOR), dry_run=False, principal=None)
    assert (await sign_in(client, "sub-newcomer")).status_code == 403
    supervisor = await Account.select().where(Account.id == world.accounts["supervisor"]).first().run()
    assert supervisor["employee"] is None and supervisor["directory_subject"] is None
    assert await conflict_kinds() == ["email_taken"]


async def test_an_account_with_roles_granted_by_hand_waits_for_hr_and_then_links(client, new_client, world,
                                                                                 directory):
    refused = await sign_in(client, "sub-amr")
    assert refused.status_code == 403 and "HR har fået besked" in refused.text
    assert await conflict_kinds() == ["hand_roles"]
    assert (await sign_in(new_client(), "sub-amr")).status_code == 403  # a second try: the same case
    conflict = await SignInConflict.select().first().run()
    assert conflict["attempts"] == 2 and await SignInConflict.count() == 1
    hr = new_client()
    await login(hr, World.HR)
    page = await hr.get("/admin/arbejdskonti")
    assert "Arbejdsmiljørepræsentant (Tilbud A; givet i hånden af HR)" in page.text
    decided = await post_form(hr, f"/admin/arbejdskonti/{conflict['id']}", {"decision": "link"})
    await confirmed(hr, decided, "Arbejdskontoen er knyttet til kontoen")
    assert (await hr.get("/admin/arbejdskonti")).text.count('id="sag-') == 0
    assert (await sign_in(new_client(), "sub-amr")).status_code == 302
    account = await Account.select().where(Account.id == world.accounts["amr"]).first().run()
    assert account["directory_subject"] == f"{directory.issuer}|sub-amr"
    assert "amr" in (await load_principal(account["id"])).roles


async def test_an_email_without_employee_number_never_reaches_an_existing_account(client, world, directory):
    refused = await sign_in(client, "sub-staff-mail")
    assert refused.status_code == 403
    assert await conflict_kinds() == ["email_has_account"]
    account = await Account.select().where(Account.id == world.accounts["staff"]).first().run()
    assert account["directory_subject"] is None


async def test_a_second_identity_for_a_linked_employee_waits_and_hr_can_dismiss_it(client, new_client, world,
                                                                                  directory):
    assert (await sign_in(client, "sub-staff")).status_code == 302
    assert (await sign_in(new_client(), "sub-staff-new")).status_code == 403
    assert await conflict_kinds() == ["other_identity"]
    hr = new_client()
    await login(hr, World.HR)
    conflict_id = (await SignInConflict.select(SignInConflict.id).first().run())["id"]
    await confirmed(hr, await post_form(hr, f"/admin/arbejdskonti/{conflict_id}", {"decision": "dismiss"}),
                    "Sagen er afvist")
    assert await conflict_kinds() == []
    assert (await Account.select().where(Account.id == world.accounts["staff"]).first().run())[
        "directory_subject"] == f"{directory.issuer}|sub-staff"
    again = await post_form(hr, f"/admin/arbejdskonti/{conflict_id}", {"decision": "link"})
    assert again.status_code == 400 and "allerede afgjort" in again.text


async def test_only_hr_sees_and_decides_sign_in_cases(client, world, directory):
    await sign_in(client, "sub-amr")
    conflict_id = (await SignInConflict.select(SignInConflict.id).first().run())["id"]
    await login(client, World.LEADER)
    assert (await client.get("/admin/arbejdskonti")).status_code == 403
    assert (await post_form(client, f"/admin/arbejdskonti/{conflict_id}", {"decision": "link"})).status_code == 403
    assert await conflict_kinds() == ["hand_roles"]
    assert "Arbejdskonti, der venter" not in (await client.get("/")).text


async def test_someone_holding_the_state_cannot_cancel_the_sign_in(client, new_client, world, directory):
    start = await client.get("/login/arbejdskonto")
    query = await at_provider(start.headers["location"], "sub-staff")
    assert (await new_client().get(f"{oidc.CALLBACK_PATH}?{query}")).status_code == 403
    assert (await client.get(f"{oidc.CALLBACK_PATH}?{query}")).status_code == 302  # still the person's
    assert [r["reason"] for r in await refusals()] == ["browser"]


async def test_pending_sign_ins_are_stored_only_within_a_limit_per_address(new_client, world, directory):
    crowd = new_client(ip="10.9.8.7")
    for _ in range(oidc.PENDING_PER_ADDRESS):
        assert (await crowd.get("/login/arbejdskonto")).status_code == 302
    refused = await crowd.get("/login/arbejdskonto")
    assert refused.status_code == 429 and "for mange log-ind" in refused.text
    assert await PendingSignIn.count() == oidc.PENDING_PER_ADDRESS
    elsewhere = new_client(ip="10.9.8.8")
    assert (await elsewhere.get("/login/arbejdskonto")).status_code == 302
