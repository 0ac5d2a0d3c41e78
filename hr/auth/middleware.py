"""Resolves who is asking: a session cookie for pages, a bearer token for /api."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address

from litestar.datastructures import Cookie
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from hr.auth import services
from hr.settings import get_settings

SESSION_COOKIE = "hr_session"
API_PREFIX = "/api/"


FORWARDING_HEADERS = (b"forwarded", b"x-forwarded-for", b"x-real-ip")


def _address(value: str) -> IPv4Address | IPv6Address | None:
    """An address as a Forwarded or X-Forwarded-For element writes it: quoted, an IPv6 address
    in brackets, perhaps with a port; None for "unknown" or an obfuscated name (RFC 7239)."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return ip_address(value)
    except ValueError:
        return None


def _forwarded_for(headers: list[tuple[bytes, bytes]]) -> list[str]:
    """The client addresses the forwarding headers name, the proxy nearest us last."""
    chain: list[str] = []
    for name, raw in headers:
        value = raw.decode("latin-1")
        if name.lower() == b"forwarded":
            for element in value.split(","):
                for pair in element.split(";"):
                    key, _, item = pair.strip().partition("=")
                    if key.lower() == "for":
                        chain.append(item)
        elif name.lower() == b"x-forwarded-for":
            chain.extend(value.split(","))
    return chain


def _trusted(address: IPv4Address | IPv6Address | None, proxies: tuple) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_ip(scope: Scope) -> str:
    """The client's address: the peer's, unless the peer is one of the configured reverse proxies
    (HR_TRUSTED_PROXIES), whose Forwarded or X-Forwarded-For header then names it: the nearest
    address in the chain that is not itself a trusted proxy. Headers from anyone else are ignored."""
    client = scope.get("client")
    peer = client[0] if client else ""
    proxies = get_settings().trusted_proxies
    if not proxies or not _trusted(_address(peer), proxies):
        return peer
    chain = [_address(item) for item in _forwarded_for(scope.get("headers", []))]
    for address in reversed(chain):
        if address is None:
            return ""  # an unknown hop: the client cannot be told
        if not _trusted(address, proxies):
            return str(address)
    return peer


def is_forwarded(scope: Scope) -> bool:
    """The request says it was passed on by a proxy (whoever sent it)."""
    return any(name.lower() in FORWARDING_HEADERS for name, _ in scope.get("headers", []))


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
