"""Supervision pages: the supervisor registry, matching per institution, requirements."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from hr.auth.rules import allow
from hr.forms import ValidationError
from hr.org.services import list_institutions, list_methods
from hr.supervision import services

BASE = "/supervision"


def _values(form) -> dict:
    values = {k: str(v) for k, v in form.items()}
    values["method_ids"] = services._ids(form, "methods") or []
    values["institution_ids"] = services._ids(form, "institutions") or []
    return values


class SupervisorController(Controller):
    path = f"{BASE}/supervisorer"
    include_in_schema = False

    async def _choices(self, request: Request) -> dict:
        return {"methods": await list_methods(active_only=True),
                "institutions": await list_institutions(request.user)}

    @get("/", opt=allow("supervision.manage"), name="supervisors")
    async def index(self, request: Request) -> Template:
        return Template("supervision/supervisors.html", context={
            "supervisors": await services.list_supervisors(), **await self._choices(request),
            "errors": {}, "values": {"external": "1"}})

    @post("/", opt=allow("supervision.manage"), name="supervisor_create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            supervisor_id = await services.save_supervisor(request.user, None, form)
        except ValidationError as exc:
            return Template("supervision/supervisors.html", status_code=400, context={
                "supervisors": await services.list_supervisors(), **await self._choices(request),
                "errors": exc.errors, "values": _values(form)})
        return Redirect(path=f"{BASE}/supervisorer/{supervisor_id}")

    async def _detail(self, request: Request, supervisor_id: int, errors=None, values=None, form_name="",
                      status: int = 200) -> Template:
        supervisor = await services.get_supervisor(supervisor_id)
        if supervisor is None:
            raise NotFoundException()
        if values is None:
            values = {**supervisor, "external": "1" if supervisor["external"] else "",
                      "method_ids": [m["id"] for m in supervisor["methods"]],
                      "institution_ids": [i["id"] for i in supervisor["institutions"]],
                      "fee_per_session": str(supervisor["fee_per_session"] or "").replace(".", ",")}
        return Template("supervision/supervisor.html", status_code=status, context={
            "supervisor": supervisor, **await self._choices(request), "errors": errors or {}, "values": values,
            "form": form_name})

    @get("/{supervisor_id:int}", opt=allow("supervision.manage"), name="supervisor")
    async def detail(self, request: Request, supervisor_id: FromPath[int]) -> Template:
        return await self._detail(request, supervisor_id)

    @post("/{supervisor_id:int}", opt=allow("supervision.manage"), name="supervisor_update")
    async def update(self, request: Request, supervisor_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            await services.save_supervisor(request.user, supervisor_id, form)
        except LookupError as exc:
            raise NotFoundException() from exc
        except ValidationError as exc:
            return await self._detail(request, supervisor_id, exc.errors, _values(form), "edit", status=400)
        return Redirect(path=f"{BASE}/supervisorer/{supervisor_id}")

    @post("/{supervisor_id:int}/undtagelser", opt=allow("supervision.manage"), name="match_exception_create")
    async def add_exception(self, request: Request, supervisor_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            await services.approve_exception(request.user, supervisor_id, services._int(form.get("institution")),
                                             str(form.get("reason", "")))
        except LookupError as exc:
            raise NotFoundException() from exc
        except ValidationError as exc:
            return await self._detail(request, supervisor_id, exc.errors, None, "exception", status=400)
        return Redirect(path=f"{BASE}/supervisorer/{supervisor_id}#undtagelser")


class MatchController(Controller):
    path = f"{BASE}/match"
    include_in_schema = False

    @get("/", opt=allow("supervision.book"), name="supervisor_match")
    async def index(self, request: Request) -> Template:
        institutions = await list_institutions(request.user)
        chosen = services._int(request.query_params.get("tilbud"))
        if chosen is None and len(institutions) == 1:
            chosen = institutions[0]["id"]
        if chosen is not None and chosen not in {i["id"] for i in institutions}:
            raise NotFoundException()
        return Template("supervision/match.html", context={
            "institutions": institutions, "chosen": chosen,
            "matches": await services.matching(chosen) if chosen else []})


class RequirementController(Controller):
    path = f"{BASE}/krav"
    include_in_schema = False

    async def _page(self, request: Request, errors=None, values=None, status: int = 200) -> Template:
        from hr.org.tables import Unit

        return Template("supervision/requirements.html", status_code=status, context={
            "requirements": await services.list_requirements(), "audiences": services.AUDIENCES,
            "types": services.SESSION_TYPES, "institutions": await list_institutions(request.user),
            "units": await Unit.select(Unit.id, Unit.name).order_by(Unit.name).run(),
            "errors": errors or {}, "values": values or {}})

    @get("/", opt=allow("supervision.manage"), name="requirements")
    async def index(self, request: Request) -> Template:
        return await self._page(request)

    @post("/", opt=allow("supervision.manage"), name="requirement_create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            await services.add_requirement(request.user, form)
        except ValidationError as exc:
            return await self._page(request, exc.errors, {k: str(v) for k, v in form.items()}, status=400)
        return Redirect(path=f"{BASE}/krav")
