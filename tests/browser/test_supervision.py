"""A leader books group supervision in a real browser; each page passes axe (WCAG 2.1 AA)."""

from datetime import time, timedelta

import pytest
from icalendar import Calendar

from hr.notify import outbox
from tests.browser.conftest import check_accessibility
from tests.browser.test_login import log_in
from tests.conftest import World
from tests.supervision.conftest import next_monday, supervisor  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


async def test_a_leader_books_group_supervision(server_url, desktop, world, supervisor, smtp):  # noqa: F811
    page = await desktop.new_page()
    await log_in(page, server_url, World.LEADER)
    await page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Supervision", exact=True).click()
    await check_accessibility(page, "40-supervision")
    await page.get_by_role("link", name="Book supervision").click()
    await check_accessibility(page, "41-book-supervision")
    start = next_monday(time(10))
    await page.get_by_text("Vælg selv supervisor og tidspunkt").click()  # a start time no free slot offers
    await page.get_by_label("Knud KRAP", exact=False).check()
    await page.get_by_label("Gruppesupervision").check()
    await page.get_by_label("Dato").fill(start.date().isoformat())
    await page.get_by_label("Starttid").fill("10:00")
    await page.get_by_label("Søren Ståbi").check()
    await page.get_by_label("Lene Leder").check()
    await page.get_by_label("Sted").fill("Fællesrummet")
    await page.get_by_role("button", name="Book").click()
    await page.get_by_role("heading", name="Gruppesupervision").wait_for()
    assert await page.get_by_role("listitem").filter(has_text="Søren Ståbi").count() == 1
    await check_accessibility(page, "42-booking")
    # The participants get an e-mail each with a calendar invitation.
    await outbox.deliver_due()
    to_staff = [m for m in smtp.messages() if m["To"] == World.STAFF]
    assert len(to_staff) == 1
    [invite] = [p for p in to_staff[0].iter_attachments() if p.get_content_type() == "text/calendar"]
    [event] = Calendar.from_ical(invite.get_content()).walk("VEVENT")
    assert event.decoded("DTSTART") == start
    await page.get_by_role("link", name="Supervision", exact=True).first.click()
    await page.get_by_role("link", name="Min kalender og kalenderlink").click()
    await page.get_by_role("button", name="Lav et kalenderlink").click()
    link = await page.get_by_label("Kalenderlink").input_value()
    assert "/supervision/feed/" in link
    await check_accessibility(page, "44-my-calendar")
    # The session takes place; the leader registers who came, and Søren is supervised as required.
    from hr.db import now
    from hr.supervision.tables import Booking

    booking_id = (await Booking.select(Booking.id).first().run())["id"]
    past = now() - timedelta(hours=3)
    await Booking.update({Booking.starts_at: past, Booking.ends_at: past + timedelta(minutes=90)}).where(
        Booking.id == booking_id).run()
    await page.goto(f"{server_url}/supervision/bookinger/{booking_id}")
    await page.get_by_label("Søren Ståbi").check()
    await page.get_by_role("button", name="Registrér fremmøde").click()
    await page.get_by_role("heading", name="Gruppesupervision").wait_for()
    await check_accessibility(page, "46-fremmoede")
    await page.goto(f"{server_url}/supervision/overblik")
    row = page.get_by_role("row").filter(has_text="Søren Ståbi")
    await row.get_by_text("Overholdt").wait_for()
    await check_accessibility(page, "47-supervisionsoverblik")


async def test_hr_edits_a_supervisor_and_their_availability(server_url, desktop, world, supervisor):  # noqa: F811
    page = await desktop.new_page()
    await log_in(page, server_url, World.HR)
    await page.goto(f"{server_url}/supervision/supervisorer/{supervisor}")
    await page.get_by_role("heading", name="Tilgængelighed").wait_for()
    assert await page.get_by_text("Mandag 08:00-16:00").count() == 1
    await check_accessibility(page, "43-supervisor")
    await page.get_by_role("link", name="Se supervisorens kalender").click()
    await page.get_by_role("heading", name="Kalender for Knud KRAP").wait_for()
    await check_accessibility(page, "45-supervisor-calendar")


async def test_hr_finds_participants_by_search_on_a_phone(server_url, phone, world, supervisor):  # noqa: F811
    from hr.org.tables import Employee

    await Employee.insert(*[Employee(employee_number=f"P{n}", name=f"Pia Person {n:03d}", unit=world.unit_a2)
                            for n in range(80)]).run()
    page = await phone.new_page()
    await log_in(page, server_url, World.HR)
    await page.goto(f"{server_url}/supervision/bookinger/ny")
    search = page.get_by_label("Find deltagere")
    await search.fill("Søren")
    await page.get_by_label("Søren Ståbi").wait_for()
    await page.get_by_label("Søren Ståbi").check()
    await search.fill("Pia Person 01")
    await page.get_by_label("Pia Person 012").wait_for()
    # Søren stays chosen above while the results change.
    assert await page.locator("#participant-chosen").get_by_label("Søren Ståbi").is_checked()
    assert await page.locator("#participant-results input[type=checkbox]").count() <= 25
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await check_accessibility(page, "48-deltagersoegning-phone")


@pytest.mark.parametrize("width", [390, 1280])
async def test_a_leader_books_an_overdue_employee_from_the_duty_through_free_times(server_url, browser, world,
                                                                                 supervisor, width):  # noqa: F811
    """One pass: the duty opens booking with him and a suited supervisor; a free time is one tap."""
    from hr.settings import TIMEZONE
    from hr.supervision.tables import Booking

    context = await browser.new_context(viewport={"width": width, "height": 844}, locale="da-DK", bypass_csp=True)
    try:
        page = await context.new_page()
        await log_in(page, server_url, World.LEADER)
        await page.get_by_role("link", name="Søren Ståbi har overskredet supervision").first.click()
        await page.get_by_role("heading", name="Ledige tider").wait_for()
        assert await page.get_by_label("Søren Ståbi").is_checked()
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await check_accessibility(page, f"43-ledige-tider-{width}")
        first_day = page.locator(".app-slot-day").first
        day = await first_day.locator("legend").first.inner_text()
        slot = first_day.locator(".app-slot label").first
        at = await slot.inner_text()
        await slot.click()
        await page.get_by_label("Sted").fill("Kontoret")
        await page.get_by_role("button", name="Book", exact=True).click()
        await page.get_by_text("Supervisionen er booket").wait_for()
        await check_accessibility(page, f"44-booket-fra-ledig-tid-{width}")
        row = await Booking.select().where(Booking.status == "booked").first().run()
        local = row["starts_at"].astimezone(TIMEZONE)
        assert local.strftime("%H:%M") == at and f"{local.day}. " in day
    finally:
        await context.close()
