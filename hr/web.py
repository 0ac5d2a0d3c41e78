"""Shared web plumbing: template helpers, navigation per role, error pages, headers."""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from hr.auth.principal import Principal, Role
from hr.settings import TIMEZONE

log = logging.getLogger("hr")

NAV = [
    # (label, href, roles that see it)
    ("Forside", "/", set(Role.ALL)),
    ("Arbejdsmiljø", "/arbejdsmiljoe", {Role.STAFF, Role.LEADER, Role.AMR, Role.HR}),
    ("Opfølgning", "/arbejdsmiljoe/opfoelgning", {Role.LEADER, Role.AMR, Role.HR}),
    ("Handlinger", "/arbejdsmiljoe/handlinger", {Role.STAFF, Role.LEADER, Role.AMR, Role.HR}),
    ("Påbud", "/arbejdsmiljoe/paabud", {Role.LEADER, Role.AMR, Role.HR}),
    ("APV", "/arbejdsmiljoe/apv", {Role.LEADER, Role.AMR, Role.HR}),
    ("Drøftelser", "/arbejdsmiljoe/droeftelser", {Role.LEADER, Role.AMR, Role.HR}),
    ("Analyse", "/arbejdsmiljoe/analyse", {Role.LEADER, Role.AMR, Role.HR}),
    ("Supervision", "/supervision/bookinger", {Role.LEADER, Role.HR}),
    ("Supervisionsoverblik", "/supervision/overblik", {Role.LEADER, Role.HR}),
    ("Min supervision", "/supervision/kalender", {Role.STAFF, Role.AMR, Role.SUPERVISOR}),
    ("Supervisorer", "/supervision/match", {Role.LEADER}),
    ("Supervisorer", "/supervision/supervisorer", {Role.HR}),
    ("Supervisionskrav", "/supervision/krav", {Role.HR}),
    ("Ledelsesinformation", "/ledelsesinformation", {Role.LEADER, Role.HR}),
    ("Kompetence", "/kompetence", {Role.LEADER, Role.HR}),
    ("Min kompetence", "/kompetence/mit", {Role.STAFF, Role.AMR}),
    ("Lederuddannelse", "/kompetence/hold", {Role.LEADER, Role.HR}),
    ("Organisation", "/organisation", {Role.LEADER, Role.HR, Role.AMR}),
    ("Medarbejdere", "/medarbejdere", {Role.LEADER, Role.HR}),
    ("Metoder", "/admin/metoder", {Role.HR}),
    ("Arbejdsmiljøregler", "/arbejdsmiljoe/admin", {Role.HR}),
    ("Import", "/admin/import", {Role.HR}),
    ("Brugere", "/admin/brugere", {Role.HR}),
    ("API-nøgler", "/admin/api-noegler", {Role.HR}),
    ("Revisionslog", "/admin/revisionslog", {Role.HR}),
    ("Påmindelser", "/admin/paamindelser", {Role.HR}),
    ("Udbakke", "/admin/post", {Role.HR}),
]


def nav_for(principal: Principal | None, path: str = "") -> list[tuple[str, str, bool]]:
    """(label, href, current) for the person's roles; the longest matching href is current."""
    if principal is None:
        return []
    items = [(label, href) for label, href, roles in NAV if principal.roles & roles]
    matches = [href for _, href in items if path == href or (href != "/" and path.startswith(href))]
    current = max(matches, key=len, default=None)
    return [(label, href, href == current) for label, href in items]


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def fmt_date(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.astimezone(TIMEZONE).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def fmt_number(value: Any, digits: int = 2) -> str:
    if value is None:
        return ""
    if isinstance(value, (Decimal, float)):
        text = f"{float(value):.{digits}f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return str(value)


def query_string(params: dict, **override: Any) -> str:
    merged = {**params, **override}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def register_template_helpers(engine) -> None:
    env = engine.engine
    env.filters["dato"] = fmt_date
    env.filters["tal"] = fmt_number
    env.filters["items2dict"] = lambda rows: {r["id"]: r["name"] for r in rows}
    env.globals["nav_for"] = nav_for
    env.globals["query_string"] = query_string
    env.globals["role_labels"] = Role.LABELS


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    if is_api(request):
        return Response({"status_code": status, "detail": message}, status_code=status,
                        media_type=MediaType.JSON)
    return Template(
        template_name="errors/error.html",
        context={"status": status, "title": title, "message": message},
        status_code=status,
    )


def not_authorized(request: Request, exc: NotAuthorizedException) -> Response:
    if is_api(request):
        return Response({"status_code": 401, "detail": "Gyldig API-nøgle mangler"}, status_code=401,
                        headers={"WWW-Authenticate": "Bearer"})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(path=f"/login?{urlencode({'next': target})}")


def forbidden(request: Request, exc: PermissionDeniedException) -> Response:
    return _error_page(request, 403, "Ingen adgang",
                       "Du har ikke adgang til denne side. Kontakt HR, hvis du mener, det er en fejl.")


def not_found(request: Request, exc: NotFoundException) -> Response:
    return _error_page(request, 404, "Siden findes ikke",
                       "Vi kunne ikke finde siden. Måske er den flyttet, eller adressen er skrevet forkert.")


def bad_request(request: Request, exc: ValidationException) -> Response:
    if is_api(request):
        return Response({"status_code": 400, "detail": "Ugyldig forespørgsel", "extra": exc.extra},
                        status_code=400)
    return _error_page(request, 400, "Ugyldig forespørgsel",
                       "Forespørgslen kunne ikke forstås. Gå tilbage, og prøv igen.")


def http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 403 and "CSRF" in str(exc.detail):
        return _error_page(request, 403, "Formularen er udløbet",
                           "Sikkerhedsnøglen i formularen passede ikke. Genindlæs siden, og prøv igen.")
    if exc.status_code >= 500:
        return server_error(request, exc)
    return _error_page(request, exc.status_code, "Fejl", str(exc.detail))


def server_error(request: Request, exc: Exception) -> Response:
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_page(request, HTTP_500_INTERNAL_SERVER_ERROR, "Der skete en fejl",
                       "Der skete en uventet fejl hos os. Intet af det, du indtastede, er gemt halvt. "
                       "Prøv igen om lidt, og kontakt HR, hvis fejlen bliver ved.")


EXCEPTION_HANDLERS = {
    NotAuthorizedException: not_authorized,
    PermissionDeniedException: forbidden,
    NotFoundException: not_found,
    ValidationException: bad_request,
    HTTPException: http_error,
    Exception: server_error,
}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
       "base-uri 'self'; object-src 'none'")


def security_headers(secure: bool) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if secure:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers
