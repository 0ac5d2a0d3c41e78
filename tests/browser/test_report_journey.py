"""The staff member's journey on a phone at 390 px: a violence report from the front page in at
most 8 taps besides typing, the receipt that says what happens now, and a session that expires
while the report is written without losing a word of it."""

import pytest

from hr.auth.tables import Session
from hr.workenv.tables import Incident
from tests.browser.conftest import check_accessibility
from tests.browser.test_login import PASSWORD, log_in
from tests.conftest import World

pytestmark = pytest.mark.browser

TAP_BUDGET = 8


class Taps:
    """Counts what a thumb does: a tap on a button, a radio or a checkbox is one; a list (select)
    is two (open it, pick). Typing, including the tap that puts the cursor in a text field, is
    typing, which the budget leaves out."""

    def __init__(self):
        self.count = 0

    async def tap(self, locator):
        self.count += 1
        await locator.tap()

    async def pick(self, locator, value):
        self.count += 2
        await locator.select_option(value)


async def test_a_violence_report_takes_at_most_eight_taps_and_the_receipt_says_what_happens_now(
        server_url, phone, world):
    page = await phone.new_page()
    await log_in(page, server_url, World.STAFF)
    taps = Taps()
    await taps.tap(page.get_by_role("button", name="Indberet en hændelse"))
    await page.wait_for_url("**/rediger")
    await taps.tap(page.get_by_label("Vold eller trusler", exact=True))
    await taps.pick(page.get_by_label("Hvor skete det?"), "common")
    await page.get_by_label("Hvad skete der?").fill("Borgeren slog ud efter mig ved aftensmaden.")
    await page.get_by_label("Hvad gik forud?").fill("Larm og ventetid i fællesrummet.")
    await taps.tap(page.get_by_label("Lettere skade eller påvirkning"))
    await taps.tap(page.get_by_label("Fysisk vold", exact=False))
    await taps.tap(page.get_by_role("button", name="Indsend"))
    await page.get_by_text("Tak. Indberetningen er sendt").wait_for()
    print(f"violence report from the front page: {taps.count} taps besides typing")
    assert taps.count <= TAP_BUDGET
    # The reporter is involved without a tap.
    row = await Incident.select().where(Incident.status == "submitted").first().run()
    assert row["kind"] == "violence" and row["unit"] == world.unit_a1
    # The receipt: what happens now for this kind, and the way on.
    await page.get_by_role("heading", name="Det sker nu").wait_for()
    assert await page.get_by_text("tilbyder dig defusing nu").is_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await check_accessibility(page, "37-kvittering-vold-phone")
    await page.get_by_role("button", name="Indberet en hændelse mere").tap()
    await page.wait_for_url("**/rediger")
    await page.goto(f"{server_url}/arbejdsmiljoe/haendelser/{row['id']}?indsendt=1")
    await page.get_by_role("link", name="Til forsiden").tap()
    await page.get_by_role("heading", name="Dine opgaver").wait_for()


async def test_an_expired_session_keeps_the_report_and_returns_to_it_not_yet_sent(server_url, phone, world):
    page = await phone.new_page()
    await log_in(page, server_url, World.STAFF)
    await page.get_by_role("button", name="Indberet en hændelse").tap()
    await page.wait_for_url("**/rediger")
    draft_url = page.url
    await page.get_by_label("Vold eller trusler", exact=True).tap()
    await page.get_by_label("Hvor skete det?").select_option("common")
    await page.get_by_label("Lettere skade eller påvirkning").tap()
    await page.get_by_label("Fysisk vold", exact=False).tap()
    await page.get_by_label("Hvad gik forud?").fill("Larm og ventetid i fællesrummet.")
    await page.get_by_text("Kladden er gemt").wait_for()  # the autosave reached the server

    await Session.delete(force=True).run()  # the session ends on the server while she writes
    description = "Borgeren slog ud efter mig ved aftensmaden, og jeg fik et slag på armen."
    await page.get_by_label("Hvad skete der?").fill(description)
    # The autosave now says so where it reports, instead of pouring the login page into the form.
    await page.get_by_text("Du er blevet logget ud.").wait_for()
    assert await page.locator("#autosave-status").get_by_role("link", name="Log ind igen").count() == 1

    await page.get_by_role("button", name="Indsend").tap()
    await page.get_by_role("heading", name="Log ind").wait_for()
    await page.get_by_text("Din indberetning er ikke sendt endnu").wait_for()
    await check_accessibility(page, "38-login-kladde-venter-phone")
    await page.get_by_label("E-mail").fill(World.STAFF)
    await page.get_by_label("Adgangskode").fill(PASSWORD)
    await page.get_by_role("button", name="Log ind").tap()

    await page.wait_for_url(draft_url + "?igen=1")
    await page.get_by_text("Indberetningen er ikke sendt endnu").wait_for()
    assert await page.get_by_label("Hvad skete der?").input_value() == description
    assert await page.get_by_label("Vold eller trusler", exact=True).is_checked()
    assert await page.get_by_label("Fysisk vold", exact=False).is_checked()
    await check_accessibility(page, "39-tilbage-til-kladden-phone")
    await page.get_by_role("button", name="Indsend").tap()
    await page.get_by_text("Tak. Indberetningen er sendt").wait_for()
    row = await Incident.select().where(Incident.status == "submitted").first().run()
    assert row["description"] == description and row["violence_type"] == "physical"


async def test_logging_out_forgets_the_drafts_kept_on_the_phone(server_url, phone, world):
    page = await phone.new_page()
    await log_in(page, server_url, World.STAFF)
    await page.get_by_role("button", name="Indberet en hændelse").tap()
    await page.wait_for_url("**/rediger")
    await page.get_by_label("Hvad skete der?").fill("Noget, den næste på telefonen ikke skal se.")
    kept = "Object.keys(sessionStorage).filter(k => k.startsWith('hr-draft-')).length"
    assert await page.evaluate(kept) == 1
    if await page.get_by_role("button", name="Menu").is_visible():
        await page.get_by_role("button", name="Menu").tap()
    await page.get_by_role("button", name="Log ud").tap()
    await page.get_by_role("heading", name="Log ind").wait_for()
    assert await page.evaluate(kept) == 0
