"""The leader's journey after a violence report, in chromium at 390 and 1280 px: defusing is the
first duty on the front page, its link opens the incident with that step unfolded, and it is done
there; every step of the follow-up fits in two screens on a phone. Axe on each page."""

import pytest

from hr.db import now
from hr.workenv.tables import Incident
from tests.browser.conftest import check_accessibility
from tests.browser.test_login import log_in
from tests.conftest import World
from tests.test_duties import _incident

pytestmark = pytest.mark.browser


async def _violence(world) -> int:
    moment = now()
    rows = await Incident.insert(Incident(
        kind="violence", status="submitted", occurred_at=moment, submitted_at=moment, unit=world.unit_a1,
        institution=world.inst_a, reporter=world.accounts["staff"], place_type="common", description="Slag",
        antecedents="Larm", violence_type="physical", severity=2)).returning(Incident.id).run()
    return rows[0]["id"]


@pytest.mark.parametrize("width", [390, 1280])
async def test_the_leader_sees_defusing_first_and_offers_it_from_the_front_page(server_url, browser, world, width):
    await _incident(world)  # a routine review waits too
    incident = await _violence(world)
    context = await browser.new_context(viewport={"width": width, "height": 844}, locale="da-DK", bypass_csp=True)
    try:
        page = await context.new_page()
        await log_in(page, server_url, World.LEADER)
        first = page.locator(".app-duties > li").first
        assert "Tilbud om defusing" in await first.inner_text()
        await first.get_by_role("link").click()
        await page.wait_for_url(f"**/arbejdsmiljoe/haendelser/{incident}")
        support = page.locator("details#support")
        assert await support.get_attribute("open") is not None  # the step to do now is unfolded
        assert await page.locator("details#review").get_attribute("open") is None
        await check_accessibility(page, f"80-opfoelgning-trin-{width}")
        if width == 390:  # no step is longer than two screens on a phone
            for fold in await page.locator("details.app-step").all():
                await fold.evaluate("d => d.open = true")
                height = await fold.evaluate("d => d.getBoundingClientRect().height")
                assert height <= 2 * 844, (await fold.get_attribute("id"), height)
            assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await support.get_by_label("Trin").select_option("defusing")
        await support.get_by_label("Tilbudt").check()
        await support.get_by_role("button", name="Registrér").click()
        await page.get_by_text("Defusing: tilbudt er registreret.").wait_for()
        await page.goto(f"{server_url}/")
        assert "Tilbud om defusing" not in await page.locator(".app-duties").inner_text()
    finally:
        await context.close()
