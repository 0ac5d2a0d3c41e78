"""The employee's supervision calendar on a phone at 390 px: the coming sessions read whole (they
were a table cut at the edge), and "Bed din leder om en tid" asks the leader, with axe on each page."""

from datetime import time, timedelta

import pytest

from hr.auth.services import load_principal
from hr.supervision import booking
from tests.browser.conftest import check_accessibility
from tests.browser.test_login import log_in
from tests.conftest import World
from tests.supervision.conftest import next_monday, supervisor  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


async def test_the_calendar_reads_whole_on_a_phone_and_asks_the_leader(server_url, phone, world,
                                                                      supervisor):  # noqa: F811
    page = await phone.new_page()
    await log_in(page, server_url, World.STAFF)
    await page.goto(f"{server_url}/supervision/kalender")  # overdue, nothing booked: ask the leader
    await check_accessibility(page, "49-kalender-bed-om-tid-phone")
    await page.get_by_role("button", name="Bed din leder om en tid").tap()
    await page.get_by_text("Lene Leder har fået besked").wait_for()
    await check_accessibility(page, "49b-bedt-om-tid-phone")

    leader = await load_principal(world.accounts["leader"])
    await booking.book(leader, supervisor_id=supervisor, starts_at=next_monday(time(10)) + timedelta(days=14),
                       minutes=90, session_type="group", capacity=6,
                       employee_ids=[world.staff_employee, world.leader_employee], place="Fællesrummet i Birken")
    await page.goto(f"{server_url}/supervision/kalender")
    sessions = page.get_by_role("list", name="Mine kommende sessioner")
    await sessions.get_by_text("Fællesrummet i Birken").wait_for()
    assert await sessions.get_by_text("Knud KRAP").is_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await check_accessibility(page, "49c-kalender-sessioner-phone")
