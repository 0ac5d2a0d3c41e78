"""Competence pages: overview, catalogue, profiles with enrolments, plans and cohorts."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from hr import audit, flash, uploads
from hr.auth.rules import allow
from hr.competence import catalogue, cohorts, enrolments, plans, profile
from hr.exports import export_response
from hr.forms import Page, ValidationError, ids, optional_int, page_number, parse_year
from hr.org.services import filter_choices, list_institutions, list_methods, list_target_groups
from hr.tabular import ImportFileError

BASE = "/kompetence"
PER_PAGE = 50


def _values(form) -> dict:
    return {k: str(v) for k, v in form.items()}


class CompetenceOverviewController(Controller):
    path = BASE
    include_in_schema = False

    async def _data(self, request: Request) -> tuple[dict, list]:
        params = {"tilbud": optional_int(request.query_params.get("tilbud")),
                  "afdeling": optional_int(request.query_params.get("afdeling"))}
        people = await profile.competences(await profile.scoped_employees(
            request.user, params["tilbud"], params["afdeling"]))
        return params, people

    @get("/", opt=allow("competence.view"), name="competence")
    async def index(self, request: Request) -> Template:
        params, people = await self._data(request)
        methods = await profile.institution_methods()
        page = page_number(request.query_params.get("side"))
        people.sort(key=lambda p: (-p.passed_ects, p.name))
        return Template("competence/overview.html", context={
            "params": params, "institution_choices": await list_institutions(request.user),
            "institutions": profile.summarise(people, "institution_id", "institution_name", methods),
            "units": profile.summarise(people, "unit_id", "unit_name", methods),
            "result": Page.of(people, page, PER_PAGE, params)})

    @get("/eksport", opt=allow("competence.view"), name="competence_export")
    async def export(self, request: Request) -> Response:
        params, people = await self._data(request)
        level = str(request.query_params.get("niveau", "medarbejdere"))
        fmt = str(request.query_params.get("format", "csv"))
        await audit.record(request.user, "export", "competence", level, {"rows": len(people)})
        if level in ("afdelinger", "tilbud"):
            key, name = ("unit_id", "unit_name") if level == "afdelinger" else ("institution_id", "institution_name")
            groups = profile.summarise(people, key, name, await profile.institution_methods())
            headers = ["Navn", "Medarbejdere", "Med beståede moduler", "ECTS bestået", "ECTS i gang", "ECTS planlagt",
                       "Metoder uden dækning"]
            rows = [[g["name"], g["people"], g["with_modules"], g["passed_ects"], g["progress_ects"],
                     g["planned_ects"], ", ".join(g["gaps"])] for g in groups]
            return export_response(fmt, f"kompetence-{level}", headers, rows)
        headers = ["Medarbejder", "Tilbud", "Afdeling", "ECTS bestået", "ECTS i gang", "ECTS planlagt",
                   "Beståede moduler", "Metoder"]
        rows = [[p.name, p.institution_name, p.unit_name, p.passed_ects, p.progress_ects, p.planned_ects,
                 ", ".join(m["code"] for m in p.passed_modules), ", ".join(sorted(p.methods))] for p in people]
        return export_response(fmt, "kompetence-medarbejdere", headers, rows)


class CatalogueController(Controller):
    path = f"{BASE}/moduler"
    include_in_schema = False

    async def _list(self, request: Request, errors=None, values=None, status: int = 200) -> Template:
        return Template("competence/modules.html", status_code=status, context={
            "modules": await catalogue.list_modules(), "methods": await list_methods(active_only=True),
            "errors": errors or {}, "values": values or {"ects": "10"}})

    @get("/", opt=allow("competence.view"), name="modules")
    async def index(self, request: Request) -> Template:
        return await self._list(request)

    @post("/", opt=allow("competence.manage"), name="module_create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            module_id = await catalogue.save_module(request.user, None, form)
        except ValidationError as exc:
            values = _values(form)
            values["method_ids"] = ids(form.getall("methods", [])) or []
            return await self._list(request, exc.errors, values, status=400)
        return flash.done(f"{BASE}/moduler/{module_id}", "Modulet er oprettet. Tilføj et hold med datoer og "
                          "pladser.", f"{BASE}/moduler/{module_id}#hold", "Tilføj et hold")

    @get("/eksport", opt=allow("competence.view"), name="modules_export")
    async def export(self, request: Request) -> Response:
        headers = ["Kode", "Titel", "ECTS", "Niveau", "Udbyder", "Fagområde", "Metoder", "Semester", "Start", "Slut",
                   "Sted", "Pladser", "Pris", "Ansøgningsfrist", "Eksamen"]
        rows = []
        for m in await catalogue.list_modules():
            base = [m["code"], m["title"], m["ects"], m["level"], m["provider"], m["subject_area"],
                    "; ".join(x["name"] for x in m["methods"])]
            for r in m["runs"] or [None]:
                rows.append(base + ([r["semester"], r["starts_on"], r["ends_on"], r["place"], r["seats"], r["price"],
                                     r["application_deadline"], r["exam_date"]] if r else [None] * 8))
        return export_response(str(request.query_params.get("format", "csv")), "modulkatalog", headers, rows)

    @get("/import", opt=allow("competence.manage"), name="modules_import")
    async def import_page(self) -> Template:
        return Template("competence/import.html", context={"result": None, "errors": {}})

    @post("/import", opt=allow("competence.manage"), name="modules_import_run")
    async def import_run(self, request: Request) -> Template:
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return Template("competence/import.html", status_code=400,
                            context={"result": None, "errors": {"file": "Vælg en CSV- eller XLSX-fil"}})
        try:
            result = await catalogue.import_catalogue(request.user, upload.filename, await upload.read(),
                                                      dry_run=form.get("apply") != "1")
        except ImportFileError as exc:
            return Template("competence/import.html", status_code=400,
                            context={"result": None, "errors": {"file": str(exc)}})
        return Template("competence/import.html", status_code=200 if result.ok else 400,
                        context={"result": result, "errors": {}, "filename": upload.filename})

    async def _detail(self, request: Request, module_id: int, errors=None, values=None, form_name="",
                      status: int = 200) -> Template:
        module = await catalogue.get_module(module_id)
        if module is None:
            raise NotFoundException()
        if values is None or form_name != "edit":
            edit = {**{k: str(v or "") for k, v in module.items() if k not in ("methods", "runs")},
                    "method_ids": [m["id"] for m in module["methods"]]}
        else:
            edit = values
        return Template("competence/module.html", status_code=status, context={
            "module": module, "methods": await list_methods(active_only=True), "errors": errors or {},
            "form": form_name, "edit": edit, "run_values": values if form_name == "run" else {}})

    @get("/{module_id:int}", opt=allow("competence.view"), name="module")
    async def detail(self, request: Request, module_id: FromPath[int]) -> Template:
        return await self._detail(request, module_id)

    @post("/{module_id:int}", opt=allow("competence.manage"), name="module_update")
    async def update(self, request: Request, module_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            await catalogue.save_module(request.user, module_id, form)
        except ValidationError as exc:
            values = _values(form)
            values["method_ids"] = ids(form.getall("methods", [])) or []
            return await self._detail(request, module_id, exc.errors, values, "edit", status=400)
        return flash.done(f"{BASE}/moduler/{module_id}", "Modulet er gemt.")

    @post("/{module_id:int}/hold", opt=allow("competence.manage"), name="module_run_create")
    async def add_run(self, request: Request, module_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            await catalogue.add_run(request.user, module_id, form)
        except ValidationError as exc:
            return await self._detail(request, module_id, exc.errors, _values(form), "run", status=400)
        return flash.done(f"{BASE}/moduler/{module_id}#hold", "Holdet er tilføjet. Ledere kan nu planlægge "
                          "medarbejdere på det.")


class ProfileController(Controller):
    path = BASE
    include_in_schema = False

    async def _profile(self, request: Request, employee_id: int, errors=None, values=None, focus: int | None = None,
                       status: int = 200, template: str = "competence/profile.html") -> Template:
        if not await enrolments.may_see(request.user, employee_id):
            raise NotFoundException()
        data = await profile.profile(employee_id)
        items = await enrolments.employee_enrolments([employee_id])
        await audit.record(request.user, "read", "competence_profile", employee_id)
        return Template(template, status_code=status, context={
            **data, "enrolments": items, "history": await enrolments.history([e["id"] for e in items]),
            "manage": await enrolments.may_manage(request.user, employee_id), "states": enrolments.STATES,
            "grades": enrolments.GRADES, "funding": enrolments.FUNDING,
            "modules": await catalogue.list_modules(active_only=True),
            "goals": await plans.goal_choices(request.user, data["competence"].institution_id),
            "errors": errors or {}, "values": values or {}, "focus": focus,
            "nominations": await cohorts.my_nominations(request.user)
            if employee_id == request.user.employee_id else [],
            "cohort_statuses": cohorts.STATUSES})

    @get("/mit", opt=allow("self"), name="my_competence")
    async def mine(self, request: Request) -> Template | Redirect:
        if request.user.employee_id is None:
            return Template("competence/no_profile.html")
        return await self._profile(request, request.user.employee_id)

    @get("/medarbejdere/{employee_id:int}", opt=allow("competence.view"), name="competence_profile")
    async def detail(self, request: Request, employee_id: FromPath[int]) -> Template:
        return await self._profile(request, employee_id)

    @post("/medarbejdere/{employee_id:int}/forloeb", opt=allow("competence.view"), name="enrolment_create")
    async def plan(self, request: Request, employee_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            await enrolments.plan(request.user, employee_id, form)
        except ValidationError as exc:
            return await self._profile(request, employee_id, exc.errors, _values(form), status=400)
        return flash.done(f"{BASE}/medarbejdere/{employee_id}", "Forløbet er planlagt og står nu på "
                          "medarbejderens profil.")

    @post("/forloeb/{enrolment_id:int}/status", opt=allow("competence.view"), name="enrolment_state")
    async def change(self, request: Request, enrolment_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        row = await enrolments.get_enrolment(request.user, enrolment_id)
        if row is None:
            raise NotFoundException()
        try:
            await enrolments.change_state(request.user, enrolment_id, form)
        except ValidationError as exc:
            return await self._profile(request, row["employee"], exc.errors, _values(form), focus=enrolment_id,
                                       status=400)
        return flash.done(f"{BASE}/medarbejdere/{row['employee']}#forloeb-{enrolment_id}",
                          "Forløbets status er gemt.")

    @post("/forloeb/{enrolment_id:int}/bevis", opt=allow("competence.view"), name="certificate_upload",
          request_max_body_size=uploads.MAX_REQUEST_BODY)
    async def upload(self, request: Request, enrolment_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        row = await enrolments.get_enrolment(request.user, enrolment_id)
        if row is None:
            raise NotFoundException()
        upload = form.get("file")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise ValidationError({"file": "Vælg en fil"})
            await enrolments.upload_certificate(request.user, enrolment_id, upload.filename, await upload.read())
        except ValidationError as exc:
            return await self._profile(request, row["employee"], exc.errors, focus=enrolment_id, status=400)
        return flash.done(f"{BASE}/medarbejdere/{row['employee']}#forloeb-{enrolment_id}",
                          "Beviset er gemt på forløbet.")

    @get("/beviser/{certificate_id:int}", opt=allow("self"), name="certificate")
    async def certificate(self, request: Request, certificate_id: FromPath[int]) -> Response:
        row = await enrolments.get_certificate(request.user, certificate_id)
        if row is None:
            raise NotFoundException()
        return Response(row["data"], media_type=row["content_type"], headers=uploads.download_headers(row["filename"]))


class PlanController(Controller):
    path = f"{BASE}/planer"
    include_in_schema = False

    async def _list(self, request: Request, errors=None, values=None, status: int = 200) -> Template:
        params = request.query_params
        year = parse_year(params.get("aar"), {}) if params.get("aar") else None
        chosen = await plans.plan_page(request.user, year, optional_int(params.get("tilbud")),
                                       page_number(params.get("side")))
        return Template("competence/plans.html", status_code=status, context={
            **chosen, "year": year, "institution_id": optional_int(params.get("tilbud")),
            "visible_institutions": (await filter_choices(request.user))["institutions"],
            "errors": errors or {}, "values": values or {},
            "institutions": [i for i in await list_institutions(request.user)
                             if request.user.is_hr or i["id"] in request.user.leader_institution_ids]})

    @get("/", opt=allow("competence.view"), name="plans")
    async def index(self, request: Request) -> Template:
        return await self._list(request)

    @post("/", opt=allow("competence.view"), name="plan_create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            plan_id = await plans.create_plan(request.user, form)
        except ValidationError as exc:
            return await self._list(request, exc.errors, _values(form), status=400)
        return flash.done(f"{BASE}/planer/{plan_id}", "Planen er oprettet. Tilføj dens mål herunder.")

    async def _detail(self, request: Request, plan_id: int, errors=None, values=None, status: int = 200) -> Template:
        plan = await plans.get_plan(request.user, plan_id)
        if plan is None:
            raise NotFoundException()
        return Template("competence/plan.html", status_code=status, context={
            "plan": plan, "methods": await list_methods(active_only=True),
            "target_groups": await list_target_groups(), "states": enrolments.STATES,
            "errors": errors or {}, "values": values or {}})

    @get("/{plan_id:int}", opt=allow("competence.view"), name="plan")
    async def detail(self, request: Request, plan_id: FromPath[int]) -> Template:
        return await self._detail(request, plan_id)

    @post("/{plan_id:int}/maal", opt=allow("competence.view"), name="plan_goal_create")
    async def add_goal(self, request: Request, plan_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            await plans.add_goal(request.user, plan_id, form)
        except ValidationError as exc:
            return await self._detail(request, plan_id, exc.errors, _values(form), status=400)
        return flash.done(f"{BASE}/planer/{plan_id}", "Målet er tilføjet planen.")


NOMINATION_SAID = {
    "udvaelg": "Lederen er udvalgt til holdet.",
    "venteliste": "Lederen står nu på ventelisten.",
    "fravaelg": "Indstillingen er fravalgt.",
    "traek": "Indstillingen er trukket tilbage.",
    "accepter": "Du har sagt ja til pladsen på lederuddannelsen. Tillykke!",
    "afslaa": "Du har sagt nej tak til pladsen; den går videre til den næste på ventelisten.",
}
NOMINATION_ACTIONS = {
    "udvaelg": cohorts.select,
    "venteliste": cohorts.waitlist,
    "fravaelg": cohorts.reject,
    "traek": cohorts.withdraw,
    "accepter": lambda p, n: cohorts.answer_offer(p, n, True),
    "afslaa": lambda p, n: cohorts.answer_offer(p, n, False),
}


async def _cohort_page(request: Request, cohort_id: int, errors=None, values=None, status: int = 200) -> Template:
    cohort = await cohorts.get_cohort(request.user, cohort_id)
    if cohort is None:
        raise NotFoundException()
    return Template("competence/cohort.html", status_code=status, context={
        "cohort": cohort, "statuses": cohorts.STATUSES, "leaders": await cohorts.eligible_leaders(request.user),
        "errors": errors or {}, "values": values or {"priority": "1"}})


class CohortController(Controller):
    path = f"{BASE}/hold"
    include_in_schema = False

    async def _list(self, request: Request, errors=None, values=None, status: int = 200) -> Template:
        return Template("competence/cohorts.html", status_code=status, context={
            "cohorts": await cohorts.list_cohorts(), "errors": errors or {}, "values": values or {"capacity": "20",
                                                                                                 "offer_days": "14"}})

    @get("/", opt=allow("competence.view"), name="cohorts")
    async def index(self, request: Request) -> Template:
        return await self._list(request)

    @post("/", opt=allow("competence.manage"), name="cohort_create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            cohort_id = await cohorts.open_cohort(request.user, form)
        except ValidationError as exc:
            return await self._list(request, exc.errors, _values(form), status=400)
        return flash.done(f"{BASE}/hold/{cohort_id}", "Holdet er oprettet, og forstanderne kan nu indstille ledere.")

    @get("/{cohort_id:int}", opt=allow("competence.view"), name="cohort")
    async def detail(self, request: Request, cohort_id: FromPath[int]) -> Template:
        return await _cohort_page(request, cohort_id)

    @post("/{cohort_id:int}/indstil", opt=allow("competence.view"), name="cohort_nominate")
    async def nominate(self, request: Request, cohort_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            await cohorts.nominate(request.user, cohort_id, form)
        except ValidationError as exc:
            return await _cohort_page(request, cohort_id, exc.errors, _values(form), status=400)
        return flash.done(f"{BASE}/hold/{cohort_id}#indstillinger", "Indstillingen er gemt, og HR kan se den.", "/",
                          "Til dine opgaver")

    @post("/{cohort_id:int}/bekraeft", opt=allow("competence.manage"), name="cohort_confirm")
    async def confirm(self, request: Request, cohort_id: FromPath[int]) -> Template | Redirect:
        try:
            await cohorts.confirm(request.user, cohort_id)
        except ValidationError as exc:
            return await _cohort_page(request, cohort_id, exc.errors, status=400)
        return flash.done(f"{BASE}/hold/{cohort_id}", "Holdet er bekræftet og lukket for indstillinger; "
                          "de øvrige indstillede står på ventelisten.")


class NominationController(Controller):
    path = f"{BASE}/indstillinger"
    include_in_schema = False

    async def _act(self, request: Request, nomination_id: int, action: str) -> Template | Redirect:
        run = NOMINATION_ACTIONS[action]
        row = await cohorts.Nomination.select(cohorts.Nomination.cohort, cohorts.Nomination.employee).where(
            cohorts.Nomination.id == nomination_id).first().run()
        if row is None:
            raise NotFoundException()
        try:
            await run(request.user, nomination_id)
        except ValidationError as exc:
            if row["employee"] == request.user.employee_id and not request.user.is_hr:
                return Template("competence/my_answer.html", status_code=400, context={"errors": exc.errors})
            return await _cohort_page(request, row["cohort"], exc.errors, status=400)
        if row["employee"] == request.user.employee_id and not request.user.is_hr:
            return flash.done(f"{BASE}/mit#lederuddannelse", NOMINATION_SAID[action])
        return flash.done(f"{BASE}/hold/{row['cohort']}#indstillinger", NOMINATION_SAID[action])

    @post("/{nomination_id:int}/udvaelg", opt=allow("competence.manage"), name="nomination_select")
    async def select(self, request: Request, nomination_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, nomination_id, "udvaelg")

    @post("/{nomination_id:int}/venteliste", opt=allow("competence.manage"), name="nomination_waitlist")
    async def waitlist(self, request: Request, nomination_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, nomination_id, "venteliste")

    @post("/{nomination_id:int}/fravaelg", opt=allow("competence.manage"), name="nomination_reject")
    async def reject(self, request: Request, nomination_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, nomination_id, "fravaelg")

    @post("/{nomination_id:int}/traek", opt=allow("self"), name="nomination_withdraw")
    async def withdraw(self, request: Request, nomination_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, nomination_id, "traek")

    @post("/{nomination_id:int}/accepter", opt=allow("self"), name="nomination_accept")
    async def accept(self, request: Request, nomination_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, nomination_id, "accepter")

    @post("/{nomination_id:int}/afslaa", opt=allow("self"), name="nomination_decline")
    async def decline(self, request: Request, nomination_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, nomination_id, "afslaa")
