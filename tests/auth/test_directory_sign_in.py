"""Sign-in with the work account against a real OpenID provider on loopback (panva's
oidc-provider, `devidp/`), through the real redirect flow: the browser at the provider is an
httpx client with its own cookies, the service is the app. The provider can be told to alter the
next ID token as an attacker on the wire would (forged signature, expired, wrong audience, wrong
nonce, wrong issuer)."""

import asyncio
import json
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from hr.audit import AuditEvent
from hr.auth import oidc
from hr.auth.middleware import SESSION_COOKIE
from hr.auth.services import load_principal
from hr.auth.tables import Account, Session
from hr.devidp import DevIdentityProvider, Person, new_signing_key
from hr.org.importer import run_import
from hr.org.tables import Employee
from hr.settings import get_settings, set_settings
from tests.auth.directory import pointed_at, provider
from tests.confirmations import confirmed
from tests.conftest import PASSWORD, World, free_port, login, post_form

PEOPLE = [
    Person("sub-staff", "Søren Ståbi", World.STAFF, "901"),
    Person("sub-ib", "Ib Kollega", "ib@test.example", "904"),
    Person("sub-nobody", "Nina Ukendt", "nina@test.example", "999"),
    Person("sub-mail", "Ib Kollega", "IB@test.example"),  # no employee number: matched by verified e-mail
    Person("sub-unverified", "Ib Kollega", "ib@test.example", email_verified=False),
    Person("sub-hr", "Ib Kollega", "ib@test.example", "904", roles=["HR", "Something-else"]),
]


@pytest.fixture(scope="module")
def idp():
    with provider(PEOPLE, faults=True) as started:
        yield started


@pytest.fixture
def directory(idp):
    with pointed_at(idp):
        yield idp


async def at_provider(address: str, sub: str) -> str:
    """The person's browser at the provider: follows it to the sign-in page, picks the person and
    follows on until the provider sends the browser back to the service; returns that query."""
    back = get_settings().base_url + oidc.CALLBACK_PATH
    async with httpx.AsyncClient(timeout=10) as browser:
        for _ in range(10):
            if address.startswith(back):
                return urlsplit(address).query
            response = await browser.get(address)
            if response.status_code == 200 and "/login" in response.text:
                action = response.text.split('action="')[1].split('"')[0]
                response = await browser.post(urljoin(address, action), data={"sub": sub})
            assert response.status_code in (302, 303), response.text[:300]
            address = urljoin(address, response.headers["location"])
    pytest.fail("the provider never sent the browser back")


async def sign_in(client: httpx.AsyncClient, sub: str, fault: str | None = None,
                  idp: DevIdentityProvider | None = None) -> httpx.Response:
    start = await client.get("/login/arbejdskonto", params={"next": "/profil"})
    assert start.status_code == 302, start.text[:300]
    query = await at_provider(start.headers["location"], sub)
    if fault:
        httpx.post(f"{idp.issuer}/_test/fault", params={"kind": fault})
    return await client.get(f"{oidc.CALLBACK_PATH}?{query}")


async def refusals() -> list[dict]:
    rows = await AuditEvent.select().where((AuditEvent.action == "refused") & (AuditEvent.entity == "sign_in")).run()
    return [json.loads(r["detail"]) for r in rows]


async def test_the_login_page_leads_with_the_work_account(client, directory):
    page = await client.get("/login")
    assert "Log ind med din arbejdskonto" in page.text
    assert page.text.index("Log ind med din arbejdskonto") < page.text.index('name="password"')


async def test_the_first_sign_in_links_an_existing_account_and_the_next_reuses_it(client, new_client, world, directory):
    signed_in = await sign_in(client, "sub-staff")
    assert signed_in.status_code == 302 and signed_in.headers["location"] == "/profil"
    assert (await client.get("/profil")).status_code == 200
    account = await Account.select().where(Account.id == world.accounts["staff"]).first().run()
    assert account["directory_subject"] == f"{directory.issuer}|sub-staff"
    assert account["last_login_method"] == "arbejdskonto"
    links = await AuditEvent.select().where((AuditEvent.action == "link") & (AuditEvent.entity == "account")).run()
    assert [r["entity_id"] for r in links] == [str(world.accounts["staff"])]
    again = new_client()
    assert (await sign_in(again, "sub-staff")).status_code == 302
    assert await Account.count() == len(world.accounts)
    assert await Session.count().where(Session.account == world.accounts["staff"]) == 2
    hr = new_client()
    await login(hr, World.HR)
    page = await hr.get(f"/admin/brugere/{world.accounts['staff']}")
    assert "Arbejdskonto og adgangskode" in page.text and "(arbejdskonto)" in page.text


