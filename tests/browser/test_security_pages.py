"""HR's pages for what sign-in and the payroll folder refused, with a case on each, in chromium at
390 and 1280 px with axe: HR can read what happened and decide from a phone or a desk."""

import pytest

from hr.auth import conflicts
from hr.db import now
from hr.org.tables import Employee, PayrollFile
from tests.browser.conftest import check_accessibility
from tests.browser.test_login import log_in
from tests.conftest import World

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
async def test_hr_reads_and_decides_refused_sign_ins_and_payroll_files(server_url, browser, world, width):
    amr = await Employee.select(Employee.id).where(Employee.employee_number == "902").first().run()
    await conflicts.record("https://login.example|amr", "hand_roles", "Åse Amr", World.AMR, "902", amr["id"],
                           world.accounts["amr"])
    await conflicts.record("https://login.example|ny", "email_taken", "Nora Nyansat", "nora@test.example", "905",
                           None, world.accounts["hr"])
    await PayrollFile.insert(PayrollFile(
        name="sd-loen-2026-12-07.csv", received_at=now(), imported=False, active_before=5, deactivated=2,
        reason="Filen ville markere 2 af 5 aktive medarbejdere fratrådt (40 %), mere end grænsen på 25 % for et døgn.",
        would_change="5 rækker læst. Medarbejdere: 0 ville blive oprettet.\nVille blive markeret fratrådt: "
                     "902 Åse Amr, 904 Ib Kollega")).run()
    context = await browser.new_context(viewport={"width": width, "height": 844}, locale="da-DK", bypass_csp=True)
    try:
        page = await context.new_page()
        await log_in(page, server_url, World.HR)
        await page.get_by_role("heading", name="Dine opgaver").wait_for()
        assert await page.get_by_text("Lønfilen sd-loen-2026-12-07.csv blev afvist").count() >= 1
        await page.goto(f"{server_url}/admin/arbejdskonti")
        await page.get_by_role("button", name="Knyt arbejdskontoen til kontoen for Åse Amr").wait_for()
        assert await page.get_by_role("button", name="Markér som løst for Nora Nyansat").is_visible()
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await check_accessibility(page, f"29-arbejdskonti-{width}")
        await page.goto(f"{server_url}/admin/import")
        await page.get_by_role("heading", name="Lønfiler, der ikke blev indlæst").wait_for()
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await check_accessibility(page, f"29-afviste-loenfiler-{width}")
    finally:
        await context.close()
