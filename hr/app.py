"""The application factory."""

from __future__ import annotations

import gc
import re
from pathlib import Path
from urllib.parse import urlsplit

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import ValidationException
from litestar.middleware import ASGIMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, RapidocRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

import hr  # noqa: F401  (sets PICCOLO_CONF)
from hr import db, flash, logsafe, tabular
from hr.auth.middleware import PrincipalMiddleware
from hr.auth.rules import PUBLIC, access_guard, allow
from hr.ops import logs, metrics
from hr.request import HRRequest, has_control_characters
from hr.settings import PROJECT_ROOT, Settings, get_settings, set_settings
from hr.web import EXCEPTION_HANDLERS, register_template_helpers, security_headers

STATIC = Path(__file__).resolve().parent / "static"
VENDOR = STATIC / "node_modules"


def security_headers_hook(secure: bool, form_targets: tuple[str, ...] = ()):
    """Adds the security headers to every answer: pages, API, static files, and the router's own
    404 and 405 answers, which no middleware sees (a before-send hook wraps the whole app)."""
    # Encoded once: this runs on every answer, and an answer sets few of these itself.
    ours = [(name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in security_headers(secure, form_targets).items()]
    everywhere = [pair for pair in ours if pair[0] != b"content-security-policy"]
    no_store = (b"cache-control", b"no-store")

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        path = scope.get("path", "")
        headers = message.setdefault("headers", [])
        if not isinstance(headers, list):
            headers = message["headers"] = list(headers)
        present = {name.lower() for name, _ in headers}
        # The API docs page ships its own inline bootstrap: no CSP there.
        wanted = everywhere if path.startswith("/api/v1/schema") else ours
        headers.extend(pair for pair in wanted if pair[0] not in present)
        if b"cache-control" not in present and not path.startswith("/static/"):
            headers.append(no_store)

    return add_headers


def _origins(*urls: str) -> tuple[str, ...]:
    return tuple("{0.scheme}://{0.netloc}".format(urlsplit(u)) for u in urls if u)


class DanishRapidoc(RapidocRenderPlugin):
    """The API documentation page in Danish: the page's language said (screen readers read it in
    Danish), RapiDoc's own colours set for contrast (WCAG AA), no icon fetched from a CDN and no
    fonts from Google (load-fonts: an internal system makes no outside requests), and RapiDoc's
    English header, search and server picker left out (the descriptions are ours, in Danish)."""

    def render(self, request, openapi_schema) -> bytes:
        page = re.sub(rb"<link rel='icon'[^>]*>", b"", super().render(request, openapi_schema))
        return page.replace(b"<html>", b'<html lang="da">', 1).replace(
            b"<rapi-doc", b'<rapi-doc load-fonts="false" show-header="false" allow-search="false" '
                          b'allow-advanced-search="false" allow-server-selection="false" '
                          b'regular-font="IBM Plex Sans, Arial, sans-serif" '
                          b'mono-font="Consolas, monospace" theme="light" primary-color="#0059b3" text-color="#1a1a1a" '
                          b'bg-color="#ffffff" nav-bg-color="#f5f5f5" nav-text-color="#1a1a1a" '
                          b'nav-hover-text-color="#0059b3"', 1)


class InputGuardMiddleware(ASGIMiddleware):
    """Refuses a path or query holding control characters (a NUL reaching PostgreSQL is a 500);
    form bodies are cleaned by HRRequest."""

    scopes = ("http",)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if has_control_characters(scope["path"], scope.get("query_string", b"")):
            raise ValidationException("Adressen indeholder ugyldige tegn")
        await next_app(scope, receive, send)


_heap_frozen = False


def _freeze_startup_heap() -> None:
    """Leaves what the process holds after its first start-up (modules, templates, tables: about
    180,000 objects) out of the garbage collector's full collections, once per process. A full
    collection walks every tracked object, and a page that builds many rows (HR's supervision and
    competence overviews) set one off in about one round in twenty: some 80 ms on that request."""
    global _heap_frozen
    if not _heap_frozen:
        gc.collect()
        gc.freeze()
        _heap_frozen = True


async def _start(app: Litestar) -> None:
    await db.start()
    if get_settings().scheduler:
        from hr.notify import scheduler

        app.state.scheduler = await scheduler.start()
    _freeze_startup_heap()


async def _stop(app: Litestar) -> None:
    running = getattr(app.state, "scheduler", None)
    if running is not None:
        from hr.notify import scheduler

        await scheduler.stop(running)
    tabular.stop_parser()
    await db.stop()


def _static_routers() -> list[Router]:
    mounts = {
        "/static/app": STATIC / "app",
        "/static/vendor/dkfds": VENDOR / "dkfds" / "dist",
        "/static/vendor/htmx": VENDOR / "htmx.org" / "dist",
        "/static/vendor/rapidoc": VENDOR / "rapidoc" / "dist",
    }
    return [
        create_static_files_router(path=path, directories=[directory], opt=allow(PUBLIC),
                                   include_in_schema=False, name=f"static{path.replace('/', '_')}")
        for path, directory in mounts.items()
    ]


class HRApp(Litestar):
    """Litestar with the request log outermost (hr.ops.logs): every answer gets a request id,
    a log line and its place in the metrics, the router's own 404 and 405 included."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._logged = logs.RequestLog(super().__call__, metrics.observe)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._logged(scope, receive, send)


def create_app(settings: Settings | None = None) -> Litestar:
    if settings is not None:
        set_settings(settings)
    settings = get_settings()
    logs.configure(settings.log_format)
    logsafe.install()

    from hr.api import api_router, declare_error_answers
    from hr.api_docs import DanishApiDocs
    from hr.audit.controllers import AuditController
    from hr.auth.account_controllers import AccountController, OwnPasswordController, SignInConflictController
    from hr.auth.controllers import ApiTokenController, LoginController, PasswordLinkController
    from hr.competence.controllers import (
        CatalogueController,
        CohortController,
        CompetenceOverviewController,
        NominationController,
        PlanController,
        ProfileController,
    )
    from hr.management import ManagementController
    from hr.notify.controllers import OutboxController, PreferenceController, ScheduleController
    from hr.notify.health import warn_hr
    from hr.ops.controllers import OpsController
    from hr.org.controllers import (
        ImportController,
        InstitutionAdminController,
        MethodController,
        OrganisationController,
    )
    from hr.pages import PageController
    from hr.supervision.controllers import (
        AgendaController,
        BookingController,
        ComplianceController,
        FeedController,
        MatchController,
        RequirementController,
        SupervisorCalendarController,
        SupervisorController,
    )
    from hr.workenv.admin_controllers import WorkenvAdminController
    from hr.workenv.amo_controllers import ApvController, DiscussionController, OrderController
    from hr.workenv.analysis_controllers import AnalysisController
    from hr.workenv.controllers import ActionController, ForceImportController, ForceMonthController, IncidentController

    openapi = OpenAPIConfig(
        title="HR Socialområdet API",
        version="1",
        description="Integrations-API. Kræver en API-nøgle (Bearer) med de rette scopes.",
        components=Components(security_schemes={
            "BearerToken": SecurityScheme(type="http", scheme="bearer",
                                          description="API-nøgle oprettet af HR")
        }),
        security=[{"BearerToken": []}],
        render_plugins=[
            DanishApiDocs(path="/"),
            DanishRapidoc(js_url="/static/vendor/rapidoc/rapidoc-min.js", path="/proev"),
            JsonRenderPlugin(),
        ],
        openapi_router=Router(path="/api/v1/schema", route_handlers=[], opt=allow(PUBLIC),
                              include_in_schema=False),
    )
    app = HRApp(
        route_handlers=[
            PageController,
            OpsController,
            LoginController,
            PasswordLinkController,
            OrganisationController,
            InstitutionAdminController,
            MethodController,
            ImportController,
            ApiTokenController,
            AccountController,
            SignInConflictController,
            OwnPasswordController,
            AuditController,
            IncidentController,
            ActionController,
            ForceImportController,
            ForceMonthController,
            WorkenvAdminController,
            OrderController,
            ApvController,
            DiscussionController,
            SupervisorController,
            MatchController,
            RequirementController,
            BookingController,
            AgendaController,
            ComplianceController,
            FeedController,
            SupervisorCalendarController,
            AnalysisController,
            ManagementController,
            CompetenceOverviewController,
            CatalogueController,
            ProfileController,
            PlanController,
            CohortController,
            NominationController,
            OutboxController,
            ScheduleController,
            PreferenceController,
            api_router,
            *_static_routers(),
        ],
        guards=[access_guard],
        middleware=[InputGuardMiddleware(), PrincipalMiddleware()],
        before_send=[security_headers_hook(settings.secure_cookies, _origins(settings.oidc_issuer)),
                     flash.clear_after_showing],
        before_request=warn_hr,
        request_class=HRRequest,
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,
            cookie_samesite="lax",
            exclude=["/api/"],
        ),
        template_config=TemplateConfig(
            directory=PROJECT_ROOT / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=register_template_helpers,
        ),
        openapi_config=openapi,
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[_start],
        on_shutdown=[_stop],
        request_max_body_size=10 * 1024 * 1024,
        logging_config=None,  # ours (hr.ops.logs): Litestar's own would add a second, plain-text handler
        debug=False,
    )
    declare_error_answers(app)
    return app
