"""Logging in with a real browser, on a phone and on a desktop, with WCAG 2.1 AA checks."""

import re

import pytest

from hr.auth.oidc import CALLBACK_PATH
from hr.auth.services import load_principal
from hr.devidp import DevIdentityProvider, Person
from hr.notify.tables import OutboxMessage
from hr.web import menus_for
from tests.browser.conftest import check_accessibility, start_server, stop_server
from tests.conftest import PASSWORD, World, free_port

pytestmark = pytest.mark.browser


async def log_in(page, url, email):
    await page.goto(f"{url}/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Adgangskode").fill(PASSWORD)
    await page.get_by_role("button", name="Log ind").click()
    await page.wait_for_url(f"{url}/")


async def test_staff_logs_in_on_a_phone_and_sees_the_dashboard(server_url, phone, world):
    page = await phone.new_page()
    await page.goto(f"{server_url}/login")
    await check_accessibility(page, "01-login-phone")
    await page.get_by_label("E-mail").fill(World.STAFF)
    await page.get_by_label("Adgangskode").fill("forkert-kode-1")
    await page.get_by_role("button", name="Log ind").click()
    await page.get_by_text("Forkert e-mail eller adgangskode").wait_for()
    await check_accessibility(page, "02-login-error-phone")
    await log_in(page, server_url, World.STAFF)
    await page.get_by_role("heading", name="Goddag, Søren Ståbi").wait_for()
    assert await page.get_by_text("Afdeling A1").count() >= 1
    # The page fits the phone: no horizontal scrolling.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await check_accessibility(page, "03-dashboard-phone")
    await page.get_by_role("button", name="Log ud").click()
    await page.wait_for_url(f"{server_url}/login")


async def test_hr_visits_the_administration_pages(server_url, desktop, world):
    page = await desktop.new_page()
    await log_in(page, server_url, World.HR)
    await check_accessibility(page, "10-dashboard-hr")
    # Every section from the main menu, then every page of it from the section's own menu.
    for section, _, _ in menus_for(await load_principal(world.accounts["hr"]), "/")[0]:
        await page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name=section, exact=True).click()
        await page.wait_for_load_state()
        _, _, pages = menus_for(await load_principal(world.accounts["hr"]), page.url.replace(server_url, ""))
        for label, _, _ in pages:
            await page.get_by_role("navigation", name=f"Undermenu: {section}").get_by_role(
                "link", name=label, exact=True).click()
            await page.wait_for_load_state()
            await check_accessibility(page, f"1-{section}-{label}".lower().replace(" ", "-"))
        if not pages:
            await check_accessibility(page, f"1-{section}".lower())
    await page.goto(f"{server_url}/organisation/tilbud/{world.inst_a}")
    await check_accessibility(page, "17-tilbud")
    await page.goto(f"{server_url}/organisation/afdelinger/{world.unit_a1}")
    await check_accessibility(page, "18-afdeling")
    await page.goto(f"{server_url}/organisation/tilbud/{world.inst_a}/rediger")
    await check_accessibility(page, "17b-tilbud-rediger")
    await page.goto(f"{server_url}/medarbejdere/{world.staff_employee}")
    await check_accessibility(page, "19-medarbejder")
    await page.goto(f"{server_url}/admin/brugere/{world.accounts['leader']}")
    await check_accessibility(page, "21-bruger")
    await page.goto(f"{server_url}/supervision/overblik?tilbud={world.inst_a}")
    await check_accessibility(page, "21d-supervision-overblik-tilbud")
    await page.goto(f"{server_url}/supervision/match?tilbud={world.inst_a}")
    await check_accessibility(page, "21c-supervision-match")
    await page.goto(f"{server_url}/arbejdsmiljoe/magtanvendelser/import")
    await check_accessibility(page, "21b-magtanvendelser-import")
    await page.goto(f"{server_url}/profil/notifikationer")
    await check_accessibility(page, "22b-notifikationer")
    await page.goto(f"{server_url}/profil/adgangskode")
    await check_accessibility(page, "22-adgangskode")
    await page.goto(f"{server_url}/api/v1/schema/openapi.json")
    assert "HR Socialområdet API" in await page.content()
    await page.goto(f"{server_url}/findes-ikke")
    await check_accessibility(page, "20-404")


