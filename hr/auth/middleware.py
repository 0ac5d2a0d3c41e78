"""Resolves who is asking: a session cookie for pages, a bearer token for /api."""

from __future__ import annotations

from litestar.datastructures import Cookie
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from hr.auth import services

SESSION_COOKIE = "hr_session"
API_PREFIX = "/api/"


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


class PrincipalMiddleware(ASGIMiddleware):
    scopes = ("http", "websocket")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["user"] = None
        scope["auth"] = None
        path: str = scope.get("path", "")
        if path.startswith("/static/"):
            await next_app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if path.startswith(API_PREFIX):
            # The API takes tokens only, never the browser's cookie: no CSRF exposure.
            auth = headers.get("authorization", "")
            if auth.lower().startswith("bearer "):
                scope["user"] = await services.principal_for_token(auth[7:].strip())
        else:
            token = _cookie(headers.get("cookie", ""), SESSION_COOKIE)
            if token:
                scope["user"] = await services.principal_for_session(token)
                scope["auth"] = token
        await next_app(scope, receive, send)


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def session_cookie(token: str, max_age: int, secure: bool) -> Cookie:
    return Cookie(key=SESSION_COOKIE, value=token, max_age=max_age, httponly=True,
                  secure=secure, samesite="lax", path="/")
