"""The audit log reads in Danish: what was done, to what, and the details; every action and kind
of record the code writes has a Danish name."""

import re

from hr.audit.labels import ACTIONS, ENTITIES, detail_text
from hr.settings import PROJECT_ROOT
from tests.conftest import World, login, post_form


def test_every_action_and_record_kind_the_code_writes_has_a_danish_name():
    source = "\n".join(p.read_text() for p in (PROJECT_ROOT / "hr").rglob("*.py"))
    written = set(re.findall(r'audit\.record\([^,]+,\s*"([a-z_]+)",\s*"([a-z_]+)"', source))
    assert len(written) > 50
    assert {a for a, _ in written} - ACTIONS.keys() == set()
    assert {e for _, e in written} - ENTITIES.keys() == set()


def test_details_are_shown_as_danish_words():
    assert detail_text('{"method": "arbejdskonto", "source": "organisation", "enabled": false}') == \
        "måde: arbejdskonto; kilde: lønsystemet; slået til: nej"
    assert detail_text("fri tekst") == "fri tekst"
    # Nothing stored is said in words, never as the code word "None".
    assert detail_text('{"institution": null, "participants": [], "added": [3, null]}') == \
        "tilbud: ingen; deltagere: ingen; tilføjet: 3, ingen"


async def test_the_audit_page_says_what_happened_in_danish(client, world):
    await login(client, World.HR)
    await post_form(client, "/admin/paamindelser/typer", {"kind": "supervision.booking_soon", "enabled": "0"})
    page = (await client.get("/admin/revisionslog")).text
    assert "Slået til/fra" in page and "Type påmindelse" in page and "slået til: nej" in page
    assert "Logget ind" in page
