"""Organisation pages: institutions, units, employees, methods and the payroll import."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from hr import audit, flash
from hr.auth.rules import allow
from hr.exports import EXPORT_LIMIT, export_response
from hr.forms import ValidationError, optional_int, page_number, parse_period
from hr.org import leave, payroll_drop, services
from hr.org.importer import ImportFileError, run_import
from hr.supervision.compliance import employee_status


def _employee_filter(params, errors: dict) -> dict:
    """The employee list's filter from the address, as search_employees takes it; a bad date is
    reported at its field and not applied."""
    return {"q": str(params.get("q", ""))[:100], "institution_id": optional_int(params.get("tilbud")),
            "unit_id": optional_int(params.get("afdeling") or params.get("unit")),
            "status": "alle" if params.get("inactive") == "1" else str(params.get("status", "")),
            "hired": parse_period(params, errors)}


class OrganisationController(Controller):
    include_in_schema = False

    @get("/organisation", opt=allow("org.view"), name="institutions")
    async def institutions(self, request: Request) -> Template:
        return Template("org/institutions.html",
                        context={"institutions": await services.list_institutions(request.user)})

    @get("/organisation/tilbud/{institution_id:int}", opt=allow("org.view"), name="institution")
    async def institution(self, request: Request, institution_id: FromPath[int]) -> Template:
        institution = await services.get_institution(request.user, institution_id)
        if institution is None:
            raise NotFoundException()
        methods = await services.list_methods(active_only=True) if request.user.is_hr else []
        return Template("org/institution.html",
                        context={"institution": institution, "all_methods": methods, "errors": {}})

    @get("/organisation/afdelinger/{unit_id:int}", opt=allow("org.employees"), name="unit")
    async def unit(self, request: Request, unit_id: FromPath[int]) -> Template:
        unit = await services.get_unit(request.user, unit_id, page_number(request.query_params.get("side")))
        if unit is None:
            raise NotFoundException()
        return Template("org/unit.html", context={"unit": unit})

    @get("/medarbejdere", opt=allow("org.employees"), name="employees")
    async def employees(self, request: Request) -> Template:
        errors: dict[str, str] = {}
        result = await services.search_employees(request.user, **_employee_filter(request.query_params, errors),
                                                 page=page_number(request.query_params.get("side")))
        return Template("org/employees.html", context={
            "result": result, "errors": errors, "statuses": services.EMPLOYEE_STATUSES,
            **await services.filter_choices(request.user)})

    @get("/medarbejdere/eksport", opt=allow("org.employees"), name="employees_export")
    async def employees_export(self, request: Request) -> Response:
        result = await services.search_employees(request.user, **_employee_filter(request.query_params, {}),
                                                 page=1, per_page=EXPORT_LIMIT)
        await audit.record(request.user, "export", "employees", "", {"rows": len(result.items)})
        headers = ["Medarbejdernummer", "Navn", "E-mail", "Stilling", "Tilbud", "Afdeling", "Nærmeste leder",
                   "Årsværk", "Ansat fra", "Fratrådt", "Status"]
        rows = [[e["employee_number"], e["name"], e["email"], e["job_title"], e["institution_name"], e["unit_name"],
                 e["manager_name"], e["fte"], e["start_date"], e["end_date"], "Aktiv" if e["active"] else "Fratrådt"]
                for e in result.items]
        return export_response(str(request.query_params.get("format", "csv")), "medarbejdere", headers, rows)

    async def _employee(self, request: Request, employee_id: int, errors=None, values=None,
                        status: int = 200) -> Template:
        employee = await services.get_employee(request.user, employee_id)
        if employee is None:
            raise NotFoundException()
        return Template("org/employee.html", status_code=status, context={
            "employee": employee, "leaves": await leave.list_leave(employee_id), "leave_kinds": leave.KINDS,
            "supervision": await employee_status(employee_id), "errors": errors or {},
            "values": values or {}})

    @get("/medarbejdere/{employee_id:int}/indsigt", opt=allow("org.manage"), name="employee_personal_data")
    async def personal_data(self, request: Request, employee_id: FromPath[int]) -> Response:
        from hr.pages import personal_data_response

        return await personal_data_response(request, employee_id)

    @get("/medarbejdere/{employee_id:int}", opt=allow("org.employees"), name="employee")
    async def employee(self, request: Request, employee_id: FromPath[int]) -> Template:
        return await self._employee(request, employee_id)

    @post("/medarbejdere/{employee_id:int}/orlov", opt=allow("org.employees"), name="employee_leave_add")
    async def add_leave(self, request: Request, employee_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            await leave.add_leave(request.user, employee_id, form)
        except ValidationError as exc:
            return await self._employee(request, employee_id, exc.errors, {k: str(v) for k, v in form.items()},
                                        status=400)
        return flash.done(f"/medarbejdere/{employee_id}#orlov", "Orloven er registreret. Medarbejderen tæller ikke "
                          "med i supervisionskravene i perioden.")

    @post("/medarbejdere/{employee_id:int}/orlov/{leave_id:int}/slut", opt=allow("org.employees"),
          name="employee_leave_end")
    async def end_leave(self, request: Request, employee_id: FromPath[int], leave_id: FromPath[int]
                        ) -> Template | Redirect:
        form = await request.form()
        try:
            await leave.end_leave(request.user, employee_id, leave_id, form)
        except ValidationError as exc:
            return await self._employee(request, employee_id, exc.errors, status=400)
        return flash.done(f"/medarbejdere/{employee_id}#orlov", "Orlovens slutdato er gemt.")


class MethodController(Controller):
    include_in_schema = False

    async def _render(self, errors=None, values=None, status=200) -> Template:
        return Template("org/methods.html", status_code=status, context={
            "methods": await services.list_methods(), "errors": errors or {}, "values": values or {},
        })

    @get("/admin/metoder", opt=allow("org.manage"), name="methods")
    async def index(self) -> Template:
        return await self._render()

    @post("/admin/metoder", opt=allow("org.manage"), name="method_create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        values = {"name": str(form.get("name", "")), "description": str(form.get("description", ""))}
        try:
            await services.add_method(request.user, values["name"], values["description"])
        except ValidationError as exc:
            return await self._render(exc.errors, values, status=400)
        return flash.done("/admin/metoder", f"Metoden {values['name'].strip()[:80]} er oprettet. Knyt den til de "
                          "tilbud, der arbejder med den.", "/organisation/tilbud", "Til tilbuddene")

    @post("/admin/metoder/{method_id:int}/status", opt=allow("org.manage"), name="method_status")
    async def set_status(self, request: Request, method_id: FromPath[int]) -> Redirect:
        form = await request.form()
        active = form.get("active") == "1"
        if not await services.set_method_active(request.user, method_id, active):
            raise NotFoundException()
        return flash.done("/admin/metoder", "Metoden er taget i brug igen." if active
                          else "Metoden er taget ud af brug. Den kan ikke længere vælges.")

    @post("/organisation/tilbud/{institution_id:int}/metoder", opt=allow("org.manage"),
          name="institution_methods")
    async def institution_methods(self, request: Request, institution_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        ids = [optional_int(v) for v in form.getall("methods")] if "methods" in form else []
        try:
            if None in ids:
                raise ValidationError({"methods": "Ugyldigt valg af metode"})
            await services.set_institution_methods(request.user, institution_id, ids)
        except ValidationError as exc:
            institution = await services.get_institution(request.user, institution_id)
            if institution is None:
                raise NotFoundException() from exc
            return Template("org/institution.html", status_code=400, context={
                "institution": institution, "errors": exc.errors,
                "all_methods": await services.list_methods(active_only=True),
            })
        return flash.done(f"/organisation/tilbud/{institution_id}", "Tilbuddets metoder er gemt. Supervisorer "
                          "matches nu mod dem.", "/supervision/match", "Se matchende supervisorer")


class ImportController(Controller):
    path = "/admin/import"
    include_in_schema = False

    @staticmethod
    async def _page(status: int = 200, **context) -> Template:
        return Template("org/import.html", status_code=status, context={
            "result": None, "errors": {}, "values": {}, "refused": await payroll_drop.refused_unseen(), **context})

    @get("/", opt=allow("org.manage"), name="import_form")
    async def form(self) -> Template:
        return await self._page()

    @post("/", opt=allow("org.manage"), name="import_submit")
    async def submit(self, request: Request) -> Template:
        form = await request.form()
        upload = form.get("file")
        dry_run = form.get("apply") != "1"
        mark_missing = form.get("mark_missing") == "1"
        values = {"mark_missing": mark_missing}
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self._page(400, values=values, errors={"file": "Vælg en CSV- eller XLSX-fil"})
        content = await upload.read()
        try:
            result = await run_import(upload.filename, content, dry_run=dry_run,
                                      mark_missing=mark_missing, principal=request.user)
        except ImportFileError as exc:
            return await self._page(400, values=values, errors={"file": str(exc)})
        return await self._page(200 if result.ok else 400, result=result, values=values, filename=upload.filename)

    @post("/loenfiler/{file_id:int}/set", opt=allow("org.manage"), name="payroll_file_seen")
    async def seen(self, request: Request, file_id: FromPath[int]) -> Redirect:
        if not await payroll_drop.mark_seen(request.user, file_id):
            raise NotFoundException()
        return flash.done("/admin/import#afviste-loenfiler", "Den afviste lønfil er markeret som set og fjernet fra "
                          "forsiden.")


class InstitutionAdminController(Controller):
    """HR creates and edits institutions (tilbud) and their target groups."""

    include_in_schema = False

    async def _form(self, request: Request, institution: dict | None, errors=None, values=None,
                    status: int = 200) -> Template:
        return Template("org/institution_form.html", status_code=status, context={
            "institution": institution, "target_groups": await services.list_target_groups(),
            "errors": errors or {}, "values": values if values is not None else (institution or {}),
        })

    @staticmethod
    async def _values(request: Request) -> dict:
        form = await request.form()
        ids = [optional_int(v) for v in form.getall("target_groups")] if "target_groups" in form else []
        return {k: str(form.get(k, "")) for k in ("code", "name", "kind", "places", "new_target_group")} | {
            "target_group_ids": [i for i in ids if i is not None], "bad_ids": None in ids}

    async def _save(self, request: Request, institution_id: int | None) -> Template | Redirect:
        values = await self._values(request)
        institution = await services.get_institution(request.user, institution_id) if institution_id else None
        if institution_id and institution is None:
            raise NotFoundException()
        try:
            if values["bad_ids"]:
                raise ValidationError({"target_groups": "Ugyldigt valg af målgruppe"})
            saved = await services.save_institution(
                request.user, institution_id, values["code"], values["name"], values["kind"], values["places"],
                values["target_group_ids"], values["new_target_group"])
        except ValidationError as exc:
            return await self._form(request, institution, exc.errors, values, status=400)
        return flash.done(f"/organisation/tilbud/{saved}", "Tilbuddet er gemt." if institution_id
                          else "Tilbuddet er oprettet. Tilføj dets metoder herunder.")

    @get("/organisation/tilbud/ny", opt=allow("org.manage"), name="institution_new")
    async def new(self, request: Request) -> Template:
        return await self._form(request, None, values={})

    @post("/organisation/tilbud/ny", opt=allow("org.manage"), name="institution_create")
    async def create(self, request: Request) -> Template | Redirect:
        return await self._save(request, None)

    @get("/organisation/tilbud/{institution_id:int}/rediger", opt=allow("org.manage"), name="institution_edit")
    async def edit(self, request: Request, institution_id: FromPath[int]) -> Template:
        institution = await services.get_institution(request.user, institution_id)
        if institution is None:
            raise NotFoundException()
        return await self._form(request, institution)

    @post("/organisation/tilbud/{institution_id:int}/rediger", opt=allow("org.manage"), name="institution_update")
    async def update(self, request: Request, institution_id: FromPath[int]) -> Template | Redirect:
        return await self._save(request, institution_id)
