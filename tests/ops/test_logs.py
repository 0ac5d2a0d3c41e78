"""Structured logs (issue 18): one JSON line per request with its request id, route template,
status, duration and account id and nothing of the person or the form; the same id in the
answer's header and on the error page. And the metrics summed across two workers."""

import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import World, free_port, login, post_form


async def test_each_request_logs_its_route_status_and_account_and_the_error_page_names_the_id(
        client, world, caplog):
    await login(client, World.LEADER)
    with caplog.at_level(logging.INFO, logger="hr.access"):
        page = await client.get(f"/medarbejdere/{world.staff_employee}")
        missing = await client.get("/arbejdsmiljoe/haendelser/987654")
        await post_form(client, "/arbejdsmiljoe/haendelser", {"kind": "violence"}, token_from="/arbejdsmiljoe")
    lines = [r for r in caplog.records if r.name == "hr.access"]
    first = next(r for r in lines if r.route == "/medarbejdere/{employee_id}")
    assert first.status == 200 and first.method == "GET" and first.account_id == world.accounts["leader"]
    assert first.duration_ms >= 0 and page.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", page.headers["x-request-id"])
    request_id = missing.headers["x-request-id"]
    assert missing.status_code == 404 and f"Oplys referencen {request_id}" in missing.text
    # Nothing of the path's values, the query or the form reaches the line.
    text = " ".join(r.getMessage() + str(r.__dict__) for r in lines)
    assert str(world.staff_employee) not in text.replace(str(world.accounts["leader"]), "")
    assert "987654" not in text and "violence" not in text


async def test_a_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(client):
    kept = await client.get("/health/live", headers={"X-Request-ID": "lb-2f9c1e7a-0001"})
    assert kept.headers["x-request-id"] == "lb-2f9c1e7a-0001"
    odd = await client.get("/health/live", headers={"X-Request-ID": "x\" injected=1"})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["x-request-id"])


async def test_two_workers_write_json_lines_and_their_metrics_are_summed(world):
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "HR_SCHEDULER": "off", "HR_LOG_FORMAT": "json", "PROMETHEUS_MULTIPROC_DIR": folder}
        server = subprocess.Popen([sys.executable, "-m", "hr.cli", "serve", "--port", str(port), "--workers", "2"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            for _ in range(200):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            # Fresh connections, so both workers take some of them.
            for _ in range(30):
                assert httpx.get(f"http://127.0.0.1:{port}/tilgaengelighed", timeout=5).status_code == 200
            totals = set()
            for _ in range(4):
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
                for family in text_string_to_metric_families(text):
                    for sample in family.samples:
                        if sample.name == "hr_http_requests_total" and sample.labels["route"] == "/tilgaengelighed":
                            totals.add(sample.value)
            assert totals == {30.0}  # the same sum whichever worker answers the scrape
        finally:
            server.terminate()
            output = server.communicate(timeout=20)[0].decode()
    entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests = [e for e in entries if e.get("logger") == "hr.access" and e.get("route") == "/tilgaengelighed"]
    assert len(requests) == 30
    assert all(re.fullmatch(r"[0-9a-f]{32}", e["request_id"]) and e["status"] == 200 and e["method"] == "GET"
               and e["duration_ms"] >= 0 and e["account_id"] is None and e["level"] == "info" for e in requests)
    assert any(e.get("logger", "").startswith("uvicorn") for e in entries)  # uvicorn's own lines are JSON too
    assert not [line for line in output.splitlines() if line.strip() and not line.startswith("{")], output[-2000:]
