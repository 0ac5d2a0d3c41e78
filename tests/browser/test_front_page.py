"""Each role's front page is its work queue: opened in chromium at 390 and 1280 px with axe, it
shows the duties the test created."""

import pytest

from tests.browser.conftest import check_accessibility
from tests.browser.test_login import log_in
from tests.test_duties import _incident, _past_session_without_attendance

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("persona, width", [("staff", 390), ("leader", 390), ("leader", 1280), ("hr", 1280),
                                            ("supervisor", 390)])
async def test_each_role_finds_its_duties_on_the_front_page(server_url, browser, world, persona, width):
    incident = await _incident(world)
    booking = await _past_session_without_attendance(world)
    context = await browser.new_context(viewport={"width": width, "height": 844}, locale="da-DK", bypass_csp=True)
    try:
        page = await context.new_page()
        await log_in(page, server_url, world.personas[persona])
        await page.get_by_role("heading", name="Dine opgaver").wait_for()
        if persona == "leader":
            await page.locator(f'a[href="/arbejdsmiljoe/haendelser/{incident}"]').wait_for()
        if persona in ("leader", "supervisor"):  # attendance to register after the session
            await page.locator(f'a[href="/supervision/bookinger/{booking}"]').first.wait_for()
        if persona == "staff":
            assert await page.get_by_role("button", name="Indberet en hændelse").is_visible()
            await page.get_by_role("heading", name="Din supervision").wait_for()
        if persona == "hr":  # the leaders' duties as counts per institution, each opening its list
            await page.get_by_role("heading", name="Regionen: ledernes opgaver pr. tilbud").wait_for()
            await page.locator(f'a[href="/arbejdsmiljoe/opfoelgning?tilbud={world.inst_a}"]').wait_for()
            await page.locator(f'a[href="/supervision/bookinger?tilbud={world.inst_a}&fremmoede=mangler"]').wait_for()
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await check_accessibility(page, f"11-forside-{persona}-{width}")
        if persona == "staff":  # one tap from the front page to the report form
            await page.get_by_role("button", name="Indberet en hændelse").click()
            await page.wait_for_url("**/rediger")
        if persona == "supervisor":  # the duty opens the session with its attendance form
            await page.locator(f'a[href="/supervision/bookinger/{booking}"]').first.click()
            await page.get_by_role("button", name="Registrér fremmøde").wait_for()
            await check_accessibility(page, f"11-fremmoede-{persona}-{width}")
    finally:
        await context.close()
