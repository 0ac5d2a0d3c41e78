"""Over HTTPS: HSTS, and a session cookie that is Secure, HttpOnly and SameSite; a new session
token at every login (no fixation)."""

from dataclasses import replace

import httpx

from hr.auth.middleware import SESSION_COOKIE, session_cookie
from hr.web import security_headers
from tests.conftest import World, login


def test_https_turns_on_hsts_and_plain_http_does_not():
    assert security_headers(secure=True)["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in security_headers(secure=False)
    assert "frame-ancestors 'none'" in security_headers(secure=True)["Content-Security-Policy"]


def test_the_session_cookie_is_secure_over_https():
    header = session_cookie("t", 3600, secure=True).to_header(header="")
    assert "Secure" in header and "HttpOnly" in header and "SameSite=lax" in header.replace("Lax", "lax")


async def test_every_login_gets_a_new_session_token(app, world):
    from hr.settings import get_settings

    assert replace(get_settings(), base_url="https://hr.example").secure_cookies
    tokens = []
    for _ in range(2):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await client.get("/login")
            client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker", domain="testserver.local")
            response = await login(client, World.STAFF)
            issued = [v.split(";")[0].split("=", 1)[1] for v in response.headers.get_list("set-cookie")
                      if v.startswith(f"{SESSION_COOKIE}=")]
            tokens.extend(issued)
    assert len(tokens) == 2 and "planted-by-an-attacker" not in tokens and tokens[0] != tokens[1]
