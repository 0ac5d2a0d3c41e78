"""API tokens: shown once, stored hashed, scoped, revocable; the API is scoped like the pages."""

import hashlib
import re

from hr.auth.tables import ApiToken
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form


async def create_token(client, name="Lønintegration") -> str:
    response = await post_form(client, "/admin/api-noegler", {"name": name, "scopes": "org:read"},
                               token_from="/admin/api-noegler")
    await confirmed(client, response, "Nøglen er oprettet", in_place=True)
    return re.search(r'<code class="app-token">(hrt_[^<]+)</code>', response.text).group(1)


async def test_hr_creates_a_token_that_is_shown_once_and_stored_hashed(client, world):
    await login(client, World.HR)
    token = await create_token(client)
    row = await ApiToken.select().first().run()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(row)
    listing = await client.get("/admin/api-noegler")
    assert token not in listing.text
    assert row["prefix"] in listing.text


async def test_a_token_reads_the_api_within_its_accounts_scope(client, new_client, world):
    await login(client, World.HR)
    token = await create_token(client)
    api = new_client()
    response = await api.get("/api/v1/employees?per_page=2", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 5 and len(body["items"]) == 2
    one = await api.get(f"/api/v1/employees/{world.staff_employee}", headers={"Authorization": f"Bearer {token}"})
    assert one.json()["employee_number"] == "901"


async def test_a_revoked_token_stops_working(client, new_client, world):
    await login(client, World.HR)
    token = await create_token(client)
    token_id = (await ApiToken.select(ApiToken.id).first().run())["id"]
    revoke = await post_form(client, f"/admin/api-noegler/{token_id}/tilbagekald", token_from="/admin/api-noegler")
    await confirmed(client, revoke, "Nøglen er tilbagekaldt")
    response = await new_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_the_token_form_shows_field_errors(client, world):
    await login(client, World.HR)
    response = await post_form(client, "/admin/api-noegler", {"name": ""}, token_from="/admin/api-noegler")
    assert response.status_code == 400
    assert "Giv nøglen et navn" in response.text
    assert "Vælg mindst ét adgangsområde" in response.text
    assert await ApiToken.count().run() == 0


async def test_bad_api_parameters_give_a_400_not_a_500(client, world):
    from hr.auth.services import create_api_token, load_principal

    hr = await load_principal(world.accounts["hr"])
    _, token = await create_api_token(hr, world.accounts["hr"], "t", ["org:read"])
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/employees?page=0", headers=headers)).status_code == 400
    assert (await client.get("/api/v1/employees?per_page=abc", headers=headers)).status_code == 400
    assert (await client.get("/api/v1/employees/999999", headers=headers)).status_code == 404


async def test_the_openapi_document_describes_bearer_auth(client, world):
    doc = (await client.get("/api/v1/schema/openapi.json")).json()
    assert doc["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    assert "/api/v1/employees" in doc["paths"]
    assert not any(p.startswith("/medarbejdere") for p in doc["paths"])
