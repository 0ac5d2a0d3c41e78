"""HR filters and exports each region list (Medarbejdere, Opfølgning, Bookinger,
Ledelsesinformation) in chromium at 390 and 1280 px, each page passing axe."""

import pytest

from tests.browser.conftest import check_accessibility
from tests.browser.test_login import log_in
from tests.conftest import World
from tests.test_duties import _incident, _past_session_without_attendance

pytestmark = pytest.mark.browser

LISTS = [  # path, the filter's submit button, the CSV file's first header
    ("/medarbejdere", "Søg", "Medarbejdernummer"),
    ("/arbejdsmiljoe/opfoelgning", "Vis", "Id"),
    ("/supervision/bookinger?tid=tidligere", "Vis", "Start"),
    ("/ledelsesinformation", "Vis", "Område"),
]


@pytest.mark.parametrize("width", [390, 1280])
async def test_hr_filters_and_exports_each_region_list(server_url, browser, world, width):
    await _incident(world)
    await _past_session_without_attendance(world)
    context = await browser.new_context(viewport={"width": width, "height": 844}, locale="da-DK", bypass_csp=True,
                                        accept_downloads=True)
    try:
        page = await context.new_page()
        await log_in(page, server_url, World.HR)
        for path, button, header in LISTS:
            await page.goto(f"{server_url}{path}")
            await page.get_by_label("Tilbud", exact=True).select_option(label="Tilbud A")
            await page.get_by_role("button", name=button, exact=True).click()
            await page.wait_for_url(f"**tilbud={world.inst_a}**")
            assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            await check_accessibility(page, f"60-{path.strip('/').split('?')[0].replace('/', '-')}-{width}")
            async with page.expect_download() as download:
                await page.get_by_role("link", name="CSV").first.click()
            saved = await (await download.value).path()
            first = open(saved, encoding="utf-8-sig").readline()
            assert first.startswith(header), (path, first)
            if "ledelsesinformation" in path:
                assert "Tilbud A" in first
    finally:
        await context.close()