async def test_the_first_sign_in_creates_the_account_of_an_employee_without_one(client, world, directory):
    assert (await sign_in(client, "sub-ib")).status_code == 302
    account = await Account.select().where(Account.directory_subject == f"{directory.issuer}|sub-ib").first().run()
    employee = await Employee.select().where(Employee.employee_number == "904").first().run()
    assert account["employee"] == employee["id"] and account["email"] == "ib@test.example"
    assert account["password_hash"] == ""  # nobody typed a password for Ib
    assert "Medarbejder" in (await client.get("/profil")).text


async def test_a_verified_work_email_matches_when_there_is_no_employee_number(client, new_client, world, directory):
    assert (await sign_in(client, "sub-mail")).status_code == 302
    account = await Account.select().where(Account.directory_subject == f"{directory.issuer}|sub-mail").first().run()
    assert account["email"] == "ib@test.example"
    unverified = await sign_in(new_client(), "sub-unverified")
    assert unverified.status_code == 403
    assert (await refusals())[-1]["reason"] == "unknown_employee"


async def test_an_identity_with_no_active_employee_is_refused_in_danish_and_audited(client, new_client, world,
                                                                                   directory):
    refused = await sign_in(client, "sub-nobody")
    assert refused.status_code == 403 and "ikke knyttet til en aktiv ansættelse" in refused.text
    assert SESSION_COOKIE not in refused.cookies
    await Employee.update({Employee.active: False}).where(Employee.employee_number == "904").run()
    assert (await sign_in(new_client(), "sub-ib")).status_code == 403
    assert [r["reason"] for r in await refusals()] == ["unknown_employee", "inactive"]
    assert await Account.count() == len(world.accounts) and await Session.count() == 0


@pytest.mark.parametrize("fault, reason", [("forged", "signature"), ("expired", "expired_token"),
                                           ("audience", "claim_aud"), ("nonce", "claim_nonce"),
                                           ("issuer", "claim_iss")])
async def test_an_altered_id_token_is_refused(client, world, directory, fault, reason):
    refused = await sign_in(client, "sub-staff", fault=fault, idp=directory)
    assert refused.status_code == 403 and "kunne ikke gennemføres" in refused.text
    assert [r["reason"] for r in await refusals()] == [reason]
    assert await Session.count() == 0
    assert (await Account.select().where(Account.id == world.accounts["staff"]).first().run())[
        "directory_subject"] is None


async def test_a_replayed_answer_and_an_answer_in_another_browser_are_refused(client, new_client, world, directory):
    start = await client.get("/login/arbejdskonto")
    query = await at_provider(start.headers["location"], "sub-staff")
    elsewhere = new_client()  # an attacker hands their own answer to someone else's browser
    assert (await elsewhere.get(f"{oidc.CALLBACK_PATH}?{query}")).status_code == 403
    start = await client.get("/login/arbejdskonto")
    query = await at_provider(start.headers["location"], "sub-staff")
    assert (await client.get(f"{oidc.CALLBACK_PATH}?{query}")).status_code == 302
    replay = await client.get(f"{oidc.CALLBACK_PATH}?{query}")
    assert replay.status_code == 403 and "allerede brugt" in replay.text
    assert [r["reason"] for r in await refusals()] == ["browser", "state"]


async def test_rotated_provider_keys_are_fetched_again(client, new_client, world, directory):
    assert (await sign_in(client, "sub-staff")).status_code == 302  # the first key is now known
    directory.restart(keys=[new_signing_key()])  # the provider signs with a new key only
    assert (await sign_in(new_client(), "sub-staff")).status_code == 302


async def test_an_unreachable_provider_gives_a_danish_answer(client):
    before = get_settings()
    set_settings(replace(before, oidc_issuer=f"http://127.0.0.1:{free_port()}", oidc_client_id="x",
                         oidc_client_secret="y"))
    oidc.directory.reset()
    try:
        page = await client.get("/login/arbejdskonto")
    finally:
        set_settings(before)
        oidc.directory.reset()
    assert page.status_code == 503 and "svarer ikke lige nu" in page.text


async def test_password_sign_in_can_be_switched_off_for_a_role(client, new_client, world, directory):
    set_settings(replace(get_settings(), local_login_off_for=frozenset({"staff"})))
    refused = await post_form(client, "/login", {"email": World.STAFF, "password": PASSWORD})
    assert refused.status_code == 400 and "Log ind med din arbejdskonto" in refused.text
    supervisor = new_client()
    assert (await post_form(supervisor, "/login", {"email": World.SUPERVISOR, "password": PASSWORD})).status_code == 302


