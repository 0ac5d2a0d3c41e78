"""A confirmation after every action, shown after the redirect (post/redirect/get): the action
answers with a redirect carrying a short-lived cookie; the next page shows the message once (with
the obvious next step as a link) and the cookie is cleared. A reload never repeats the action."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect
from litestar.types import Message, Scope

COOKIE = "hr_flash"
MAX_AGE = 120  # seconds: long enough for the redirect, short enough never to surprise later


def done(path: str, message: str, next_link: str = "", next_text: str = "") -> Redirect:
    """Redirect to `path` and say `message` there; `next_link`/`next_text`: the next step."""
    response = Redirect(path=path)
    value = quote(json.dumps({"m": message[:300], "l": next_link[:300], "t": next_text[:100]}, ensure_ascii=False))
    response.set_cookie(Cookie(key=COOKIE, value=value, max_age=MAX_AGE, httponly=True, samesite="lax", path="/"))
    return response


def pending(request: Request) -> dict | None:
    """The message waiting for this page, if any (templates: `flash_message(request)`)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = json.loads(unquote(raw))
    except ValueError:
        return None
    link = str(data.get("l") or "")
    if not link.startswith("/") or link.startswith("//"):
        link = ""  # only our own pages
    return {"message": str(data.get("m") or ""), "link": link, "text": str(data.get("t") or "")}


async def clear_after_showing(message: Message, scope: Scope) -> None:
    """Before-send hook: a page (not a redirect) answered to a request that carried the cookie
    clears it, so the message shows once."""
    if message["type"] != "http.response.start" or message["status"] in (301, 302, 303, 307, 308):
        return
    headers = scope.get("headers") or []
    if not any(k == b"cookie" and COOKIE.encode() in v for k, v in headers):
        return
    message.setdefault("headers", [])
    message["headers"] = [*message["headers"],
                          (b"set-cookie", f"{COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax".encode())]
