"""A staff member files each kind of report from a phone; the leader and AMR see it on their worklists."""

import pytest

from hr.forms import local_today
from tests.browser.conftest import check_accessibility
from tests.browser.test_login import log_in
from tests.conftest import World

pytestmark = pytest.mark.browser

KIND_LABELS = {
    "near_miss": "Nærved-ulykke",
    "accident": "Arbejdsulykke",
    "violence": "Vold eller trusler",
    "use_of_force": "Magtanvendelse",
}


async def fill_common(page, description):
    await page.get_by_label("Hvor skete det?").select_option("common")
    await page.get_by_label("Borgerens pseudonym").fill("BO-7")
    await page.get_by_label("Hvad skete der?").fill(description)
    await page.get_by_label("Hvad gik forud?").fill("Larm i fællesrummet før aftensmaden.")
    await page.get_by_label("Lettere skade eller påvirkning").check()


async def test_staff_files_each_kind_of_report_from_a_phone(server_url, phone, browser, world):
    page = await phone.new_page()
    await log_in(page, server_url, World.STAFF)
    for n, (kind, label) in enumerate(KIND_LABELS.items()):
        await page.goto(f"{server_url}/arbejdsmiljoe")
        if n == 0:
            await check_accessibility(page, "30-arbejdsmiljoe-phone")
        await page.get_by_role("button", name="Indberet en hændelse").click()
        await page.wait_for_url("**/rediger")
        await page.get_by_label(label, exact=True).check()
        # Only the section of the chosen kind is shown, and what the kind requires is marked.
        assert await page.locator(f'section[data-kind="{kind}"]').is_visible() or kind == "near_miss"
        assert await page.locator("[data-required-for]").is_visible() == (kind in ("violence", "use_of_force"))
        if n == 0:
            # The unit's colleagues can be found by typing; those ticked stay in view.
            # The unit's list is swapped in by htmx: tick only once it has come (a slow answer
            # replaced the list after the tick, unticked, when the machine was busy).
            async with page.expect_response("**/arbejdsmiljoe/afdelingens-medarbejdere**"):
                await page.locator("#unit").select_option(str(world.unit_a1))
            await page.wait_for_load_state("networkidle")
            await page.get_by_label("Lene Leder").check()
            await page.get_by_label("Find kollega").fill("søren")
            assert await page.get_by_label("Søren Ståbi").is_visible()
            assert await page.get_by_label("Lene Leder").is_visible()  # ticked
            await page.get_by_label("Lene Leder").uncheck()
            await page.get_by_label("Find kollega").fill("søren")
            assert not await page.get_by_label("Lene Leder").is_visible()
            await page.get_by_label("Find kollega").fill("")
            await check_accessibility(page, "31-rapport-formular-phone")
            # Submitting too early lists what is missing, with links to the fields.
            await page.get_by_role("button", name="Indsend").click()
            await page.get_by_text("Der er fejl i formularen").wait_for()
            await check_accessibility(page, "32-rapport-fejl-phone")
        await fill_common(page, f"Test af {label} fra telefonen.")
        if n == 1:
            # What is not needed for the kind waits behind a summary until asked for.
            assert not await page.get_by_label("Hvad blev gjort straks?").is_visible()
            await page.get_by_text("Flere oplysninger (valgfrit)").click()
            await page.get_by_label("Hvad blev gjort straks?").fill("Hentede en kollega.")
        if kind == "violence":
            await page.get_by_label("Fysisk vold", exact=False).check()
        if kind == "accident":
            await page.get_by_label("Skadens art").select_option("sprain")
            await page.get_by_label("Skadet legemsdel").select_option("hand")
            await page.get_by_label("Forventet fravær").select_option("1_2")
        if kind == "use_of_force":
            await page.get_by_label("Voksne (serviceloven)").check()
            await page.get_by_label("Kategori").select_option("124d")
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await page.get_by_role("button", name="Indsend").click()
        await page.get_by_text("Tak. Indberetningen er sendt").wait_for()
        if n == 0:
            await check_accessibility(page, "33-rapport-indsendt-phone")

    leader_context = await browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    leader = await leader_context.new_page()
    await log_in(leader, server_url, World.LEADER)
    await leader.goto(f"{server_url}/arbejdsmiljoe/opfoelgning")
    for label in KIND_LABELS.values():
        assert await leader.get_by_role("link", name=label, exact=False).count() >= 1
    await check_accessibility(leader, "34-opfoelgning-leder")
    await leader.get_by_role("link", name="Arbejdsulykke", exact=False).first.click()
    await leader.get_by_role("heading", name="Frister").wait_for()
    assert await leader.get_by_text("Anmeldelse i EASY").count() == 1
    await check_accessibility(leader, "35-haendelse-leder")
    # The leader follows up: causes and the learning point, then the review shows as done.
    await leader.get_by_label("Årsager").fill("Vådt gulv efter rengøring uden skiltning.")
    await leader.get_by_label("Læringspunkt").fill("Skilte ved rengøring; rengøring uden for spisetider.")
    await leader.get_by_role("button", name="Gem gennemgang").click()
    await leader.get_by_text("Skilte ved rengøring").first.wait_for()
    await check_accessibility(leader, "35b-haendelse-gennemgaaet")
    # Absence from the day of injury itself is refused at the field, in words (its step opened first).
    await leader.locator("details#absence > summary").click()
    await leader.get_by_label("Første fraværsdag").fill(local_today().isoformat())
    await leader.get_by_label("Stadig fraværende", exact=True).check()
    await leader.get_by_role("button", name="Registrér fravær").click()
    await leader.get_by_text("Fraværet regnes fra dagen efter hændelsen").first.wait_for()
    await check_accessibility(leader, "35c-fravaer-afvist")
    await leader_context.close()

    amr_context = await browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    amr = await amr_context.new_page()
    await log_in(amr, server_url, World.AMR)
    await amr.goto(f"{server_url}/arbejdsmiljoe/opfoelgning")
    assert await amr.get_by_text("Søren Ståbi").count() == 0
    await check_accessibility(amr, "36-opfoelgning-amr")
    await amr_context.close()


