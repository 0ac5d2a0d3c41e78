"""HR's front page: HR's own duties listed, the leaders' duties as a table per institution whose
every count opens the list filtered to exactly what was counted (one count, one meaning)."""

import html
import re
from datetime import timedelta

from hr.db import now
from hr.forms import local_today
from hr.notify.tables import OutboxMessage
from hr.workenv.tables import ActionItem
from tests.conftest import World, login
from tests.test_duties import _incident, _past_session_without_attendance


def _cells(page: str) -> list[tuple[str, int]]:
    table = page[page.index('class="table table--zebra table--compact app-region-table"'):]
    table = table[:table.index("</table>")]
    return [(html.unescape(href), int(count)) for href, count in re.findall(r'<a href="([^"]+)"[^>]*>(\d+)</a>', table)]


def _listed(page: str) -> int:
    status = re.search(r'<p role="status">\s*([\d.]+)', page)
    assert status, page[:3000]
    return int(status.group(1).replace(".", ""))


async def test_each_count_on_hrs_front_page_opens_a_list_of_as_many(client, world):
    await _incident(world)
    await _incident(world, unit=world.unit_b1)
    await _past_session_without_attendance(world)
    today = local_today()
    for institution, unit, days in ((world.inst_a, world.unit_a1, -3), (world.inst_a, world.unit_a2, 5),
                                    (world.inst_b, world.unit_b1, -1)):
        await ActionItem.insert(ActionItem(source_type="incident", source_id=1, institution=institution, unit=unit,
                                           problem="Reparér døren", measure="m", owner=world.accounts["leader"],
                                           deadline=today + timedelta(days=days), effect_check="e")).run()
    # HR's own action, not late: on HR's own list, not counted as the leaders' late ones.
    await ActionItem.insert(ActionItem(source_type="incident", source_id=1, institution=world.inst_a,
                                       unit=world.unit_a1, problem="Opdatér beredskabsplanen", measure="m",
                                       owner=world.accounts["hr"], deadline=today + timedelta(days=9),
                                       effect_check="e")).run()
    await OutboxMessage.insert(OutboxMessage(to_address="x@example.org", subject="Booking", text_body="b",
                                             key="test-failed-1", kind="supervision.booked", status="failed",
                                             created_at=now() - timedelta(hours=3))).run()
    await login(client, World.HR)
    page = (await client.get("/")).text
    # HR's own duty first: the failed mail, with the way to send it again.
    assert "1 mail kunne ikke sendes" in page and 'href="/admin/post?status=failed"' in page
    assert "Reparér døren" not in page  # the leaders' actions are counted, not listed
    assert "Handling: Opdatér beredskabsplanen" in page
    cells = _cells(page)
    kinds = {href.split("?")[0] for href, _ in cells}
    assert {"/arbejdsmiljoe/opfoelgning", "/supervision/overblik", "/supervision/bookinger",
            "/arbejdsmiljoe/handlinger", "/arbejdsmiljoe/apv"} <= kinds, cells
    for href, count in cells:
        listing = await client.get(href)
        assert listing.status_code == 200, href
        if href.startswith("/arbejdsmiljoe/apv"):
            assert len(re.findall(r"<tr><td>", listing.text)) == count, href
        elif href.startswith("/arbejdsmiljoe/droeftelser?tilbud="):  # the one missing, ready to register
            institution = href.split("tilbud=")[1]
            assert count == 1 and f'<option value="{institution}" selected' in listing.text, href
        elif href.startswith("/arbejdsmiljoe/droeftelser"):  # the region's: the institutions named
            missing = re.search(r'<p class="alert-text">([^.]*)\.', listing.text).group(1)
            assert len(missing.split(", ")) == count, (missing, count)
        else:
            assert _listed(listing.text) == count, (href, count)
    late_actions = [count for href, count in cells if href.startswith("/arbejdsmiljoe/handlinger?tilbud")]
    assert sorted(late_actions) == [1, 1]  # the one due in five days is not late
    # The failed mail is sent again from the list the duty opens.
    failed = (await client.get("/admin/post?status=failed")).text
    message = (await OutboxMessage.select(OutboxMessage.id).first().run())["id"]
    assert f'action="/admin/post/{message}/send-igen"' in failed
