"""The API documentation, ours and in Danish, passes axe at 390 and 1280 px and asks nothing of
another server."""

import pytest

from tests.browser.conftest import check_accessibility

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
async def test_the_api_documentation_reads_in_danish_and_fetches_nothing_from_elsewhere(server_url, browser, width):
    context = await browser.new_context(viewport={"width": width, "height": 844}, locale="da-DK")
    try:
        page = await context.new_page()
        elsewhere = []
        page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith(server_url) else None)
        await page.goto(f"{server_url}/api/v1/schema/")
        await page.get_by_role("heading", name="Sådan kalder du API'et").wait_for()
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await check_accessibility(page, f"90-api-dokumentation-{width}")
        assert elsewhere == []
    finally:
        await context.close()
