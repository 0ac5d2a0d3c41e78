"""HR's page for the work-environment rule table and the contributing-factor list."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from hr import flash
from hr.auth.rules import allow
from hr.forms import ValidationError
from hr.workenv import admin

PATH = "/arbejdsmiljoe/admin"


class WorkenvAdminController(Controller):
    path = PATH
    include_in_schema = False

    async def _page(self, errors=None, values=None, form: str = "", status: int = 200) -> Template:
        return Template("workenv/admin.html", status_code=status, context={
            "rules": await admin.list_rules(), "kinds": admin.RULE_KINDS, "factors": await admin.list_factors(),
            "errors": errors or {}, "values": values or {}, "form": form})

    @get("/", opt=allow("workenv.admin"), name="workenv_admin")
    async def index(self) -> Template:
        return await self._page()

    @post("/regler", opt=allow("workenv.admin"), name="rule_create")
    async def add_rule(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            await admin.add_rule(request.user, form)
        except ValidationError as exc:
            return await self._page(exc.errors, {k: str(v) for k, v in form.items()}, "rule", status=400)
        return flash.done(f"{PATH}#regler", "Reglen er tilføjet. Den gælder for hændelser fra dens startdato.")

    @post("/regler/{rule_id:int}/status", opt=allow("workenv.admin"), name="rule_status")
    async def rule_status(self, request: Request, rule_id: FromPath[int]) -> Redirect:
        form = await request.form()
        active = form.get("active") == "1"
        if not await admin.set_rule_active(request.user, rule_id, active):
            raise NotFoundException()
        return flash.done(f"{PATH}#regler", "Reglen er taget i brug igen." if active else "Reglen er taget ud af brug.")

    @post("/faktorer", opt=allow("workenv.admin"), name="factor_create")
    async def add_factor(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            await admin.add_factor(request.user, str(form.get("name", "")))
        except ValidationError as exc:
            return await self._page(exc.errors, {"name": str(form.get("name", ""))}, "factor", status=400)
        return flash.done(f"{PATH}#faktorer", "Faktoren er tilføjet og kan nu vælges i indberetningen.")

    @post("/faktorer/{factor_id:int}/status", opt=allow("workenv.admin"), name="factor_status")
    async def factor_status(self, request: Request, factor_id: FromPath[int]) -> Redirect:
        form = await request.form()
        active = form.get("active") == "1"
        if not await admin.set_factor_active(request.user, factor_id, active):
            raise NotFoundException()
        return flash.done(f"{PATH}#faktorer", "Faktoren kan vælges igen." if active
                          else "Faktoren er taget ud af brug. Tidligere indberetninger beholder den.")
