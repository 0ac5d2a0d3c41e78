"""Shared web plumbing: template helpers, navigation per role, error pages, headers."""

from __future__ import annotations

import logging
import re
import weakref
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable
from urllib.parse import urlencode, urlsplit

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
from markupsafe import Markup

from hr import flash
from hr.auth.principal import Principal, Role
from hr.forms import NotFound
from hr.settings import TIMEZONE, get_settings

log = logging.getLogger("hr")

ALL, STAFF, LEADER, AMR, HR, SUPERVISOR = (set(Role.ALL), Role.STAFF, Role.LEADER, Role.AMR, Role.HR,
                                           Role.SUPERVISOR)
# (section, label, href, roles that see it). The main menu shows one link per section (to the
# first page in it the person may see); the section's pages form a second menu under it.
NAV = [
    ("Forside", "Forside", "/", ALL),
    ("Arbejdsmiljø", "Indberetninger", "/arbejdsmiljoe", {STAFF, LEADER, AMR, HR}),
    ("Arbejdsmiljø", "Opfølgning", "/arbejdsmiljoe/opfoelgning", {LEADER, AMR, HR}),
    ("Arbejdsmiljø", "Handlinger", "/arbejdsmiljoe/handlinger", {STAFF, LEADER, AMR, HR}),
    ("Arbejdsmiljø", "Påbud", "/arbejdsmiljoe/paabud", {LEADER, AMR, HR}),
    ("Arbejdsmiljø", "APV", "/arbejdsmiljoe/apv", {LEADER, AMR, HR}),
    ("Arbejdsmiljø", "Drøftelser", "/arbejdsmiljoe/droeftelser", {LEADER, AMR, HR}),
    ("Arbejdsmiljø", "Magtanvendelser, børn", "/arbejdsmiljoe/magtanvendelser/maaned", {LEADER, HR}),
    ("Arbejdsmiljø", "Analyse", "/arbejdsmiljoe/analyse", {LEADER, AMR, HR}),
    ("Arbejdsmiljø", "Arbejdsmiljøregler", "/arbejdsmiljoe/admin", {HR}),
    ("Supervision", "Bookinger", "/supervision/bookinger", {LEADER, HR}),
    ("Supervision", "Min supervision", "/supervision/kalender", {STAFF, AMR, SUPERVISOR, LEADER}),
    ("Supervision", "Supervisionsoverblik", "/supervision/overblik", {LEADER, HR}),
    ("Supervision", "Supervisorer", "/supervision/match", {LEADER}),
    ("Supervision", "Supervisorer", "/supervision/supervisorer", {HR}),
    ("Supervision", "Supervisionskrav", "/supervision/krav", {HR}),
    ("Kompetence", "Kompetenceoverblik", "/kompetence", {LEADER, HR}),
    ("Kompetence", "Min kompetence", "/kompetence/mit", {STAFF, AMR, LEADER}),
    ("Kompetence", "Modulkatalog", "/kompetence/moduler", {LEADER, HR}),
    ("Kompetence", "Kompetenceplaner", "/kompetence/planer", {LEADER, HR}),
    ("Kompetence", "Lederuddannelse", "/kompetence/hold", {LEADER, HR}),
    ("Ledelsesinformation", "Ledelsesinformation", "/ledelsesinformation", {LEADER, HR}),
    ("Organisation", "Organisation", "/organisation", {LEADER, HR, AMR}),
    ("Organisation", "Medarbejdere", "/medarbejdere", {LEADER, HR}),
    ("Organisation", "Metoder", "/admin/metoder", {HR}),
    ("Organisation", "Import", "/admin/import", {HR}),
    ("Administration", "Brugere", "/admin/brugere", {HR}),
    ("Administration", "Arbejdskonti", "/admin/arbejdskonti", {HR}),
    ("Administration", "API-nøgler", "/admin/api-noegler", {HR}),
    ("Administration", "Revisionslog", "/admin/revisionslog", {HR}),
    ("Administration", "Påmindelser", "/admin/paamindelser", {HR}),
    ("Administration", "Udbakke", "/admin/post", {HR}),
]