async def test_the_monthly_list_of_force_on_children_at_phone_and_desktop(server_url, phone, desktop, world):
    from datetime import datetime, time

    from hr.settings import TIMEZONE
    from hr.workenv.force_month import previous_month
    from tests.workenv.test_force_children import child_incident

    month = previous_month()
    occurred = datetime.combine(month.replace(day=14), time(16, 5), TIMEZONE)
    await child_incident(world, occurred, pseudonym="UNG-7", form_reference="BLANKET-2211",
                         form_registered_on=month.replace(day=14), forwarded_municipality_on=month.replace(day=15))
    for context, name in ((phone, "phone"), (desktop, "desktop")):
        page = await context.new_page()
        await log_in(page, server_url, World.HR)
        await page.goto(f"{server_url}/arbejdsmiljoe/magtanvendelser/maaned?institution={world.inst_a}"
                        f"&maaned={month:%Y-%m}")
        await page.get_by_text("UNG-7").wait_for()
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await check_accessibility(page, f"37-magtanvendelser-boern-{name}")
    await page.get_by_role("button", name="Registrér som indberettet").click()
    await page.get_by_text("er registreret som indberettet til socialtilsynet").wait_for()
    await check_accessibility(page, "37b-magtanvendelser-indberettet")


async def test_apv_orders_and_discussions_read_well_at_phone_and_desktop(server_url, phone, desktop, world):
    from hr.workenv.tables import OrderDocument
    from tests.workenv.test_order_documents import PDF, an_order

    order_id = await an_order(world)
    await OrderDocument.insert(OrderDocument(order=order_id, filename="Påbud AT-2026-0042.pdf",
                                             content_type="application/pdf", size=len(PDF), data=PDF)).run()
    for context, name in ((phone, "phone"), (desktop, "desktop")):
        page = await context.new_page()
        await log_in(page, server_url, World.LEADER)
        await page.goto(f"{server_url}/arbejdsmiljoe/apv")
        await page.get_by_role("heading", name="Arbejdet er ændret").wait_for()
        await page.get_by_role("button", name="Registrér ændringen").click()
        await page.get_by_text("Beskriv hvad der er ændret i arbejdet").first.wait_for()
        await check_accessibility(page, f"38-apv-aendret-fejl-{name}")
        await page.goto(f"{server_url}/arbejdsmiljoe/paabud/{order_id}")
        await page.get_by_role("link", name="Påbud AT-2026-0042.pdf").wait_for()
        await check_accessibility(page, f"39-paabud-dokumenter-{name}")
        await page.goto(f"{server_url}/arbejdsmiljoe/droeftelser")
        await page.get_by_text("Ingen drøftelse registreret for").wait_for()
        await check_accessibility(page, f"40-droeftelser-{name}")
        for path in ("/arbejdsmiljoe/apv", f"/arbejdsmiljoe/paabud/{order_id}", "/arbejdsmiljoe/droeftelser"):
            await page.goto(f"{server_url}{path}")
            assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (path, name)


async def test_the_easy_sheet_at_phone_and_desktop(server_url, phone, desktop, world):
    from tests.workenv.test_easy import an_accident

    incident_id = await an_accident(world, injured_employee=world.staff_employee, deviation_code="83")
    for context, name in ((phone, "phone"), (desktop, "desktop")):
        page = await context.new_page()
        await log_in(page, server_url, World.LEADER)
        await page.goto(f"{server_url}/arbejdsmiljoe/haendelser/{incident_id}/easy")
        await page.get_by_role("heading", name="Tilskadekomne").wait_for()
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await check_accessibility(page, f"41-easy-{name}")
        await page.goto(f"{server_url}/arbejdsmiljoe/haendelser/{incident_id}#easy")
        await page.get_by_label("Skadet legemsdel").fill("62")
        await page.get_by_role("button", name="Gem oplysningerne").click()
        await page.get_by_text("Oplysningerne til EASY er gemt.").wait_for()
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await check_accessibility(page, f"42-easy-oplysninger-{name}")
