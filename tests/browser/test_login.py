"""Logging in with a real browser, on a phone and on a desktop, with WCAG 2.1 AA checks."""

import pytest

from tests.browser.conftest import check_accessibility
from tests.conftest import PASSWORD, World

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
    for label, name in [("Organisation", "11-organisation"),
                        ("Medarbejdere", "12-medarbejdere"),
                        ("Metoder", "13-metoder"), ("Import", "14-import"),
                        ("Brugere", "15-brugere"), ("API-nøgler", "15-api-noegler"),
                        ("Revisionslog", "16-revisionslog"), ("Arbejdsmiljø", "16a-arbejdsmiljoe"),
                        ("Opfølgning", "16b-opfoelgning"), ("Handlinger", "16c-handlinger"),
                        ("Påbud", "16d-paabud"), ("APV", "16e-apv"), ("Drøftelser", "16f-droeftelser"),
                        ("Arbejdsmiljøregler", "16g-arbejdsmiljoeregler"), ("Supervisorer", "16h-supervisorer"),
                        ("Supervisionskrav", "16i-supervisionskrav"),
                        ("Supervisionsoverblik", "16j-supervisionsoverblik"),
                        ("Påmindelser", "16k-paamindelser"), ("Udbakke", "16l-udbakke"),
                        ("Analyse", "16m-analyse"), ("Ledelsesinformation", "16n-ledelsesinformation"),
                        ("Kompetence", "16o-kompetence")]:
        await page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name=label, exact=True).click()
        await page.wait_for_load_state()
        await check_accessibility(page, name)
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
