"""Login, logout and API-token pages."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from hr import flash
from hr.auth import oidc, password_links, services
from hr.auth.middleware import SESSION_COOKIE, client_ip, session_cookie
from hr.auth.oidc import SignInRefused
from hr.auth.rules import PUBLIC, allow
from hr.auth.tables import ApiToken
from hr.forms import ValidationError, one_line
from hr.org.importer import EMAIL_RE
from hr.settings import get_settings
from hr.web import is_draft_page


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login would help phishing.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# Ties the provider's answer to the browser that started the sign-in (login CSRF).
SIGN_IN_COOKIE = "hr_sign_in"
DEVICE_COOKIE = "hr_device"


def device_cookie(email: str) -> Cookie:
    """Marks this browser as one that proved it knows the account (its password, or a mailed link)."""
    return Cookie(key=DEVICE_COOKIE, value=services.device_token(email), httponly=True, samesite="strict",
                  secure=get_settings().secure_cookies, path="/login",
                  max_age=int(services.KNOWN_DEVICE.total_seconds()))


def _login_page(target: str, values: dict | None = None, errors: dict | None = None, status: int = 200) -> Template:
    return Template("login.html", status_code=status, context={
        "next": target, "values": values or {}, "errors": errors or {}, "draft_waiting": is_draft_page(target),
        "directory": get_settings().oidc_enabled})


class LoginController(Controller):
    include_in_schema = False

    @get("/login", opt=allow(PUBLIC), name="login")
    async def login_form(self, request: Request, next: FromQuery[str] = "/") -> Template | Redirect:
        if request.user is not None:
            return Redirect(path=_safe_next(next))
        return _login_page(_safe_next(next))

    @get("/login/arbejdskonto", opt=allow(PUBLIC), name="login_directory")
    async def directory_start(self, request: Request, next: FromQuery[str] = "/") -> Template | Redirect:
        settings = get_settings()
        if not settings.oidc_enabled:
            raise NotFoundException()
        try:
            url, browser = await oidc.begin(_safe_next(next), ip=client_ip(request.scope))
        except SignInRefused as exc:
            status = 429 if isinstance(exc, oidc.TooManySignIns) else 503
            return _login_page(_safe_next(next), errors={"form": exc.message}, status=status)
        response = Redirect(path=url)
        response.set_cookie(Cookie(key=SIGN_IN_COOKIE, value=browser, httponly=True, samesite="lax",
                                   max_age=int(oidc.ATTEMPT_LIFETIME.total_seconds()),
                                   secure=settings.secure_cookies, path="/login/arbejdskonto"))
        return response

    @get(oidc.CALLBACK_PATH, opt=allow(PUBLIC), name="login_directory_answer")
    async def directory_answer(self, request: Request) -> Template | Redirect:
        settings = get_settings()
        if not settings.oidc_enabled:
            raise NotFoundException()
        params = {key: str(value)[:4000] for key, value in request.query_params.items()}
        try:
            token, _, target = await services.sign_in_from_directory(
                params, request.cookies.get(SIGN_IN_COOKIE, ""), ip=client_ip(request.scope),
                user_agent=request.headers.get("user-agent", ""), session_hours=settings.session_hours)
        except SignInRefused as exc:
            response = Template("auth/sign_in_refused.html", status_code=403, context={"message": exc.message})
        else:
            response = Redirect(path=_safe_next(target))
            response.set_cookie(session_cookie(token, settings.session_hours * 3600, settings.secure_cookies))
        response.delete_cookie(SIGN_IN_COOKIE, path="/login/arbejdskonto")
        return response

    @post("/login", opt=allow(PUBLIC), name="login_submit")
    async def login(self, request: Request) -> Response:
        form = await request.form()
        email = str(form.get("email", "")).strip()
        password = str(form.get("password", ""))
        target = _safe_next(str(form.get("next", "/")))
        errors = {}
        if not email:
            errors["email"] = "Skriv din e-mailadresse"
        if not password:
            errors["password"] = "Skriv din adgangskode"
        status = 400
        if not errors:
            settings = get_settings()
            try:
                token, _ = await services.login(
                    email, password, ip=client_ip(request.scope),
                    user_agent=request.headers.get("user-agent", ""),
                    session_hours=settings.session_hours,
                    device_cookie=request.cookies.get(DEVICE_COOKIE, "")[:100],
                )
            except services.LoginError as exc:
                errors["form"] = exc.message
                status = 429 if exc.throttled else 400
            else:
                response = Redirect(path=target)
                response.set_cookie(session_cookie(token, settings.session_hours * 3600,
                                                   settings.secure_cookies))
                # This browser has proved it knows the account: others' failures from the same
                # address (a ward's NAT) no longer slow it down (services.login_wait).
                response.set_cookie(device_cookie(email))
                return response
        return _login_page(target, {"email": email}, errors, status)

    @post("/logout", opt=allow("self"), name="logout")
    async def logout(self, request: Request) -> Redirect:
        method = await services.logout(request.auth) if request.auth else ""
        elsewhere = await oidc.end_session_url() if method == "arbejdskonto" and get_settings().oidc_enabled else None
        response = Redirect(path=elsewhere) if elsewhere else flash.done("/login", "Du er logget ud.")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


class PasswordLinkController(Controller):
    """A forgotten password, and a new account's first one: chosen by the person through a link."""

    path = "/adgangskode"
    include_in_schema = False

    @get("/glemt", opt=allow(PUBLIC), name="password_forgotten")
    async def forgotten(self) -> Template:
        return Template("auth/forgotten.html", context={"errors": {}, "values": {}})

    @post("/glemt", opt=allow(PUBLIC), name="password_forgotten_submit")
    async def ask(self, request: Request) -> Template | Redirect:
        form = await request.form()
        errors: dict[str, str] = {}
        email = one_line(form.get("email"), errors, "email", max_length=254, required="Skriv din e-mailadresse")
        if email and not EMAIL_RE.match(email):
            errors["email"] = "Skriv en gyldig e-mailadresse, fx navn@region.dk"
        if errors:
            return Template("auth/forgotten.html", status_code=400,
                            context={"errors": errors, "values": {"email": email}})
        # The same answer, in the same time, whether or not the address has an account: the
        # lookup and the mail are done after the answer has gone.
        response = flash.done("/adgangskode/glemt", "Hvis adressen hører til en konto, har vi sendt en mail med et "
                              "link til at vælge en ny adgangskode. Linket virker i 30 minutter. Kig også i uønsket "
                              "post.", "/login", "Tilbage til log ind")
        response.background = BackgroundTask(password_links.request_link_quietly, email, ip=client_ip(request.scope))
        return response

    @get("/nulstil/{token:str}", opt=allow(PUBLIC), name="password_link")
    async def link(self, token: FromPath[str]) -> Template:
        link = await password_links.valid_link(token[:100])
        return Template("auth/choose_password.html", status_code=200 if link else 410,
                        context={"link": link, "token": token[:100], "errors": {}})

    @post("/nulstil/{token:str}", opt=allow(PUBLIC), name="password_link_submit")
    async def choose(self, request: Request, token: FromPath[str]) -> Template | Redirect:
        form = await request.form()
        token = token[:100]
        link = await password_links.valid_link(token)
        try:
            await password_links.choose_password(token, str(form.get("password", "")), str(form.get("repeat", "")),
                                                 ip=client_ip(request.scope))
        except ValidationError as exc:
            link = await password_links.valid_link(token)
            return Template("auth/choose_password.html", status_code=400 if link else 410,
                            context={"link": link, "token": token, "errors": exc.errors})
        response = flash.done("/login", "Din adgangskode er gemt. Log ind med den.")
        if link is not None:  # the mailbox vouched for this browser: others' failures no longer slow it
            response.set_cookie(device_cookie(link.email))
        return response


