"""Pages every logged-in person has: the dashboard, own profile; and public pages."""

from __future__ import annotations

import asyncio

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from hr.auth.rules import PUBLIC, allow
from hr.org import services as org
from hr.web import RenderedOnce

DUTY_SECTION = RenderedOnce("_duties.html")


class PageController(Controller):
    include_in_schema = False

    @get("/", opt=allow("self"), name="dashboard")
    async def dashboard(self, request: Request) -> Template:
        """The person's work queue: every open duty, most urgent first."""
        from hr.duties import front_page

        page = await front_page(request.user)
        listing = page.pop("duty_list")
        section = DUTY_SECTION(request.app.template_engine, listing["duties"], **listing)
        return Template("dashboard.html", context={**page, "duty_section": section})

    @get("/profil/mine-data", opt=allow("self"), name="my_data")
    async def my_data(self, request: Request) -> Response:
        return await personal_data_response(request, request.user.employee_id)

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


async def personal_data_response(request: Request, employee_id: int | None) -> Response:
    """The right of access as a download, JSON (default) or PDF (?format=pdf); the export itself is
    recorded in the audit log."""
    from hr import audit
    from hr.org.personal_data import personal_data

    data = await personal_data(employee_id) if employee_id else None
    if data is None:
        raise NotFoundException()
    as_pdf = request.query_params.get("format") == "pdf"
    await audit.record(request.user, "export", "personal_data", employee_id, {"format": "pdf" if as_pdf else "json"})
    headers = {"Cache-Control": "private, no-store"}
    if as_pdf:
        from hr.org.personal_data_pdf import render

        # Laying out a long activity log takes a moment; the other requests should not wait for it.
        return Response(await asyncio.to_thread(render, data), media_type="application/pdf", headers={
            **headers, "Content-Disposition": f'attachment; filename="persondata-{employee_id}.pdf"'})
    return Response(data, media_type="application/json", headers={
        **headers, "Content-Disposition": f'attachment; filename="persondata-{employee_id}.json"'})
