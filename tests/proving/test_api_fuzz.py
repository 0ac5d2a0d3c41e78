"""Schemathesis generates requests from the service's own OpenAPI document and sends them to the
real server process: no 5xx, every status code is one the operation declares and every response
matches its schema, on a bounded budget. The API is read-only, so no request may leave a record
behind: every table is counted before and after."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hr.auth.services import API_SCOPES, create_api_token, load_principal
from tests.browser.conftest import server_url  # noqa: F401  (fixture: uvicorn on the test database)

pytestmark = pytest.mark.browser  # shares the real server process with the browser tests

CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance", "content_type_conformance")
EXAMPLES = 20  # per operation: a bounded budget for CI
REPORTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "schemathesis"


async def _row_counts() -> dict[str, int]:
    from piccolo.conf.apps import Finder

    return {t._meta.tablename: await t.count().run() for t in Finder().get_table_classes()
            if t._meta.tablename not in ("auth_api_token", "audit_event")}


async def test_the_api_survives_generated_requests(server_url, world):  # noqa: F811
    hr = await load_principal(world.accounts["hr"])
    _, token = await create_api_token(hr, world.accounts["hr"], "fuzz", sorted(API_SCOPES))
    before = await _row_counts()
    command = [str(Path(sys.executable).with_name("schemathesis")), "run", f"{server_url}/api/v1/schema/openapi.json",
               "-H", f"Authorization: Bearer {token}", "--max-examples", str(EXAMPLES), "--seed", "20261127",
               "--checks", ",".join(CHECKS),
               "--phases", "examples,coverage,fuzzing", "--no-color",
               "--report", "junit", "--report-dir", str(REPORTS)]
    result = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=600,
                                     env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert await _row_counts() == before, "a request left a record behind"
