"""Hostile input: ids no database can hold, absurd page numbers, oversized and odd text, markup,
a flood of new reports. The answer is a clear 4xx or an escaped page, never a 500 or a
half-written record."""

import re

import pytest

from hr.settings import get_settings
from hr.workenv.tables import Incident
from tests.auth.test_access_table import ACCESS
from tests.conftest import World, login, post_form

HUGE = 2**63 + 12345


@pytest.mark.parametrize("persona", ["hr", "leader"])
async def test_ids_beyond_any_database_range_are_not_found(client, world, persona):
    await login(client, world.personas[persona])
    failures = []
    for (method, path), _ in ACCESS.items():
        if method != "GET" or ":int}" not in path or path.startswith(("/static", "/api/")):  # API: fuzzed
            continue
        url = re.sub(r"\{[a-z_]+:int\}", str(HUGE), path)
        url = re.sub(r"\{[a-z_]+:str\}", "x", url)
        response = await client.get(url)
        if response.status_code not in (403, 404):  # 403: the route itself is not theirs
            failures.append(f"{url}: {response.status_code}")
    assert not failures, failures


async def test_absurd_query_values_give_pages_not_errors(client, world):
    await login(client, World.HR)
    for path in ("/arbejdsmiljoe/haendelser", "/supervision/overblik", "/kompetence", "/medarbejdere",
                 "/admin/post", "/admin/revisionslog"):
        for query in (f"?side={HUGE}", f"?tilbud={HUGE}&afdeling=-{HUGE}", "?side=-1&status=%00%27%22<x>",
                      "?type=" + "x" * 5000):
            response = await client.get(path + query)
            assert response.status_code in (200, 400), (path, query, response.status_code)
    api = await client.get(f"/api/v1/workenv/incidents?unit_id={HUGE}")
    assert api.status_code in (400, 401)


async def test_markup_and_control_characters_are_stored_as_text_and_shown_escaped(client, world):
    await login(client, World.STAFF)
    created = await post_form(client, "/arbejdsmiljoe/haendelser", token_from="/arbejdsmiljoe")
    draft = created.headers["location"]
    incident_id = int(draft.split("/")[-2])
    hostile = '<script>alert("x")</script>\x00 ' + "ø" * 20000
    await post_form(client, f"/arbejdsmiljoe/haendelser/{incident_id}/kladde",
                    {"kind": "near_miss", "description": hostile, "place_detail": "<img src=x onerror=alert(1)>"})
    page = await client.get(draft)
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    row = await Incident.select(Incident.description, Incident.place_detail).where(
        Incident.id == incident_id).first().run()
    assert "\x00" not in (row["description"] or "")


async def test_a_flood_of_new_reports_is_stopped(client, world):
    NEW_REPORTS_PER_HOUR = get_settings().reports_per_hour
    await login(client, World.STAFF)
    statuses = [(await post_form(client, "/arbejdsmiljoe/haendelser", token_from="/arbejdsmiljoe")).status_code
                for _ in range(NEW_REPORTS_PER_HOUR + 2)]
    assert statuses[:NEW_REPORTS_PER_HOUR] == [302] * NEW_REPORTS_PER_HOUR
    assert statuses[-1] == 429
    assert await Incident.count() == NEW_REPORTS_PER_HOUR


async def test_a_client_that_disconnects_mid_request_is_answered_without_an_error(app, caplog):
    """A phone that loses its signal while sending a form: the body stops arriving."""
    sent = []
    incoming = [{"type": "http.request", "body": b"email=staff%40test.example&pass", "more_body": True},
                {"type": "http.disconnect"}]

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/login", "raw_path": b"/login", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded"),
                         (b"content-length", b"200")],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "state": {}}
    with caplog.at_level("INFO", logger="hr"):
        await app(scope, receive, send)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 400
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert any("disconnected" in r.getMessage() for r in caplog.records)
