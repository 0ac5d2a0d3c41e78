"""Every state-changing form answers with a Danish confirmation (issue 16), and every one of them
has a test that sees it: tests check a confirmation with `confirmed(...)`, which records the
route it came from; after a run of the whole suite the routes no test confirmed fail the run.

Registered as a plugin by tests/conftest.py."""

from __future__ import annotations

import html
import re

import httpx
import pytest

# Forms whose answer is itself the outcome, so they have no confirmation of their own.
ANSWERED_BY_THEMSELVES = {
    "POST /login": "signing in leads to the page that was asked for",
    "POST /arbejdsmiljoe/haendelser/{incident_id:int}/kladde": "autosave answers in place with the time saved",
    "POST /arbejdsmiljoe/haendelser": "starting a report opens its (empty) form",
}

SUCCESS_RE = re.compile(r'<div class="alert alert-success[^"]*" role="status"[^>]*>(.*?)</div>\s*</div>', re.S)
REPORT_RE = re.compile(r'<section[^>]*role="status"[^>]*>(.*?)</section>', re.S)  # an import's report
_SEEN: set[str] = set()


async def confirmed(client: httpx.AsyncClient, response: httpx.Response, message: str,
                    in_place: bool = False) -> str:
    """The action answered with a redirect to a page that says `message` (or, `in_place`, with a
    page that says it: an import's report, a new key shown once); that page is returned."""
    if in_place:
        assert response.status_code == 200, f"{response.status_code}: {response.text[:300]}"
        page = response.text
    else:
        assert response.status_code in (302, 303), f"{response.status_code}: {_errors(response.text)}"
        page = (await client.get(response.headers["location"])).text
    boxes = SUCCESS_RE.findall(page) + (REPORT_RE.findall(page) if in_place else [])
    shown = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", box)).split()) for box in boxes]
    assert any(message in box for box in shown), f"{message!r} not among the confirmations shown: {shown}"
    _SEEN.add(f"{response.request.method} {response.request.url.path}")
    return page


def _errors(page: str) -> str:
    """The field errors a refused form shows, for the failure message."""
    summary = re.search(r'app-error-summary.*?</div></div>', page, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", summary.group(0) if summary else page[:300])).split())


def state_changing_routes() -> dict[str, re.Pattern]:
    """Every form a person submits (POST outside the API), with a pattern for its addresses."""
    from hr.app import create_app

    routes = {}
    for route in create_app().routes:
        if route.path.startswith("/api") or route.path.startswith("/_"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if "POST" in handler.http_methods:
                pattern = re.sub(r"\{[^}:]+:int\}", r"\\d+", route.path)
                pattern = re.sub(r"\{[^}:]+:str\}", r"[^/]+", pattern)
                routes[f"POST {route.path}"] = re.compile(f"POST {pattern}")
    return routes


def unconfirmed() -> list[str]:
    routes = state_changing_routes()
    covered = {name for name, pattern in routes.items() for seen in _SEEN if pattern.fullmatch(seen)}
    return sorted(set(routes) - covered - set(ANSWERED_BY_THEMSELVES))


def _whole_suite(config: pytest.Config) -> bool:
    option = config.option
    return (config.args_source == pytest.Config.ArgsSource.TESTPATHS and not option.keyword
            and not option.markexpr and not getattr(option, "deselect", None) and not getattr(option, "lf", False)
            and not getattr(option, "failedfirst", False) and not option.collectonly)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if exitstatus != 0 or not _whole_suite(session.config):
        return
    missing = unconfirmed()
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line("Forms without a test that sees their confirmation (use tests.confirmations.confirmed):",
                            red=True)
        for name in missing:
            reporter.write_line(f"  {name}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
