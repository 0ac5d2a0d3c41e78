"""HR opens the leadership cohort, a head nominates, HR selects 20 and reads the regional
overview with export; a leader plans a module for a staff member. Each page passes axe."""

from datetime import timedelta

import pytest

from hr.auth.services import load_principal
from hr.competence import cohorts
from hr.competence.tables import Nomination
from hr.forms import local_today
from tests.browser.conftest import check_accessibility
from tests.browser.test_login import log_in
from tests.competence.conftest import catalogue, head, more_leaders  # noqa: F401  (fixtures)
from tests.conftest import World

pytestmark = pytest.mark.browser


async def test_hr_opens_a_cohort_heads_nominate_and_hr_selects_twenty(server_url, desktop, phone, world,
                                                                      head):  # noqa: F811
    leaders = await more_leaders(world, 21)
    page = await desktop.new_page()
    await log_in(page, server_url, World.HR)
    await page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Kompetence").click()
    submenu = page.get_by_role("navigation", name="Undermenu: Kompetence")
    await submenu.get_by_role("link", name="Lederuddannelse").click()
    await check_accessibility(page, "60-lederuddannelse")
    year = local_today().year + 1
    await page.get_by_label("År").fill(str(year))
    await page.get_by_label("Frist for indstilling").fill((local_today() + timedelta(days=30)).isoformat())
    await page.get_by_role("button", name="Åbn holdet").click()
    await page.get_by_role("heading", name=f"Lederuddannelse: hold {year}").wait_for()
    cohort_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    head_page = await phone.new_page()  # another browser context: the head is logged in separately
    await log_in(head_page, server_url, "head@test.example")
    await head_page.goto(f"{server_url}/kompetence/hold/{cohort_id}")
    await head_page.get_by_label("Leder med personaleansvar").select_option(
        label="Leder Nummer00, Afdeling A2 (Tilbud A)")
    await head_page.get_by_label("Begrundelse").fill("Stærk faglig leder, der skal lede en omlægning.")
    await head_page.get_by_role("button", name="Indstil").click()
    await head_page.get_by_role("cell", name="Leder Nummer00").first.wait_for()
    await check_accessibility(head_page, "61-indstilling")
    principal = await load_principal(head)
    for n, employee in enumerate(leaders[1:], start=2):  # the other 20 nominations, quicker than typing
        await cohorts.nominate(principal, cohort_id, _form(employee=employee, priority=n,
                                                           motivation="Leder med personaleansvar og gode resultater"))

    await page.reload()
    for n in range(20):
        await page.get_by_role("button", name=f"Udvælg Leder Nummer{n:02d}").click()
        await page.get_by_role("status").filter(has_text=f"{n + 1} af 20 pladser er taget").wait_for()
    await check_accessibility(page, "62-udvaelgelse")
    await page.get_by_role("button", name="Udvælg Leder Nummer20").click()
    await page.get_by_text("Holdet er fuldt (20 af 20 pladser)").first.wait_for()
    await page.goto(f"{server_url}/kompetence/hold/{cohort_id}")
    await page.get_by_role("button", name="Bekræft holdet").click()
    await page.get_by_role("cell", name="På venteliste (nr. 1)").wait_for()
    assert await Nomination.count().where(Nomination.status == "selected") == 20

    await page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Kompetence", exact=True).click()
    await page.get_by_role("heading", name="Kompetence", exact=True).wait_for()
    await check_accessibility(page, "63-kompetenceoverblik")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Excel (XLSX)").last.click()
    assert (await download.value).suggested_filename == "kompetence-medarbejdere.xlsx"


async def test_a_leader_plans_a_module_and_sees_the_profile(server_url, desktop, world, catalogue):  # noqa: F811
    page = await desktop.new_page()
    await log_in(page, server_url, World.LEADER)
    await page.goto(f"{server_url}/kompetence/medarbejdere/{world.staff_employee}")
    await page.get_by_label("Modul").select_option(label="PÆD-KRAP KRAP i praksis (10 ECTS)")
    await page.get_by_role("button", name="Planlæg").click()
    await page.get_by_role("heading", name="PÆD-KRAP KRAP i praksis (10 ECTS)").wait_for()
    await check_accessibility(page, "64-kompetenceprofil")
    for path, name in (("/kompetence/moduler", "65-modulkatalog"), (f"/kompetence/moduler/{catalogue['krap']}",
                                                                    "66-modul"), ("/kompetence/planer", "67-planer")):
        await page.goto(f"{server_url}{path}")
        await check_accessibility(page, name)


def _form(**values):
    from multidict import MultiDict

    return MultiDict({k: str(v) for k, v in values.items()})
