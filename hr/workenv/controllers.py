"""Work-environment pages: the phone-first report form, lists, worklists, detail and amendments."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from hr import audit, flash
from hr.auth.rules import allow
from hr.db import now
from hr.exports import EXPORT_LIMIT, export_response
from hr.forms import Page, ValidationError, local_today, optional_int, page_number, parse_period
from hr.org.services import filter_choices
from hr.settings import TIMEZONE
from hr.workenv import absence, choices, easy, followup, services, support
from hr.workenv.deadlines import ABSENCE_KINDS

BASE = "/arbejdsmiljoe"


def _form_context(incident: dict) -> dict:
    local = incident["occurred_at"].astimezone(TIMEZONE) if incident.get("occurred_at") else None
    return {
        **incident,
        "occurred_date": local.date().isoformat() if local else "",
        "occurred_time": local.strftime("%H:%M") if local else "",
    }


def _values_from_form(form) -> dict:
    """Echo what was typed back into the form after an error, so nothing is lost."""
    values = {k: str(form.get(k, "")) for k in (
        "kind", "occurred_date", "occurred_time", "unit", "place_type", "place_detail", "citizen_pseudonym",
        "violence_type", "description", "antecedents", "escalation", "immediate_action", "severity",
        "injury_type", "body_part", "expected_absence", "legal_framework", "force_category")}
    values["reporter_identity_shared"] = form.get("reporter_identity_shared") == "1"
    values["unit"] = optional_int(values["unit"])
    values["severity"] = optional_int(values["severity"])
    return values


def _worklist_filter(params, errors: dict) -> services.WorklistFilter:
    kind = str(params.get("type", ""))
    return services.WorklistFilter(institution_id=optional_int(params.get("tilbud")),
                                   unit_id=optional_int(params.get("afdeling")),
                                   kind=kind if kind in choices.KINDS else "", overdue_only=params.get("over") == "1",
                                   period=parse_period(params, errors))


class IncidentController(Controller):
    path = BASE
    include_in_schema = False

    @get("/", opt=allow("workenv.report"), name="workenv_home")
    async def home(self, request: Request) -> Template:
        principal = request.user
        mine = await services.list_incidents(principal, page=page_number(request.query_params.get("side")))
        return Template("workenv/home.html", context={
            "drafts": await services.my_drafts(principal), "result": mine, "choices": choices,
            "sees_others": bool(principal.roles & {"leader", "hr", "amr"}),
            "can_import": bool(principal.roles & {"leader", "hr"}),
        })

    @post("/haendelser", opt=allow("workenv.report"), name="incident_create")
    async def create(self, request: Request) -> Redirect | Template:
        try:
            incident_id = await services.create_draft(request.user)
        except services.TooManyReports:
            return Template("errors/error.html", status_code=429, context={"status": 429,
                "title": "For mange nye indberetninger",
                "message": "Du har påbegyndt mange indberetninger den seneste time. Brug en af dine kladder, "
                           "eller vent lidt og prøv igen."})
        return Redirect(path=f"{BASE}/haendelser/{incident_id}/rediger")

    async def _render_form(self, request: Request, incident_id: int, values: dict, staff: list[int],
                           factors: list[int], errors: dict, status: int = 200,
                           back_after_login: bool = False) -> Template:
        unit_id = values.get("unit")
        return Template("workenv/report_form.html", status_code=status, context={
            "incident_id": incident_id, "values": values, "errors": errors, "choices": choices,
            "back_after_login": back_after_login,
            "units": await services.reportable_units(request.user),
            "unit_staff": await services.unit_staff(unit_id), "chosen_staff": set(staff),
            "factors": await services.active_factors(), "chosen_factors": set(factors),
        })

    @get("/haendelser/{incident_id:int}/rediger", opt=allow("workenv.report"), name="incident_edit")
    async def edit(self, request: Request, incident_id: FromPath[int]) -> Template | Redirect:
        draft = await services.draft_for_editing(request.user, incident_id)
        if draft is None:
            if await services.get_incident(request.user, incident_id, log_read=False):
                return Redirect(path=f"{BASE}/haendelser/{incident_id}")
            raise NotFoundException()
        return await self._render_form(request, incident_id, _form_context(draft.incident), draft.staff,
                                       draft.factors, {}, back_after_login=request.query_params.get("igen") == "1")

    @post("/haendelser/{incident_id:int}/rediger", opt=allow("workenv.report"), name="incident_save")
    async def save(self, request: Request, incident_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        action = form.get("action", "save")
        try:
            if action == "delete":
                if not await services.delete_draft(request.user, incident_id):
                    raise NotFoundException()
                return flash.done(f"{BASE}/", "Kladden er slettet.")
            if action == "submit":
                await services.submit(request.user, incident_id, form)
                return Redirect(path=f"{BASE}/haendelser/{incident_id}?indsendt=1")
            errors = await services.save_draft(request.user, incident_id, form)
        except ValidationError as exc:
            # Keep what can be kept, then show the form again with every field as typed.
            await services.save_draft(request.user, incident_id, form)
            report = services.parse_form(form)
            return await self._render_form(request, incident_id, _values_from_form(form), report.staff,
                                           report.factors, exc.errors, status=400)
        report = services.parse_form(form)
        if errors:
            return await self._render_form(request, incident_id, _values_from_form(form), report.staff,
                                           report.factors, errors, status=400)
        return flash.done(f"{BASE}/haendelser/{incident_id}/rediger",
                          "Kladden er gemt. Du finder den på forsiden, når du vil gøre den færdig.",
                          "/", "Til forsiden")

    @post("/haendelser/{incident_id:int}/kladde", opt=allow("workenv.report"), name="incident_autosave")
    async def autosave(self, request: Request, incident_id: FromPath[int]) -> Template:
        form = await request.form()
        errors = await services.save_draft(request.user, incident_id, form)
        return Template("workenv/_autosave.html", context={"errors": errors})

    @get("/afdelingens-medarbejdere", opt=allow("workenv.report"), name="incident_unit_staff")
    async def staff_fragment(self, request: Request) -> Template:
        unit_id = optional_int(request.query_params.get("unit"))
        allowed = unit_id is not None and await services.reportable_unit_institution(request.user, unit_id) is not None
        staff = await services.unit_staff(unit_id) if allowed else []
        return Template("workenv/_staff.html", context={"unit_staff": staff, "chosen_staff": set()})

    @get("/haendelser", opt=allow("workenv.report"), name="incidents")
    async def index(self, request: Request) -> Template:
        params = request.query_params
        result = await services.list_incidents(
            request.user, kind=str(params.get("type", "")), status=str(params.get("status", "")),
            unit_id=optional_int(params.get("unit")), open_only=params.get("aabne") == "1",
            page=page_number(params.get("side")))
        return Template("workenv/list.html", context={"result": result, "choices": choices})

    @get("/haendelser/eksport", opt=allow("workenv.report"), name="incidents_export")
    async def export(self, request: Request) -> Response:
        params = request.query_params
        result = await services.list_incidents(
            request.user, kind=str(params.get("type", "")), status=str(params.get("status", "")),
            unit_id=optional_int(params.get("unit")), open_only=params.get("aabne") == "1",
            page=1, per_page=EXPORT_LIMIT)
        await audit.record(request.user, "export", "incidents", "", {"rows": len(result.items)})
        headers = ["Id", "Type", "Tidspunkt", "Tilbud", "Afdeling", "Sted", "Status", "Alvorlighed",
                   "Borger (pseudonym)", "Indberettet af", "Vold/trussel", "Skade", "Fraværsdage",
                   "Næste frist", "Fristen udløber", "Overskredet", "Gennemgået", "Afsluttet"]
        rows = [[i["id"], choices.KINDS.get(i["kind"], i["kind"]), i["occurred_at"], i["institution_name"],
                 i["unit_name"], choices.PLACE_TYPES.get(i["place_type"], ""), choices.STATUSES.get(i["status"]),
                 i["severity"], i["citizen_pseudonym"], i["reporter_name"] or "Anonym",
                 choices.VIOLENCE_TYPES.get(i["violence_type"], ""), choices.INJURY_TYPES.get(i["injury_type"], ""),
                 i["absence_so_far"], i["next_deadline"].label if i["next_deadline"] else "",
                 i["next_deadline"].due if i["next_deadline"] else None, i["overdue"], i["reviewed_at"],
                 i["closed_at"]] for i in result.items]
        return export_response(str(params.get("format", "csv")), "haendelser", headers, rows)

    @get("/opfoelgning", opt=allow("workenv.worklist"), name="incident_worklist")
    async def worklist(self, request: Request) -> Template:
        params = request.query_params
        errors: dict[str, str] = {}
        wanted = _worklist_filter(params, errors)
        items = await services.worklist(request.user, wanted)
        page = page_number(params.get("side"))
        result = Page.of(items, page, WORKLIST_PAGE, wanted.params())
        return Template("workenv/worklist.html", context={
            "result": result, "choices": choices, "now": now(), "wanted": wanted, "errors": errors,
            **await filter_choices(request.user), "truncated": len(items) >= services.WORKLIST_LIMIT})

    @get("/opfoelgning/eksport", opt=allow("workenv.worklist"), name="incident_worklist_export")
    async def worklist_export(self, request: Request) -> Response:
        items = await services.worklist(request.user, _worklist_filter(request.query_params, {}))
        await audit.record(request.user, "export", "incidents", "", {"rows": len(items)})
        headers = ["Id", "Type", "Tidspunkt", "Tilbud", "Afdeling", "Status", "Indberettet af", "Næste frist",
                   "Fristen udløber", "Overskredet"]
        rows = [[i["id"], choices.KINDS.get(i["kind"], i["kind"]), i["occurred_at"], i.get("institution_name"),
                 i.get("unit_name"), choices.STATUSES.get(i["status"]), i.get("reporter_name") or "Anonym",
                 i["open_deadlines"][0].label if i["open_deadlines"] else "", i["urgency"], i["overdue"]]
                for i in items]
        return export_response(str(request.query_params.get("format", "csv")), "opfoelgning", headers, rows)

    async def _detail(self, request: Request, incident_id: int, errors=None, values=None,
                      status: int = 200, form: str = "amend") -> Template:
        incident = await services.get_incident(request.user, incident_id)
        if incident is None or incident["status"] == "draft":
            raise NotFoundException()
        actions = await followup.actions_for("incident", incident_id)
        owners = await followup.owner_choices(incident["institution"]) if incident["access"].follow_up else []
        blockers = await followup.closing_blockers(incident) \
            if incident["access"].follow_up and incident["status"] != "closed" else []
        periods = await absence.periods_of(incident_id, local_today()) \
            if incident["access"].follow_up and incident["kind"] in ABSENCE_KINDS else []
        steps = followup.steps(
            incident, now(), absence_periods=periods, blockers=blockers,
            open_actions=sum(1 for a in actions if a["status"] == "open"),
            returned_to={"action": "actions"}.get(form, form) if errors and form != "amend" else "") \
            if incident["access"].follow_up else []
        return Template("workenv/detail.html", status_code=status, context={
            "incident": incident, "choices": choices, "amendable": services.AMENDABLE,
            "errors": errors or {}, "values": values or {}, "form": form, "now": now(),
            "submitted": request.query_params.get("indsendt") == "1", "actions": actions, "owners": owners,
            "support_steps": support.STEPS, "support_outcomes": support.OUTCOMES,
            "priorities": followup.PRIORITIES, "blockers": blockers,
            "today": now().astimezone(TIMEZONE).date(),
            "absence_periods": periods, "steps": steps, "step": {s.key: s for s in steps},
            **(await easy.followup_context(incident) if incident["access"].follow_up
               and incident["kind"] in ABSENCE_KINDS else {})})

    async def _followup(self, request: Request, incident_id: int, action, form_name: str,
                        target: str = "", said: str = "Gemt.") -> Template | Redirect:
        form = await request.form()
        try:
            result = await action(request.user, incident_id, form)
        except PermissionError as exc:
            raise PermissionDeniedException() from exc
        except ValidationError as exc:
            values = {k: str(v) for k, v in form.items()}
            return await self._detail(request, incident_id, exc.errors, values, status=400, form=form_name)
        said = result if isinstance(result, str) else said  # a service may word its own confirmation
        return flash.done(f"{BASE}/haendelser/{incident_id}#{target or form_name}", said,
                          f"{BASE}/opfoelgning", "Til opfølgningslisten")

    @post("/haendelser/{incident_id:int}/gennemgang", opt=allow("workenv.followup"), name="incident_review")
    async def review(self, request: Request, incident_id: FromPath[int]) -> Template | Redirect:
        return await self._followup(request, incident_id, followup.record_review, "review",
                                    said="Lederens gennemgang er gemt.")

    @post("/haendelser/{incident_id:int}/stoette", opt=allow("workenv.followup"), name="incident_support")
    async def support(self, request: Request, incident_id: FromPath[int]) -> Template | Redirect:
        return await self._followup(request, incident_id,
                                    lambda p, i, f: support.record(p, i, support.parse_step(f)), "support")

    @post("/haendelser/{incident_id:int}/eksternt", opt=allow("workenv.followup"), name="incident_external")
    async def external(self, request: Request, incident_id: FromPath[int]) -> Template | Redirect:
        return await self._followup(request, incident_id, followup.record_external, "external",
                                    said="Anmeldelser og videresendelse er gemt.")

    @post("/haendelser/{incident_id:int}/fravaer", opt=allow("workenv.followup"), name="incident_absence_add")
    async def add_absence(self, request: Request, incident_id: FromPath[int]) -> Template | Redirect:
        return await self._followup(request, incident_id, absence.add_period, "absence",
                                    said="Fraværsperioden er registreret, og fristerne er regnet om.")

    @post("/haendelser/{incident_id:int}/fravaer/{period_id:int}/afslut", opt=allow("workenv.followup"),
          name="incident_absence_end")
    async def end_absence(self, request: Request, incident_id: FromPath[int],
                          period_id: FromPath[int]) -> Template | Redirect:
        return await self._followup(request, incident_id, lambda p, i, f: absence.end_period(p, i, period_id, f),
                                    "absence", said="Fraværet er afsluttet, og fristerne er regnet om.")

    @post("/haendelser/{incident_id:int}/fravaer/{period_id:int}/slet", opt=allow("workenv.followup"),
          name="incident_absence_delete")
    async def delete_absence(self, request: Request, incident_id: FromPath[int],
                             period_id: FromPath[int]) -> Template | Redirect:
        return await self._followup(request, incident_id, lambda p, i, f: absence.delete_period(p, i, period_id),
                                    "absence", said="Fraværsperioden er slettet, og fristerne er regnet om.")

    @post("/haendelser/{incident_id:int}/afslut", opt=allow("workenv.followup"), name="incident_close")
    async def close(self, request: Request, incident_id: FromPath[int]) -> Template | Redirect:
        return await self._followup(request, incident_id, lambda p, i, f: followup.close_incident(p, i), "close",
                                    said="Hændelsen er afsluttet.")

    @post("/haendelser/{incident_id:int}/handlinger", opt=allow("workenv.followup"), name="incident_action_add")
    async def add_action(self, request: Request, incident_id: FromPath[int]) -> Template | Redirect:
        return await self._followup(
            request, incident_id, lambda p, i, f: followup.add_action(p, "incident", i, f), "action", "handlinger",
            said="Handlingen er oprettet, og den ansvarlige kan se den under Handlinger.")

    @post("/haendelser/{incident_id:int}/easy-oplysninger", opt=allow("workenv.followup"), name="incident_easy")
    async def easy_details(self, request: Request, incident_id: FromPath[int]) -> Template | Redirect:

        return await self._followup(request, incident_id, easy.record_details, "easy")

    @get("/haendelser/{incident_id:int}/easy", opt=allow("workenv.followup"), name="incident_easy_sheet")
    async def easy_sheet(self, request: Request, incident_id: FromPath[int]) -> Template | Response:

        sheet = await self._sheet(request, incident_id)
        if request.query_params.get("format") == "pdf":
            return Response(easy.pdf(sheet), media_type="application/pdf", headers={
                "Content-Disposition": f'attachment; filename="easy-haendelse-{incident_id}.pdf"',
                "Cache-Control": "private, no-store"})
        return Template("workenv/easy_sheet.html", context={"sheet": sheet, "incident_id": incident_id, "now": now()})

    async def _sheet(self, request: Request, incident_id: int):

        try:
            return await easy.sheet_for(request.user, incident_id)
        except PermissionError as exc:
            raise PermissionDeniedException() from exc
        except ValidationError as exc:
            raise NotFoundException() from exc

    @get("/haendelser/{incident_id:int}", opt=allow("workenv.report"), name="incident")
    async def detail(self, request: Request, incident_id: FromPath[int]) -> Template:
        return await self._detail(request, incident_id)

    @post("/haendelser/{incident_id:int}/ret", opt=allow("workenv.report"), name="incident_amend")
    async def amend(self, request: Request, incident_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in ("field", "value", "reason")}
        try:
            await services.amend(request.user, incident_id, values["field"], values["value"], values["reason"])
        except PermissionError as exc:
            if await services.get_incident(request.user, incident_id, log_read=False) is None:
                raise NotFoundException() from exc
            raise PermissionDeniedException() from exc
        except ValidationError as exc:
            return await self._detail(request, incident_id, exc.errors, values, status=400)
        return flash.done(f"{BASE}/haendelser/{incident_id}#rettelser",
                          "Rettelsen er gemt og logget med din begrundelse.")


WORKLIST_PAGE = 50


class ActionController(Controller):
    """Action items across incidents, APVs and orders: tracked until closed."""

    path = f"{BASE}/handlinger"
    include_in_schema = False

    async def _list(self, request: Request, errors=None, status: int = 200) -> Template:
        state = str(request.query_params.get("status", "open"))
        result = await followup.list_actions(request.user, status=state,
                                             page=page_number(request.query_params.get("side")),
                                             only=optional_int(request.query_params.get("handling")),
                                             institution_id=optional_int(request.query_params.get("tilbud")))
        return Template("workenv/actions.html", status_code=status, context={
            "result": result, "priorities": followup.PRIORITIES, "errors": errors or {},
            "today": now().astimezone(TIMEZONE).date()})

    @get("/", opt=allow("workenv.report"), name="actions")
    async def index(self, request: Request) -> Template:
        return await self._list(request)

    @get("/eksport", opt=allow("workenv.report"), name="actions_export")
    async def export(self, request: Request) -> Response:
        result = await followup.list_actions(request.user, status=str(request.query_params.get("status", "open")),
                                             page=1, per_page=EXPORT_LIMIT,
                                             institution_id=optional_int(request.query_params.get("tilbud")))
        await audit.record(request.user, "export", "action_items", "", {"rows": len(result.items)})
        headers = ["Id", "Kilde", "Tilbud", "Afdeling", "Problem", "Tiltag", "Prioritet", "Ansvarlig", "Frist",
                   "Kontrol af virkning", "Status", "Overskredet", "Lukket", "Hvad er gjort"]
        rows = [[a["id"], a["source_type"], a["institution_name"], a["unit_name"], a["problem"], a["measure"],
                 followup.PRIORITIES.get(a["priority"]), a["owner_name"], a["deadline"], a["effect_check"],
                 "Lukket" if a["status"] == "done" else "Åben", a["overdue"], a["closed_at"], a["closing_note"]]
                for a in result.items]
        return export_response(str(request.query_params.get("format", "csv")), "handlinger", headers, rows)

    @post("/{action_id:int}/luk", opt=allow("workenv.report"), name="action_close")
    async def close(self, request: Request, action_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            item = await followup.close_action(request.user, action_id, str(form.get("closing_note", "")))
        except PermissionError as exc:
            raise NotFoundException() from exc
        except ValidationError as exc:
            return await self._list(request, {**exc.errors, "action_id": action_id}, status=400)
        back = str(form.get("back", ""))
        if back == "incident" and item["source_type"] == "incident":
            return flash.done(f"{BASE}/haendelser/{item['source_id']}#handlinger", "Handlingen er lukket.")
        return flash.done(f"{BASE}/handlinger", "Handlingen er lukket.", "/", "Til dine opgaver")


class ForceImportController(Controller):
    """Leaders and HR import use-of-force registrations from the care-record system's export."""

    path = f"{BASE}/magtanvendelser/import"
    include_in_schema = False

    @get("/", opt=allow("workenv.followup"), name="force_import_form")
    async def form(self) -> Template:
        return Template("workenv/force_import.html", context={"result": None, "errors": {}})

    @post("/", opt=allow("workenv.followup"), name="force_import_submit")
    async def submit(self, request: Request) -> Template:
        from litestar.datastructures import UploadFile

        from hr.tabular import ImportFileError
        from hr.workenv.force_import import run_force_import

        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return Template("workenv/force_import.html", status_code=400,
                            context={"result": None, "errors": {"file": "Vælg en CSV- eller XLSX-fil"}})
        try:
            result = await run_force_import(request.user, upload.filename, await upload.read(),
                                            dry_run=form.get("apply") != "1")
        except ImportFileError as exc:
            return Template("workenv/force_import.html", status_code=400,
                            context={"result": None, "errors": {"file": str(exc)}})
        return Template("workenv/force_import.html", status_code=200 if result.ok else 400,
                        context={"result": result, "errors": {}, "filename": upload.filename})