@lru_cache(maxsize=64)
def _visible(roles: frozenset[str]) -> tuple[tuple[str, str, str], ...]:
    return tuple((section, label, href) for section, label, href, allowed in NAV if roles & allowed)


def _current_href(items: tuple[tuple[str, str, str], ...], path: str) -> str | None:
    matches = [href for _, _, href in items if path == href or (href != "/" and path.startswith(href))]
    return max(matches, key=len, default=None)


# Both menus are built once per set of roles and current page: every page shows them.
@lru_cache(maxsize=1024)
def _menus(roles: frozenset[str], current: str | None) -> tuple[tuple, str, tuple]:
    items = _visible(roles)
    current_section = next((section for section, _, href in items if href == current), None)
    sections, seen = [], set()
    for section, _, href in items:
        if section not in seen:
            seen.add(section)
            sections.append((section, href, section == current_section))
    pages = tuple((label, href, href == current) for s, label, href in items if s == current_section)
    if len(pages) < 2:  # a section of one page has no menu of its own
        return tuple(sections), "", ()
    return tuple(sections), current_section, pages


def _menu_key(principal: Principal, path: str) -> tuple[frozenset[str], str | None]:
    return principal.roles, _current_href(_visible(principal.roles), path)


def menus_for(principal: Principal | None, path: str = "") -> tuple[tuple, str, tuple]:
    """The main menu, (section, href of its first visible page, current) per section; and the
    current section's name and pages (label, href, current), when it has more than one."""
    if principal is None:
        return (), "", ()
    return _menus(*_menu_key(principal, path))


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def fmt_date(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        try:
            return value.astimezone(TIMEZONE).strftime("%d.%m.%Y %H:%M")
        except OverflowError:  # an odd stored time at the calendar's end must not fail the page
            return value.strftime("%d.%m.%Y %H:%M UTC")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")


def fmt_day(value: date) -> str:
    """A day as people say it: "Tirsdag 15. december"."""
    return f"{WEEKDAYS[value.weekday()].capitalize()} {value.day}. {MONTHS[value.month - 1]}"


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


class RenderedOnce:
    """A partial template rendered once per value it shows, for as long as that value lives. HR's
    front page shows the same minute-old duty list (the region's, fifty of them listed, and the
    table per institution) to every request in that minute, and rendering it cost four times the
    rest of the page; an analysis page is shown from the dashboard cache likewise. What the partial
    shows must follow from the value alone."""

    def __init__(self, template: str):
        self.template = template
        self._rendered: weakref.WeakKeyDictionary[Any, Markup] = weakref.WeakKeyDictionary()

    def __call__(self, engine, value: Any, **context: Any) -> Markup:
        rendered = self._rendered.get(value)
        if rendered is None:
            rendered = self._rendered[value] = self.render(engine, **context)
        return rendered

    def render(self, engine, **context: Any) -> Markup:
        """Rendered now and not kept."""
        return render_markup(engine, self.template, **context)


def render_markup(source, template: str, **context: Any) -> Markup:
    """A partial template rendered to markup another template puts in as it is (`source`: the
    Jinja environment, or Litestar's template engine)."""
    # Jinja's own autoescaped output: marking it safe lets no unescaped input through.
    return Markup(source.get_template(template).render(**context))  # nosec B704


def _menus_markup(env) -> Callable[[Principal | None, str], Markup]:
    """The menus of every page as markup, rendered once per set of roles and current page in
    production (in development a template edit shows at once)."""

    def render(roles: frozenset[str], current: str | None) -> Markup:
        sections, section, pages = _menus(roles, current)
        return render_markup(env, "_menus.html", sections=sections, section=section, pages=pages)

    kept = lru_cache(maxsize=1024)(render)

    def menus(user: Principal | None, path: str) -> Markup:
        if user is None:
            return Markup("")
        return (render if env.auto_reload else kept)(*_menu_key(user, path))

    return menus


def register_template_helpers(engine) -> None:
    env = engine.engine
    # A running service's templates change only with a new release, which restarts it: in production
    # no page stats its template files to see whether they changed; in development an edit shows at once.
    env.auto_reload = get_settings().mode != "production"
    env.filters["dato"] = fmt_date
    env.filters["tal"] = fmt_number
    env.filters["dag"] = fmt_day
    env.filters["maaned_iso"] = lambda value: value.astimezone(TIMEZONE).strftime("%Y-%m") if value else ""
    env.filters["items2dict"] = lambda rows: {r["id"]: r["name"] for r in rows}
    env.globals["menus"] = _menus_markup(env)
    env.globals["query_string"] = query_string
    env.globals["role_labels"] = Role.LABELS
    env.globals["flash_message"] = flash.pending
    from hr.ops.logs import current_request_id

    env.globals["request_id"] = current_request_id
    from hr.audit import labels

    env.filters["audit_action"] = labels.action_label
    env.filters["audit_entity"] = labels.entity_label
    env.filters["audit_detail"] = labels.detail_text


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    if is_api(request):
        return Response({"status_code": status, "detail": message}, status_code=status,
                        media_type=MediaType.JSON)
    return Template(
        template_name="errors/error.html",
        context={"status": status, "title": title, "message": message},
        status_code=status,
    )


# A report being written: a login in between leads back to it, saying it is not yet sent.
DRAFT_PAGE = re.compile(r"^/arbejdsmiljoe/haendelser/\d+/rediger$")


def is_draft_page(target: str) -> bool:
    return bool(DRAFT_PAGE.match(target.split("?", 1)[0]))


def login_target(target: str) -> str:
    """Where a login should lead back to: the page itself; a report draft with the mark that
    makes it say the report is not yet sent and bring back what was typed on this device."""
    return target.split("?", 1)[0] + "?igen=1" if is_draft_page(target) else target


def not_authorized(request: Request, exc: NotAuthorizedException) -> Response:
    if is_api(request):
        return Response({"status_code": 401, "detail": "Gyldig API-nøgle mangler"}, status_code=401,
                        headers={"WWW-Authenticate": "Bearer"})
    if request.headers.get("hx-request"):
        # A part of a page (the report's autosave, a search) asked after the session ended: say so
        # where the answer goes, instead of pouring the login page into it.
        page = urlsplit(request.headers.get("hx-current-url", ""))
        target = page.path + (f"?{page.query}" if page.query else "") if page.path.startswith("/") else "/"
        return Template("errors/_logged_out.html", status_code=401, context={
            "login": f"/login?{urlencode({'next': login_target(target)})}", "draft": is_draft_page(target)})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(path=f"/login?{urlencode({'next': login_target(target)})}")


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


CLIENT_GONE = "client disconnected prematurely"  # Litestar's words when a request body stops arriving


def http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 403 and "CSRF" in str(exc.detail):
        return _error_page(request, 403, "Formularen er udløbet",
                           "Sikkerhedsnøglen i formularen passede ikke. Genindlæs siden, og prøv igen.")
    if exc.status_code >= 500 and exc.detail == CLIENT_GONE:
        # A phone that lost its signal mid-request: nothing was saved, nobody is listening, not our fault.
        log.info("Client disconnected during %s %s", request.method, request.url.path)
        return _error_page(request, 400, "Forbindelsen blev afbrudt",
                           "Forbindelsen blev afbrudt, før alt var sendt. Intet er gemt. Prøv igen.")
    if exc.status_code >= 500:
        return server_error(request, exc)
    if exc.status_code == 405 and not is_api(request):
        if request.method == "GET":
            # The address of a form's action, opened again (a reload after a refusal, a copied
            # link): the page the form belongs to is one step up.
            return Redirect(path=request.url.path.rstrip("/").rsplit("/", 1)[0] or "/")
        return _error_page(request, 405, "Det kan man ikke her",
                           "Denne adresse tager ikke imod den slags forespørgsler. Gå tilbage, og prøv igen.")
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
    NotFound: not_found,  # raised by services (hr/forms.py)
    ValidationException: bad_request,
    HTTPException: http_error,
    Exception: server_error,
}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
       "base-uri 'self'; object-src 'none'")


def security_headers(secure: bool, form_targets: tuple[str, ...] = ()) -> dict[str, str]:
    """`form_targets`: other origins a form's answer may lead to (logging out of a work-account
    session goes on to the directory's logout page; CSP form-action covers such redirects)."""
    csp = CSP.replace("form-action 'self'", " ".join(("form-action 'self'", *form_targets)))
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if secure:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers
