"""Pages every logged-in person has: the dashboard, own profile; and public pages."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from hr.auth.rules import PUBLIC, allow
from hr.org import services as org


class PageController(Controller):
    include_in_schema = False

    @get("/", opt=allow("self"), name="dashboard")
    async def dashboard(self, request: Request) -> Template:
        principal = request.user
        me = await org.get_employee(principal, principal.employee_id) if principal.employee_id else None
        institutions = await org.list_institutions(principal) if principal.roles & {"leader", "hr", "amr"} else []
        return Template("dashboard.html", context={"me": me, "institutions": institutions})

    @get("/profil", opt=allow("self"), name="profile")
    async def profile(self, request: Request) -> Template:
        principal = request.user
        me = await org.get_employee(principal, principal.employee_id) if principal.employee_id else None
        return Template("profile.html", context={"me": me})

    @get("/tilgaengelighed", opt=allow(PUBLIC), name="accessibility")
    async def accessibility(self) -> Template:
        return Template("accessibility.html")

    @get("/health", opt=allow(PUBLIC), name="health", media_type="application/json")
    async def health(self) -> dict:
        from hr.org.tables import Institution

        await Institution.count().run()
        return {"status": "ok"}
