"""What the edge answers, whatever arrives: security headers on every answer (the router's own 404
and 405 included), 400 for control characters in a path or query, a form endpoint that refuses a
body which is not a form, error answers declared in the OpenAPI document, and an access log
with the calendar-feed secret masked."""

import os
import subprocess
import sys
import time

import httpx
import pytest

from hr.auth.services import load_principal
from hr.supervision import agenda
from hr.workenv.tables import Incident
from tests.conftest import World, free_port, login, post_form

HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")


async def test_every_answer_carries_the_security_headers(client, world):
    answers = {
        "unknown path": await client.get("/findes/ikke"),
        "wrong method": await client.delete("/login"),
        "login page": await client.get("/login"),
        "static file": await client.get("/static/app/app.css"),
        "api without key": await client.get("/api/v1/me"),
        "control character": await client.get("/login?next=%00"),
    }
    for name, response in answers.items():
        missing = [h for h in HEADERS if h not in response.headers]
        assert not missing, (name, response.status_code, missing)
    assert answers["unknown path"].status_code == 404 and answers["wrong method"].status_code == 405


@pytest.mark.parametrize("url", ["/medarbejdere?q=%00", "/arbejdsmiljoe/haendelser?type=a%00b",
                                 "/supervision/feed/abc%00def", "/api/v1/employees?q=%01", "/login%00"])
async def test_control_characters_in_a_path_or_query_are_refused_not_a_server_error(client, world, url):
    await login(client, World.HR)
    response = await client.get(url)
    assert response.status_code in (400, 404), (url, response.status_code)


async def test_a_json_body_posted_to_the_draft_form_changes_nothing(client, world):
    await login(client, World.STAFF)
    created = await post_form(client, "/arbejdsmiljoe/haendelser", token_from="/arbejdsmiljoe")
    incident_id = int(created.headers["location"].split("/")[-2])
    await post_form(client, f"/arbejdsmiljoe/haendelser/{incident_id}/kladde",
                    {"kind": "near_miss", "description": "Det vigtige, der ikke må forsvinde"})
    response = await client.post(f"/arbejdsmiljoe/haendelser/{incident_id}/kladde", json={"description": ""},
                                 headers={"x-csrftoken": client.cookies.get("csrftoken")})
    assert response.status_code == 400
    row = await Incident.select(Incident.description, Incident.kind).where(Incident.id == incident_id).first().run()
    assert row == {"description": "Det vigtige, der ikke må forsvinde", "kind": "near_miss"}


async def test_the_openapi_document_declares_each_operations_error_answers(client):
    document = (await client.get("/api/v1/schema/openapi.json")).json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"200", "401", "403"} <= codes, (method, path, codes)
            if "{" in path:
                assert "404" in codes, (method, path, codes)


async def test_the_access_log_never_holds_the_calendar_feed_secret(world):
    token = await agenda.new_feed(await load_principal(world.accounts["staff"]))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "hr.app:create_app", "--factory", "--port", str(port),
         "--log-level", "info"], env={**os.environ}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        feed = httpx.get(f"http://127.0.0.1:{port}/supervision/feed/{token}.ics?token={token}", timeout=10)
        assert feed.status_code == 200 and "BEGIN:VCALENDAR" in feed.text
    finally:
        server.terminate()
        output = server.communicate(timeout=15)[0].decode()
    assert "/supervision/feed/***" in output, output[-2000:]
    assert token not in output


async def test_filter_dates_at_the_calendars_ends_give_pages_not_errors(client, world):
    await login(client, World.HR)
    for url in ("/arbejdsmiljoe/analyse?fra=0001-01&til=9999-12", "/ledelsesinformation?maaned=9999-12",
                "/arbejdsmiljoe/analyse/eksport?fra=9999-01&format=csv",
                "/admin/revisionslog?fra=0001-01-01&til=9999-12-31"):
        response = await client.get(url)
        assert response.status_code in (200, 400), (url, response.status_code)


@pytest.mark.parametrize("path, data", [
    ("/organisation/tilbud/ny", {"code": "CPR1", "name": "Bo 0101\u200b90-1234", "kind": "Botilbud", "places": "4"}),
    ("/kompetence/moduler", {"code": "CPR-1", "title": "Modul", "ects": "10", "description": "O1O19O 1234"}),
    ("/supervision/supervisorer", {"name": "Sif", "organisation": "01.01.90-12 34".replace("12 34", "1234")}),
])
async def test_a_cpr_number_in_a_name_title_or_description_is_refused_and_nothing_is_stored(client, world, path,
                                                                                          data):
    from tests.proving.test_form_fuzz import _fingerprint

    await login(client, World.HR)
    before = await _fingerprint()
    response = await post_form(client, path, data, token_from=path if path != "/organisation/tilbud/ny" else "/")
    assert response.status_code == 400 and "CPR-nummer" in response.text, (path, response.status_code)
    assert await _fingerprint() == before
