"""Text answers name their character set once: CSV exports, the calendar feed and /metrics sent
`charset=utf-8; charset=utf-8`, which strict clients (and some proxies) refuse."""

from hr.auth.services import load_principal
from hr.supervision import agenda
from tests.conftest import World, login


async def test_each_text_answer_names_its_charset_once(client, world):
    await login(client, World.HR)
    export = await client.get("/arbejdsmiljoe/analyse/eksport?format=csv")
    token = await agenda.new_feed(await load_principal(world.accounts["staff"]))
    feed = await client.get(f"/supervision/feed/{token}.ics?token={token}")
    scrape = await client.get("/metrics")
    for response, kind in ((export, "text/csv"), (feed, "text/calendar"), (scrape, "text/plain; version=0.0.4")):
        assert response.status_code == 200, (kind, response.status_code)
        assert response.headers["content-type"] == f"{kind}; charset=utf-8"
