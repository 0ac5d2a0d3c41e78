"""On a phone (390 x 844): the header and menus take at most a quarter of the screen behind a Menu
button, the menu opens and closes, and no page scrolls sideways."""

import pytest

from tests.browser.conftest import check_accessibility
from tests.browser.test_login import log_in
from tests.conftest import World

pytestmark = pytest.mark.browser

PAGES = ["/", "/arbejdsmiljoe", "/arbejdsmiljoe/opfoelgning", "/arbejdsmiljoe/handlinger", "/supervision/bookinger",
         "/supervision/overblik", "/kompetence", "/organisation", "/medarbejdere", "/admin/brugere",
         "/admin/revisionslog", "/admin/paamindelser", "/ledelsesinformation"]


async def test_the_header_is_small_and_nothing_scrolls_sideways_on_a_phone(server_url, phone, world):
    page = await phone.new_page()
    await log_in(page, server_url, World.HR)
    for path in PAGES:
        await page.goto(f"{server_url}{path}")
        header = await page.evaluate("document.querySelector('header').getBoundingClientRect().height")
        assert header <= 844 / 4, (path, header)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    await page.goto(f"{server_url}/supervision/bookinger")
    menu = page.get_by_role("button", name="Menu")
    assert await menu.get_attribute("aria-expanded") == "false"
    assert not await page.get_by_role("link", name="Supervisionsoverblik").is_visible()
    await menu.click()
    assert await menu.get_attribute("aria-expanded") == "true"
    await page.get_by_role("link", name="Supervisionsoverblik").click()
    await page.wait_for_url(f"{server_url}/supervision/overblik")
    await check_accessibility(page, "12-menu-phone")
