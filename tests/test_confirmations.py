"""After every action a Danish confirmation, shown once after the redirect (post/redirect/get):
a reload never repeats the action, and the address of a form's action opened again leads back to
its page instead of a 405."""

from hr import flash
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form
from tests.workenv.test_reporting import new_draft


async def test_a_saved_draft_is_confirmed_once_with_the_next_step(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    saved = await post_form(client, f"/arbejdsmiljoe/haendelser/{incident_id}/rediger",
                            {"action": "save", "description": "Halvt skrevet"})
    assert saved.status_code == 302 and saved.headers["location"].endswith(f"/haendelser/{incident_id}/rediger")
    shown = await confirmed(client, saved, "Kladden er gemt.")
    assert 'href="/">Til forsiden</a>' in shown
    again = await client.get(saved.headers["location"])  # a reload: the message is gone, nothing repeated
    assert "Kladden er gemt." not in again.text and "Halvt skrevet" in again.text


async def test_only_our_own_pages_are_offered_as_the_next_step(client, world):
    response = flash.done("/", "Gemt.", "https://evil.example/", "Videre")
    cookie = response.cookies[0]
    client.cookies.set(flash.COOKIE, cookie.value)
    await login(client, World.STAFF)
    page = (await client.get("/")).text
    assert "Gemt." in page and "evil.example" not in page


async def test_the_address_of_a_form_opened_again_leads_to_its_page(client, world):
    await login(client, World.HR)
    answer = await client.get("/admin/paamindelser/typer")
    assert answer.status_code == 302 and answer.headers["location"] == "/admin/paamindelser"
    wrong = await client.put("/admin/paamindelser", headers={"x-csrftoken": client.cookies.get("csrftoken", "")})
    assert wrong.status_code in (403, 405) and "Method Not Allowed" not in wrong.text


async def test_an_error_summary_can_take_focus(client, world):
    await login(client, World.HR)
    bad = await post_form(client, "/admin/brugere", {"name": "", "email": "x"}, token_from="/admin/brugere")
    assert 'class="alert alert-error app-error-summary" role="alert" tabindex="-1"' in bad.text


def test_the_confirmation_check_knows_every_form_and_its_exceptions_are_real_forms():
    from tests.confirmations import ANSWERED_BY_THEMSELVES, state_changing_routes, unconfirmed

    routes = state_changing_routes()
    assert set(ANSWERED_BY_THEMSELVES) <= set(routes)
    cancel = routes["POST /supervision/bookinger/{booking_id:int}/aflys"]
    assert not any(name.startswith("POST /api") for name in routes)
    assert cancel.fullmatch("POST /supervision/bookinger/17/aflys")
    assert not cancel.fullmatch("POST /supervision/bookinger/x/aflys")
    assert set(unconfirmed()).isdisjoint(ANSWERED_BY_THEMSELVES)