@pytest.fixture(scope="module")
def directory_server(database):
    """A service with work-account sign-in against a real OpenID provider on loopback."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    provider = DevIdentityProvider([Person("sub-staff", "Søren Ståbi", World.STAFF, "901",
                                           description="Medarbejder, afdeling A1"),
                                    Person("sub-nobody", "Nina Ukendt", "nina@test.example", "999",
                                           description="Ikke ansat")],
                                   redirect_uri=url + CALLBACK_PATH, post_logout_uri=url + "/login").start()
    url, proc = start_server(port, HR_BASE_URL=url, HR_OIDC_ISSUER=provider.issuer,
                             HR_OIDC_CLIENT_ID=provider.client_id, HR_OIDC_CLIENT_SECRET=provider.client_secret)
    yield url
    stop_server(proc)
    provider.close()


async def test_staff_signs_in_with_the_work_account_on_a_phone(directory_server, phone, desktop, world):
    page = await phone.new_page()
    await page.goto(f"{directory_server}/login")
    await check_accessibility(page, "04-login-arbejdskonto-phone")
    await page.get_by_role("link", name="Log ind med din arbejdskonto").click()
    await page.get_by_role("button", name="Søren Ståbi").click()  # at the provider
    await page.wait_for_url(f"{directory_server}/")
    await page.get_by_role("heading", name="Goddag, Søren Ståbi").wait_for()
    # Logging out ends the directory's session too: the next person on this phone signs in as themselves.
    await page.get_by_role("button", name="Log ud").click()
    await page.get_by_role("button", name="Ja, log ud").click()  # at the provider
    await page.wait_for_url(f"{directory_server}/login")
    await page.get_by_role("link", name="Log ind med din arbejdskonto").click()
    await page.get_by_role("button", name="Nina Ukendt").click()  # known to the directory, not to payroll
    await page.get_by_role("heading", name="Du blev ikke logget ind").wait_for()
    assert await page.get_by_text("ikke knyttet til en aktiv ansættelse").count() == 1
    await check_accessibility(page, "05-arbejdskonto-afvist-phone")
    page = await desktop.new_page()
    await page.goto(f"{directory_server}/login")
    await check_accessibility(page, "06-login-arbejdskonto")


async def test_a_forgotten_password_on_a_phone(server_url, phone, world):
    page = await phone.new_page()
    await page.goto(f"{server_url}/login")
    await page.get_by_role("link", name="Glemt adgangskode").click()
    await page.get_by_label("E-mail").fill(World.SUPERVISOR)
    await check_accessibility(page, "07-glemt-adgangskode-phone")
    await page.get_by_role("button", name="Send link").click()
    await page.get_by_text("har vi sendt en mail").wait_for()
    await check_accessibility(page, "08-link-sendt-phone")
    mail = await OutboxMessage.select().where(OutboxMessage.kind == "account.password_link").first().run()
    link = re.search(r"(/adgangskode/nulstil/[\w-]+)", mail["text_body"]).group(1)
    await page.goto(f"{server_url}{link}")
    await page.get_by_label("Ny adgangskode").fill("kort")
    await page.get_by_label("Gentag adgangskoden").fill("kort")
    await page.get_by_role("button", name="Gem adgangskoden").click()
    await page.get_by_text("mindst 12 tegn").first.wait_for()
    await check_accessibility(page, "09-vaelg-adgangskode-fejl-phone")
    await page.get_by_label("Ny adgangskode").fill("tre grønne cykler i regnen")
    await page.get_by_label("Gentag adgangskoden").fill("tre grønne cykler i regnen")
    await page.get_by_role("button", name="Gem adgangskoden").click()
    await page.get_by_text("Din adgangskode er gemt").wait_for()
    await page.get_by_label("E-mail").fill(World.SUPERVISOR)
    await page.get_by_label("Adgangskode").fill("tre grønne cykler i regnen")
    await page.get_by_role("button", name="Log ind").click()
    await page.wait_for_url(f"{server_url}/")