class ApiTokenController(Controller):
    path = "/admin/api-noegler"
    include_in_schema = False

    async def _render(self, errors=None, values=None, new_token=None, status=200) -> Template:
        tokens = await ApiToken.select(
            ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.scopes, ApiToken.created_at,
            ApiToken.last_used_at, ApiToken.revoked_at, ApiToken.account.email.as_alias("account_email"),
        ).order_by(ApiToken.created_at, ascending=False).run()
        return Template("admin/api_tokens.html", status_code=status, context={
            "tokens": tokens, "scopes": services.API_SCOPES, "errors": errors or {},
            "values": values or {}, "new_token": new_token,
        })

    @get("/", opt=allow("api.admin"), name="api_tokens")
    async def index(self) -> Template:
        return await self._render()

    @post("/", opt=allow("api.admin"), name="api_token_create")
    async def create(self, request: Request) -> Template:
        form = await request.form()
        scopes = [str(s) for s in form.getall("scopes")] if "scopes" in form else []
        errors: dict[str, str] = {}
        name = one_line(form.get("name"), errors, "name", max_length=100,
                        required="Giv nøglen et navn, fx integrationens navn")
        if not scopes:
            errors["scopes"] = "Vælg mindst ét adgangsområde"
        elif any(s not in services.API_SCOPES for s in scopes):
            errors["scopes"] = "Ukendt adgangsområde"
        if errors:
            return await self._render(errors, {"name": name, "scopes": scopes}, status=400)
        _, token = await services.create_api_token(request.user, request.user.account_id, name, scopes)
        return await self._render(new_token=token)

    @post("/{token_id:int}/tilbagekald", opt=allow("api.admin"), name="api_token_revoke")
    async def revoke(self, request: Request, token_id: FromPath[int]) -> Redirect:
        if not await ApiToken.exists().where(ApiToken.id == token_id).run():
            raise NotFoundException()
        await services.revoke_api_token(request.user, token_id)
        return flash.done("/admin/api-noegler", "Nøglen er tilbagekaldt. Integrationen kan ikke længere bruge den.")


