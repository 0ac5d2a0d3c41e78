"""Friendly error pages, security headers and public pages."""

from tests.conftest import World, login


async def test_an_unknown_page_gives_a_friendly_danish_404(client, world):
    await login(client, World.STAFF)
    response = await client.get("/findes-ikke")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.text
    assert '<html lang="da">' in response.text


async def test_a_forbidden_page_gives_a_friendly_danish_403(client, world):
    await login(client, World.STAFF)
    response = await client.get("/admin/revisionslog")
    assert response.status_code == 403
    assert "Ingen adgang" in response.text


async def test_an_unknown_record_gives_404(client, world):
    await login(client, World.HR)
    assert (await client.get("/medarbejdere/999999")).status_code == 404
    assert (await client.get("/organisation/tilbud/999999")).status_code == 404
    assert (await client.get("/medarbejdere/abc")).status_code in (400, 404)


async def test_pages_send_security_headers(client, world):
    response = await client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers


async def test_navigation_follows_the_role(client, new_client, world):
    await login(client, World.STAFF)
    staff_page = (await client.get("/")).text
    assert 'href="/medarbejdere"' not in staff_page
    hr = new_client()
    await login(hr, World.HR)
    hr_page = (await hr.get("/")).text
    for href in ("/organisation", "/admin/brugere", "/ledelsesinformation"):
        assert f'href="{href}"' in hr_page
    # A section's pages appear in its own menu.
    organisation = (await hr.get("/organisation")).text
    assert 'aria-label="Undermenu: Organisation"' in organisation
    for href in ("/medarbejdere", "/admin/import", "/admin/metoder"):
        assert f'href="{href}"' in organisation


async def test_every_page_links_the_accessibility_statement(client, world):
    assert 'href="/tilgaengelighed"' in (await client.get("/login")).text
    assert "WCAG 2.1" in (await client.get("/tilgaengelighed")).text


async def test_the_audit_log_page_filters(client, world):
    await login(client, World.LEADER)
    await client.get(f"/medarbejdere/{world.staff_employee}")
    hr_client = client
    await hr_client.post("/logout", data={"_csrf_token": hr_client.cookies.get("csrftoken")})
    await login(hr_client, World.HR)
    page = await hr_client.get("/admin/revisionslog?entity=employee")
    assert World.LEADER in page.text
    assert "1 hændelse." in page.text
    none = await hr_client.get("/admin/revisionslog?actor=nobody&fra=2020-01-01&til=ugyldig")
    assert "0 hændelser." in none.text


async def test_an_unexpected_error_gives_a_friendly_500_page_and_json_for_the_api():
    """The app's own exception handlers and templates, on a route that fails on purpose."""
    import httpx
    from litestar import Litestar, get
    from litestar.plugins.jinja import JinjaTemplateEngine
    from litestar.template.config import TemplateConfig

    from hr.settings import PROJECT_ROOT
    from hr.web import EXCEPTION_HANDLERS, register_template_helpers

    @get("/boom")
    async def boom() -> None:
        raise RuntimeError("kaput")

    @get("/api/v1/boom")
    async def api_boom() -> None:
        raise RuntimeError("kaput")

    app = Litestar([boom, api_boom], exception_handlers=EXCEPTION_HANDLERS,
                   template_config=TemplateConfig(directory=PROJECT_ROOT / "templates",
                                                  engine=JinjaTemplateEngine,
                                                  engine_callback=register_template_helpers))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        page = await c.get("/boom")
        assert page.status_code == 500
        assert "Der skete en fejl" in page.text
        assert "kaput" not in page.text
        api = await c.get("/api/v1/boom")
        assert api.status_code == 500
        assert api.json()["status_code"] == 500


async def test_the_api_documentation_page_is_danish_and_fetches_nothing_from_elsewhere(client):
    page = await client.get("/api/v1/schema/")
    assert page.status_code == 200 and '<html lang="da">' in page.text
    assert "https://" not in page.text and "<script" not in page.text
    # Ours, from the OpenAPI document: each operation with its parameters and answers, in Danish.
    assert "<code>GET /api/v1/employees/{employee_id}</code>" in page.text and "Én medarbejder" in page.text
    assert "Parametre" in page.text and "i adressen" in page.text and "Svaret følger" in page.text
    assert "Request fulfilled" not in page.text and 'id="skema-EmployeeOut"' in page.text
    # RapiDoc stays to try calls: told not to fetch Google's fonts, its English header and search left out.
    rapidoc = await client.get("/api/v1/schema/proev")
    assert rapidoc.status_code == 200 and 'text-color="#1a1a1a"' in rapidoc.text
    assert 'load-fonts="false"' in rapidoc.text and 'show-header="false"' in rapidoc.text
    assert "cdn.jsdelivr.net" not in rapidoc.text


async def test_a_wrong_method_gets_a_danish_page(client, world):
    await login(client, World.HR)
    wrong = await client.delete("/admin/brugere", headers={"x-csrftoken": client.cookies.get("csrftoken", "")})
    assert wrong.status_code == 405 and "Det kan man ikke her" in wrong.text