async def test_without_a_directory_the_routes_are_not_there(client):
    assert (await client.get("/login/arbejdskonto")).status_code == 404
    assert "arbejdskonto" not in (await client.get("/login")).text


async def test_logging_out_of_a_work_account_session_ends_the_directorys_session_too(client, new_client, world,
                                                                                     directory):
    assert (await sign_in(client, "sub-staff")).status_code == 302
    out = await post_form(client, "/logout")
    assert out.status_code == 302 and out.headers["location"].startswith(f"{directory.issuer}/session/end?")
    assert "post_logout_redirect_uri=" in out.headers["location"]
    assert (await client.get("/profil")).status_code in (302, 303, 401)  # our session has ended
    local = new_client()
    await login(local, World.SUPERVISOR)
    await confirmed(local, await post_form(local, "/logout"), "Du er logget ud.")


async def test_a_leaders_role_follows_payroll_and_the_old_session_stops(client, new_client, world, directory):
    def ib(unit: str) -> bytes:
        return ("Medarbejdernummer;Navn;E-mail;Afdelingskode;Afdeling;Tilbudskode;Ledelse\n"
                f"904;Ib Kollega;ib@test.example;{unit};Afdeling {unit};A;afdelingsleder\n").encode()

    await run_import("loen.csv", ib("A2"), dry_run=False, principal=None)
    assert (await sign_in(client, "sub-ib")).status_code == 302  # the first sign-in: a leader at once
    account = await Account.select().where(Account.directory_subject == f"{directory.issuer}|sub-ib").first().run()
    assert (await load_principal(account["id"])).leader_unit_ids == {world.unit_a2}
    assert (await client.get("/arbejdsmiljoe/opfoelgning")).status_code == 200
    await run_import("loen.csv", ib("A1"), dry_run=False, principal=None)  # Ib now leads A1
    assert (await client.get("/profil")).status_code in (302, 303)  # yesterday's session is gone
    assert (await load_principal(account["id"])).leader_unit_ids == {world.unit_a1}
    assert (await sign_in(new_client(), "sub-ib")).status_code == 302


async def test_the_directorys_app_roles_grant_hr_and_take_it_away_again(client, new_client, world, directory):
    assert (await sign_in(client, "sub-hr")).status_code == 302
    account = await Account.select().where(Account.directory_subject == f"{directory.issuer}|sub-hr").first().run()
    assert (await load_principal(account["id"])).is_hr
    assert (await client.get("/admin/brugere")).status_code == 200
    person = next(p for p in directory.people if p.sub == "sub-hr")
    person.roles = []  # IT takes the app role away in the directory
    try:
        directory.restart()
        assert (await sign_in(new_client(), "sub-hr")).status_code == 302
    finally:
        person.roles = ["HR", "Something-else"]
        directory.restart()
    assert not (await load_principal(account["id"])).is_hr
    assert (await client.get("/admin/brugere")).status_code == 403  # the first session has lost it too


async def test_a_provider_that_goes_away_mid_sign_in_gives_a_danish_answer_not_an_error(client, world, directory):
    start = await client.get("/login/arbejdskonto")
    query = await at_provider(start.headers["location"], "sub-staff")
    directory.stop()
    oidc.directory.reset()  # nothing cached: the answer's check must reach the provider
    try:
        answer = await client.get(f"{oidc.CALLBACK_PATH}?{query}")
    finally:
        directory.start()
    assert answer.status_code == 403 and "kunne ikke gennemføres" in answer.text
    assert [r["reason"] for r in await refusals()] == ["provider_unreachable"]


async def test_two_first_sign_ins_at_the_same_instant_make_one_account(new_client, world, directory):
    """The newcomer taps the button on the phone and on the PC at once: one account, two sessions."""
    browsers = [new_client(), new_client()]
    answers = []
    for browser in browsers:
        start = await browser.get("/login/arbejdskonto")
        answers.append(await at_provider(start.headers["location"], "sub-ib"))
    results = await asyncio.gather(*[browser.get(f"{oidc.CALLBACK_PATH}?{query}")
                                     for browser, query in zip(browsers, answers, strict=True)])
    assert [r.status_code for r in results] == [302, 302]
    assert await Account.count().where(Account.directory_subject == f"{directory.issuer}|sub-ib") == 1
    assert await Session.count() == 2
