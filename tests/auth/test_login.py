from hr.auth.tables import LoginAttempt, Session
from tests.conftest import PASSWORD, World, csrf_token, login, post_form


async def test_it_logs_in_and_shows_the_dashboard(client, world):
    response = await login(client, World.STAFF)
    assert response.headers["location"] == "/"
    page = await client.get("/")
    assert page.status_code == 200
    assert "Søren Ståbi" in page.text
    assert "Afdeling A1" in page.text


async def test_it_sets_a_httponly_samesite_session_cookie(client, world):
    response = await login(client, World.STAFF)
    cookie = next(v for k, v in response.headers.multi_items()
                  if k == "set-cookie" and v.startswith("hr_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie


async def test_it_rotates_the_session_at_each_login(client, new_client, world):
    first = (await login(client, World.STAFF)).cookies["hr_session"]
    other = new_client()
    second = (await login(other, World.STAFF)).cookies["hr_session"]
    assert first != second
    assert await Session.count().run() == 2


async def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(client, world):
    response = await post_form(client, "/login", {"email": World.STAFF, "password": "forkert-123"})
    assert response.status_code == 400
    assert "Forkert e-mail eller adgangskode" in response.text
    unknown = await post_form(client, "/login", {"email": "ukendt@test.example", "password": "forkert-123"})
    assert "Forkert e-mail eller adgangskode" in unknown.text
    assert (await client.get("/", follow_redirects=False)).status_code == 302


async def test_it_shows_field_errors_for_an_empty_form(client, world):
    response = await post_form(client, "/login", {"email": "", "password": ""})
    assert response.status_code == 400
    assert "Skriv din e-mailadresse" in response.text
    assert "Skriv din adgangskode" in response.text
    assert 'aria-invalid="true"' in response.text


async def test_it_logs_out_and_the_session_stops_working(client, world):
    await login(client, World.STAFF)
    token = await csrf_token(client, "/")
    response = await client.post("/logout", data={"_csrf_token": token})
    assert response.status_code == 302
    assert await Session.count().run() == 0
    assert (await client.get("/", follow_redirects=False)).headers["location"].startswith("/login")


async def test_it_throttles_after_five_failures_even_with_the_right_password(client, world):
    for _ in range(5):
        await post_form(client, "/login", {"email": World.STAFF, "password": "forkert-123"})
    response = await post_form(client, "/login", {"email": World.STAFF, "password": PASSWORD})
    assert response.status_code == 429
    assert "For mange forkerte forsøg fra denne enhed" in response.text and "Glemt adgangskode" in response.text
    assert await Session.count().run() == 0
    assert await LoginAttempt.count().where(LoginAttempt.success.eq(False)).run() == 5


async def test_throttling_of_one_account_leaves_others_alone(client, world):
    for _ in range(5):
        await post_form(client, "/login", {"email": World.STAFF, "password": "forkert-123"})
    await login(client, World.LEADER)


async def test_it_rejects_a_form_post_without_csrf_token(client, world):
    await client.get("/login")
    response = await client.post("/login", data={"email": World.STAFF, "password": PASSWORD})
    assert response.status_code == 403
    assert await Session.count().run() == 0


async def test_it_rejects_a_form_post_with_a_forged_csrf_token(client, world):
    await client.get("/login")
    response = await client.post("/login", data={"email": World.STAFF, "password": PASSWORD,
                                                 "_csrf_token": "0" * 64})
    assert response.status_code == 403


async def test_it_only_redirects_to_local_paths_after_login(client, world):
    response = await post_form(client, "/login", {"email": World.STAFF, "password": PASSWORD,
                                                  "next": "//evil.example/x"})
    assert response.headers["location"] == "/"
    await client.post("/logout", data={"_csrf_token": await csrf_token(client, "/")})
    response = await post_form(client, "/login", {"email": World.STAFF, "password": PASSWORD,
                                                  "next": "/profil"})
    assert response.headers["location"] == "/profil"


async def test_it_sends_an_anonymous_visitor_to_login_and_back(client, world):
    response = await client.get("/medarbejdere?q=x", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=%2Fmedarbejdere%3Fq%3Dx"


async def test_an_expired_session_is_not_accepted(client, world):
    from datetime import timedelta

    from hr.db import now

    await login(client, World.STAFF)
    await Session.update({Session.expires_at: now() - timedelta(seconds=1)}, force=True).run()
    assert (await client.get("/", follow_redirects=False)).status_code == 302
