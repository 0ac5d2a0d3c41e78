"""A session that ends while a report is written: the report waits, the login page says so, and
the login leads back to the draft saying it is not yet sent. Parts of a page (the autosave)
hear that the session ended in words, not as a login page poured into the form."""

from urllib.parse import quote

from hr.auth.tables import Session
from tests.conftest import PASSWORD, World, login, post_form
from tests.workenv.test_reporting import new_draft, report


async def test_the_report_waits_through_a_login_and_says_it_is_not_yet_sent(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    draft = f"/arbejdsmiljoe/haendelser/{incident_id}/rediger"
    await Session.delete(force=True).run()  # the session ends on the server

    sent = await post_form(client, draft, {**report(world), "action": "submit"}, token_from=draft)
    assert sent.status_code == 302
    assert sent.headers["location"] == f"/login?next={quote(draft + '?igen=1', safe='')}"
    login_page = (await client.get(sent.headers["location"])).text
    assert "Din indberetning er ikke sendt endnu" in login_page
    assert "Din indberetning er ikke sendt endnu" not in (await client.get("/login?next=/kompetence")).text

    back = await post_form(client, "/login", {"email": World.STAFF, "password": PASSWORD,
                                              "next": draft + "?igen=1"})
    assert back.headers["location"] == draft + "?igen=1"
    form = (await client.get(back.headers["location"])).text
    assert "Indberetningen er ikke sendt endnu" in form and "data-restore-all" in form
    assert "Indberetningen er ikke sendt endnu" not in (await client.get(draft)).text  # only after a login


async def test_the_autosave_says_the_session_ended_instead_of_showing_the_login_page(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    draft = f"/arbejdsmiljoe/haendelser/{incident_id}/rediger"
    await Session.delete(force=True).run()
    answer = await post_form(client, f"/arbejdsmiljoe/haendelser/{incident_id}/kladde", report(world),
                             token_from=draft)
    assert answer.status_code == 302  # a plain request is sent to the login page
    client.headers.update({"HX-Request": "true", "HX-Current-URL": f"http://testserver{draft}"})
    fragment = await post_form(client, f"/arbejdsmiljoe/haendelser/{incident_id}/kladde", report(world))
    assert fragment.status_code == 401 and "<html" not in fragment.text
    assert "Du er blevet logget ud." in fragment.text and "indberetningen er ikke sendt" in fragment.text
    assert f'href="/login?next={quote(draft + "?igen=1", safe="")}"' in fragment.text.replace("&amp;", "&")
    # Elsewhere (a search) it says only that, and leads back to that page.
    client.headers.update({"HX-Current-URL": "http://testserver/supervision/bookinger/ny"})
    search = await client.get("/supervision/bookinger/deltagere", params={"q": "x"})
    assert search.status_code == 401 and "ikke sendt" not in search.text
    assert 'href="/login?next=%2Fsupervision%2Fbookinger%2Fny"' in search.text