class ForceMonthController(Controller):
    """The month's use of force on children per institution, for the social supervisory authority."""

    path = f"{BASE}/magtanvendelser/maaned"
    include_in_schema = False

    async def _page(self, request: Request, errors: dict | None = None, values: dict | None = None,
                    status: int = 200) -> Template:
        from hr.workenv import force_month

        params = request.query_params
        query, query_errors, institutions = await force_month.parse_query(request.user, params)
        asked = bool(params.get("institution") or params.get("maaned"))
        listing = await force_month.month_list(request.user, query) if query else None
        return Template("workenv/force_month.html", status_code=400 if query_errors and asked else status, context={
            "listing": listing, "institutions": institutions, "query_errors": query_errors if asked else {},
            "chosen": {"institution": str(params.get("institution") or (query.institution if query else "")),
                       "maaned": str(params.get("maaned") or (query.key if query else ""))},
            "errors": errors or {}, "values": values or {}, "today": local_today()})

    @get("/", opt=allow("workenv.followup"), name="force_month")
    async def index(self, request: Request) -> Template:
        return await self._page(request)

    @get("/eksport", opt=allow("workenv.followup"), name="force_month_export")
    async def export(self, request: Request) -> Response | Template:
        from hr.workenv import force_month

        query, errors, _ = await force_month.parse_query(request.user, request.query_params)
        if query is None:
            return await self._page(request, status=400)
        listing = await force_month.month_list(request.user, query)
        await audit.record(request.user, "export", "use_of_force", query.institution, {"rows": len(listing.rows)})
        return export_response(str(request.query_params.get("format", "csv")), f"magtanvendelser-boern-{query.key}",
                               force_month.HEADERS, force_month.export_rows(listing))

    @post("/indberettet", opt=allow("workenv.followup"), name="force_month_reported")
    async def reported(self, request: Request) -> Template | Redirect:
        from hr.web import query_string
        from hr.workenv import force_month

        query, errors, _ = await force_month.parse_query(request.user, request.query_params)
        form = await request.form()
        if query is None:
            return await self._page(request, status=400)
        try:
            marked = await force_month.record_reported(request.user, query, form.get("reported_on"))
        except PermissionError as exc:
            raise PermissionDeniedException() from exc
        except ValidationError as exc:
            return await self._page(request, exc.errors, {k: str(v) for k, v in form.items()}, status=400)
        said = (f"{query.label.capitalize()} er registreret som indberettet til socialtilsynet "
                f"({marked} {'magtanvendelse' if marked == 1 else 'magtanvendelser'}).")
        back = f"{self.path}?{query_string({'institution': query.institution, 'maaned': query.key})}"
        return flash.done(back, said, f"{BASE}/opfoelgning", "Til opfølgningslisten")
