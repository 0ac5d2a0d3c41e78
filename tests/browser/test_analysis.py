"""The analysis dashboard on a phone (AMR) and the management information in print (HR): charts
render, signals show, every page passes axe."""

import pytest

from tests.browser.conftest import SCREENSHOTS, check_accessibility
from tests.browser.test_login import log_in
from tests.conftest import World
from tests.workenv.test_analysis import incident, local

pytestmark = pytest.mark.browser


async def test_amr_reads_the_dashboard_on_a_phone_and_hr_prints_the_monthly_report(server_url, phone, desktop,
                                                                                   world):
    for month in range(1, 13):
        for _ in range(2 if month <= 6 else 8):
            await incident(world, local(2025, month, 12, 9), pseudonym="A-1")
    page = await phone.new_page()
    await log_in(page, server_url, World.AMR)
    await page.goto(f"{server_url}/arbejdsmiljoe/analyse?fra=2025-01&til=2025-12")
    await page.get_by_role("img", name="Antal hændelser pr. måned (seriediagram)").wait_for()
    assert await page.get_by_text("for få kryds").count() >= 1
    # Chart text as displayed at 390 px: at least 12 px (the chart scrolls in its box rather than shrink).
    smallest = await page.evaluate("""Math.min(...[...document.querySelectorAll('svg.app-chart')].flatMap(svg => {
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale); }))""")
    assert smallest >= 12, smallest
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await check_accessibility(page, "70-analyse-amr-telefon")
    await page.goto(f"{server_url}/arbejdsmiljoe/analyse?fra=januar&alvor=9")
    await page.get_by_role("link", name="Alvorlighed er 1-4").click()  # the summary leads to the field
    assert await page.evaluate("document.activeElement.id") == "alvor"
    await check_accessibility(page, "70-analyse-fejl-telefon")

    hr = await desktop.new_page()
    await log_in(hr, server_url, World.HR)
    await hr.goto(f"{server_url}/ledelsesinformation?maaned=2025-12")
    await hr.get_by_role("heading", name="Ledelsesinformation 2025-12").wait_for()
    await check_accessibility(hr, "71-ledelsesinformation")
    await hr.goto(f"{server_url}/arbejdsmiljoe/analyse?fra=2025-01&til=2025-12")
    async with hr.expect_download() as download:
        await hr.get_by_role("link", name="Excel (XLSX)").first.click()
    assert (await download.value).suggested_filename == "haendelser-pr-maaned.xlsx"
    await hr.goto(f"{server_url}/ledelsesinformation?maaned=2025-12")
    await hr.emulate_media(media="print")
    assert not await hr.get_by_role("navigation", name="Hovedmenu").is_visible()
    await hr.screenshot(path=str(SCREENSHOTS / "72-ledelsesinformation-print.png"), full_page=True)
