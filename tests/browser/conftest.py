"""A real server process and Debian's chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

CHROMIUM = os.environ.get("HR_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "hr" / "static" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SERVER_LOGS = Path(__file__).resolve().parents[2] / "test-artifacts" / "server-logs"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# The servers running now, by port, with their extra settings: a restore stops them for its
# duration and starts them again where they were (servers_stopped).
RUNNING: dict[int, tuple[subprocess.Popen, dict[str, str]]] = {}


def start_server(port: int | None = None, **env_extra: str) -> tuple[str, subprocess.Popen]:
    """The service in its own process (uvicorn), on the test database."""
    port = port or free_port()
    # Its log (a JSON line per request) goes to a file: a pipe nobody reads fills up and stops
    # the server mid-run.
    SERVER_LOGS.mkdir(parents=True, exist_ok=True)
    log_file = (SERVER_LOGS / f"server-{port}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "hr.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env={**os.environ, **env_extra}, stdout=log_file, stderr=subprocess.STDOUT,
    )
    log_file.close()  # the child holds its own handle
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                RUNNING[port] = (proc, env_extra)
                return url, proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"server did not start: {(SERVER_LOGS / f'server-{port}.log').read_text()[:2000]}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=10)
    for port in [port for port, (running, _) in RUNNING.items() if running is proc]:
        del RUNNING[port]


@contextmanager
def servers_stopped() -> Iterator[None]:
    """No server on the test database for the duration (the service stopped, as a restore asks),
    then each started again on its port: the tests after still find it at its address."""
    stopped = [(port, extra) for port, (_, extra) in RUNNING.items()]
    for proc, _ in list(RUNNING.values()):
        stop_server(proc)
    try:
        yield
    finally:
        for port, extra in stopped:
            start_server(port, **extra)


@pytest.fixture(scope="session")
def server_url(database):
    url, _ = start_server()
    yield url
    port = int(url.rsplit(":", 1)[1])
    if port in RUNNING:
        stop_server(RUNNING[port][0])


@pytest.fixture(scope="session")
async def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is required at {CHROMIUM} (make test installs it)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        await browser.close()


@pytest.fixture
async def phone(browser):
    context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                        has_touch=True, locale="da-DK", bypass_csp=True)
    yield context
    await context.close()


@pytest.fixture
async def desktop(browser):
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK",
                                        bypass_csp=True)
    yield context
    await context.close()


async def check_accessibility(page, name: str) -> None:
    """axe-core with the WCAG 2.1 A/AA rules; zero violations allowed. Saves a screenshot.
    (bypass_csp lets the test inject axe; the app itself serves no inline script.)"""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    violations = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"]
    ]
    assert not violations, f"{name}: " + json.dumps(violations, indent=1, ensure_ascii=False)
