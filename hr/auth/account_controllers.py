"""HR's user administration and everyone's own password page."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from hr import flash
from hr.auth import accounts, conflicts
from hr.auth.rules import allow
from hr.forms import ValidationError, optional_int, page_number


class AccountController(Controller):
    path = "/admin/brugere"
    include_in_schema = False

    @get("/", opt=allow("accounts.manage"), name="accounts")
    async def index(self, request: Request) -> Template:
        params = request.query_params
        result = await accounts.list_accounts(q=str(params.get("q", ""))[:100],
                                              role=str(params.get("rolle", "")),
                                              page=page_number(params.get("side")))
        return Template("admin/accounts.html", context={
            "result": result, "choices": await accounts.scope_choices(), "errors": {}, "values": {}})

    @post("/", opt=allow("accounts.manage"), name="account_create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in ("email", "name")}
        try:
            account_id = await accounts.create_account(request.user, values["email"], values["name"])
        except ValidationError as exc:
            result = await accounts.list_accounts()
            return Template("admin/accounts.html", status_code=400, context={
                "result": result, "choices": await accounts.scope_choices(), "errors": exc.errors,
                "values": values})
        return flash.done(f"/admin/brugere/{account_id}", "Brugeren er oprettet og har fået en mail med et link til at "
                          "vælge sin adgangskode. Giv brugeren en rolle herunder.")

    async def _detail(self, request: Request, account_id: int, errors=None, values=None,
                      status: int = 200) -> Template:
        account = await accounts.get_account(request.user, account_id)
        if account is None:
            raise NotFoundException()
        return Template("admin/account.html", status_code=status, context={
            "account": account, "choices": await accounts.scope_choices(), "errors": errors or {},
            "values": values or {}})

    @get("/{account_id:int}", opt=allow("accounts.manage"), name="account")
    async def detail(self, request: Request, account_id: FromPath[int]) -> Template:
        return await self._detail(request, account_id)

    @post("/{account_id:int}/roller", opt=allow("accounts.manage"), name="account_role_add")
    async def add_role(self, request: Request, account_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        values = {"role": str(form.get("role", "")), "institution": optional_int(form.get("institution")),
                  "unit": optional_int(form.get("unit")),
                  "staff_responsibility": form.get("staff_responsibility") == "1"}
        try:
            await accounts.add_role(request.user, account_id, values["role"], values["institution"],
                                    values["unit"], values["staff_responsibility"])
        except ValidationError as exc:
            if "account" in exc.errors:
                raise NotFoundException() from exc
            return await self._detail(request, account_id, exc.errors, values, status=400)
        return flash.done(f"/admin/brugere/{account_id}", "Rollen er tilføjet. Den gælder fra brugerens næste side.")

    @post("/{account_id:int}/roller/{assignment_id:int}/fjern", opt=allow("accounts.manage"),
          name="account_role_remove")
    async def remove_role(self, request: Request, account_id: FromPath[int],
                          assignment_id: FromPath[int]) -> Template | Redirect:
        try:
            removed = await accounts.remove_role(request.user, account_id, assignment_id)
        except ValidationError as exc:
            return await self._detail(request, account_id, exc.errors, status=400)
        if not removed:
            raise NotFoundException()
        return flash.done(f"/admin/brugere/{account_id}", "Rollen er fjernet.")

    @post("/{account_id:int}/adgangskode", opt=allow("accounts.manage"), name="account_password")
    async def send_password_link(self, request: Request, account_id: FromPath[int]) -> Redirect:
        """HR never types a person's password: the person gets a link to choose one."""
        try:
            await accounts.send_password_link(request.user, account_id)
        except ValidationError as exc:
            raise NotFoundException() from exc
        # The address stays out of the cookie: the page shows whose account this is.
        return flash.done(f"/admin/brugere/{account_id}", "Et link til at vælge en ny adgangskode er sendt til "
                          "brugerens e-mailadresse. Det virker i 30 minutter.")

    @post("/{account_id:int}/status", opt=allow("accounts.manage"), name="account_status")
    async def set_status(self, request: Request, account_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        active = form.get("active") == "1"
        try:
            if not await accounts.set_active(request.user, account_id, active):
                raise NotFoundException()
        except ValidationError as exc:
            return await self._detail(request, account_id, exc.errors, status=400)
        return flash.done(f"/admin/brugere/{account_id}", "Brugeren er aktiveret og kan logge ind igen." if active
                          else "Brugeren er deaktiveret og logget ud alle steder.")


class OwnPasswordController(Controller):
    path = "/profil/adgangskode"
    include_in_schema = False

    @get("/", opt=allow("self"), name="own_password")
    async def form(self) -> Template:
        return Template("password.html", context={"errors": {}})

    @post("/", opt=allow("self"), name="own_password_submit")
    async def submit(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            await accounts.change_own_password(request.user, str(form.get("current", "")),
                                               str(form.get("new", "")), str(form.get("repeat", "")))
        except ValidationError as exc:
            return Template("password.html", status_code=400, context={"errors": exc.errors})
        return flash.done("/", "Din adgangskode er skiftet. Dine andre sessioner er logget ud.")


class SignInConflictController(Controller):
    """First work-account sign-ins that wait for HR: link after checking, or dismiss."""

    path = conflicts.PAGE
    include_in_schema = False

    async def _page(self, errors: dict | None = None, status: int = 200) -> Template:
        return Template("admin/sign_in_conflicts.html", status_code=status, context={
            "conflicts": await conflicts.open_conflicts(), "errors": errors or {}})

    @get("/", opt=allow("accounts.manage"), name="sign_in_conflicts")
    async def index(self) -> Template:
        return await self._page()

    @post("/{conflict_id:int}", opt=allow("accounts.manage"), name="sign_in_conflict_decide")
    async def decide(self, request: Request, conflict_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            done = await conflicts.resolve(request.user, conflict_id, str(form.get("decision", ""))[:20])
        except ValidationError as exc:
            return await self._page(exc.errors, status=400)
        return flash.done(conflicts.PAGE, done)
