"""Pages for orders (påbud), APVs and the yearly work-environment discussion."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from hr import flash, uploads
from hr.auth.rules import allow
from hr.exports import export_response
from hr.forms import ValidationError, optional_int, page_number, parse_year
from hr.org.services import filter_choices
from hr.workenv import amo, followup

BASE = "/arbejdsmiljoe"


def _values(form) -> dict:
    return {k: str(v) for k, v in form.items()}


async def _handle(call, *args):
    try:
        return await call(*args), None
    except PermissionError as exc:
        raise PermissionDeniedException() from exc
    except ValidationError as exc:
        return None, exc.errors


class OrderController(Controller):
    path = f"{BASE}/paabud"
    include_in_schema = False

    async def _list(self, request: Request, errors=None, values=None, status: int = 200) -> Template:
        institutions = await amo.manageable_institutions(request.user)
        owners = await amo.leader_choices([i["id"] for i in institutions])
        params = request.query_params
        state = str(params.get("status", ""))
        wanted = amo.OrderFilter(institution_id=optional_int(params.get("tilbud")),
                                 state=state if state in amo.ORDER_STATES else "")
        return Template("workenv/orders.html", status_code=status, context={
            "result": await amo.order_page(request.user, wanted, page_number(params.get("side"))),
            "wanted": wanted, "states": amo.ORDER_STATES,
            "visible_institutions": (await filter_choices(request.user))["institutions"], "types": amo.ORDER_TYPES,
            "institutions": institutions, "units": await amo.manageable_units(request.user),
            "owners": owners, "errors": errors or {},
            "values": values or {}})

    @get("/", opt=allow("workenv.amo"), name="orders")
    async def index(self, request: Request) -> Template:
        return await self._list(request)

    @get("/eksport", opt=allow("workenv.amo"), name="orders_export")
    async def export(self, request: Request) -> Response:
        orders = await amo.list_orders(request.user)
        headers = ["Sagsnummer", "Type", "Modtaget", "Tilbud", "Afdeling", "Overtrådt regel", "Frist",
                   "Svarfrist", "Ansvarlig", "AMO orienteret", "Svar sendt", "Afsluttet", "Overskredet"]
        rows = [[o["case_number"], o["type_label"], o["received_on"], o["institution_name"], o["unit_name"],
                 o["rule_breached"], o["compliance_deadline"], o["reply_deadline"], o["responsible_name"],
                 o["amo_informed_on"], o["reply_sent_on"], o["closed_on"], o["overdue"]] for o in orders]
        return export_response(str(request.query_params.get("format", "csv")), "paabud", headers, rows)

    @post("/", opt=allow("workenv.amo"), name="order_create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        order_id, errors = await _handle(amo.create_order, request.user, form)
        if errors:
            return await self._list(request, errors, _values(form), status=400)
        return flash.done(f"{BASE}/paabud/{order_id}", "Påbuddet er registreret. Husk at orientere AMO og at "
                          "planlægge handlinger.", f"{BASE}/paabud/{order_id}#handlinger", "Tilføj en handling")

    async def _detail(self, request: Request, order_id: int, errors=None, values=None, status=200) -> Template:
        order = await amo.get_order(request.user, order_id)
        if order is None:
            raise NotFoundException()
        return Template("workenv/order.html", status_code=status, context={
            "order": order, "actions": await followup.actions_for("order", order_id),
            "owners": await followup.owner_choices(order["institution"]) if order["can_manage"] else [],
            "priorities": followup.PRIORITIES, "errors": errors or {}, "values": values or {}, "today": amo.today()})

    @get("/{order_id:int}", opt=allow("workenv.amo"), name="order")
    async def detail(self, request: Request, order_id: FromPath[int]) -> Template:
        return await self._detail(request, order_id)

    @post("/{order_id:int}", opt=allow("workenv.amo"), name="order_update")
    async def update(self, request: Request, order_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        _, errors = await _handle(amo.update_order, request.user, order_id, form)
        if errors:
            return await self._detail(request, order_id, errors, _values(form), status=400)
        return flash.done(f"{BASE}/paabud/{order_id}", ORDER_STEPS_DONE.get(str(form.get("step", "")),
                                                                            "Påbuddet er opdateret."))

    @post("/{order_id:int}/dokumenter", opt=allow("workenv.amo"), name="order_document_add",
          request_max_body_size=uploads.MAX_REQUEST_BODY)
    async def add_document(self, request: Request, order_id: FromPath[int]) -> Template | Redirect:
        from litestar.datastructures import UploadFile

        form = await request.form()
        upload = form.get("document")
        is_file = isinstance(upload, UploadFile)
        filename, content = (upload.filename or "", await upload.read()) if is_file else ("", b"")
        stored, errors = await _handle(amo.add_order_document, request.user, order_id, filename, content)
        if errors:
            return await self._detail(request, order_id, errors, {}, status=400)
        return flash.done(f"{BASE}/paabud/{order_id}#dokumenter", f"Dokumentet {stored} er gemt på påbuddet.")

    @get("/{order_id:int}/dokumenter/{document_id:int}", opt=allow("workenv.amo"), name="order_document")
    async def document(self, request: Request, order_id: FromPath[int], document_id: FromPath[int]) -> Response:
        row = await amo.get_order_document(request.user, order_id, document_id)
        if row is None:
            raise NotFoundException()
        return Response(row["data"], media_type=row["content_type"], headers=uploads.download_headers(row["filename"]))

    @post("/{order_id:int}/handlinger", opt=allow("workenv.amo"), name="order_action_add")
    async def add_action(self, request: Request, order_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        _, errors = await _handle(followup.add_action, request.user, "order", order_id, form)
        if errors:
            return await self._detail(request, order_id, errors, _values(form), status=400)
        return flash.done(f"{BASE}/paabud/{order_id}#handlinger", "Handlingen er oprettet, og den ansvarlige kan se "
                          "den under Handlinger.")


ORDER_STEPS_DONE = {
    "amo": "Det er registreret, at AMO er orienteret. Næste trin: send svaret til Arbejdstilsynet.",
    "reply": "Det er registreret, at svaret er sendt til Arbejdstilsynet.",
    "close": "Påbuddet er afsluttet.",
}


class ApvController(Controller):
    path = f"{BASE}/apv"
    include_in_schema = False

    async def _overview(self, request: Request, errors=None, values=None, status: int = 200) -> Template:
        params = request.query_params
        wanted = {"tilbud": optional_int(params.get("tilbud")), "revision": params.get("revision") == "1"}
        return Template("workenv/apv_overview.html", status_code=status, context={
            "units": await amo.apv_overview(request.user, wanted["tilbud"], wanted["revision"]), "wanted": wanted,
            "manageable": await amo.manageable_units(request.user),
            "errors": errors or {}, "values": values or {}, "interval": amo.APV_INTERVAL_YEARS})

    @get("/", opt=allow("workenv.amo"), name="apvs")
    async def index(self, request: Request) -> Template:
        return await self._overview(request)

    @get("/eksport", opt=allow("workenv.amo"), name="apvs_export")
    async def export(self, request: Request) -> Response:
        units = await amo.apv_overview(request.user)
        headers = ["Tilbud", "Afdeling", "Seneste APV", "Næste senest", "Forfalden", "I gang siden"]
        rows = [[u["institution_name"], u["name"], u["last_completed"], u["next_due"], u["overdue"],
                 u["in_progress"]["started_on"] if u["in_progress"] else None] for u in units]
        return export_response(str(request.query_params.get("format", "csv")), "apv", headers, rows)

    @post("/", opt=allow("workenv.amo"), name="apv_start")
    async def start(self, request: Request) -> Template | Redirect:
        form = await request.form()
        apv_id, errors = await _handle(amo.start_apv, request.user, form)
        if errors:
            return await self._overview(request, errors, _values(form), status=400)
        return flash.done(f"{BASE}/apv/{apv_id}", "APV'en er startet. Registrér hver fase, når den er gennemført.")

    async def _detail(self, request: Request, apv_id: int, errors=None, values=None, status=200) -> Template:
        apv = await amo.get_apv(request.user, apv_id)
        if apv is None:
            raise NotFoundException()
        return Template("workenv/apv.html", status_code=status, context={
            "apv": apv, "phases": amo.APV_PHASES, "actions": await followup.actions_for("apv", apv_id),
            "owners": await followup.owner_choices(apv["institution"]) if apv["can_manage"] else [],
            "priorities": followup.PRIORITIES, "errors": errors or {}, "values": values, "today": amo.today()})

    @post("/aendret", opt=allow("workenv.amo"), name="apv_work_changed")
    async def work_changed(self, request: Request) -> Template | Redirect:
        form = await request.form()
        unit_name, errors = await _handle(amo.record_work_change, request.user, form)
        if errors:
            return await self._overview(request, errors, {**_values(form), "form": "change"}, status=400)
        return flash.done(f"{BASE}/apv", f"Det er registreret, at arbejdet i {unit_name} er ændret. Afdelingens APV "
                          "skal revideres: start den her.")

    @get("/{apv_id:int}", opt=allow("workenv.amo"), name="apv")
    async def detail(self, request: Request, apv_id: FromPath[int]) -> Template:
        return await self._detail(request, apv_id)

    @post("/{apv_id:int}", opt=allow("workenv.amo"), name="apv_update")
    async def update(self, request: Request, apv_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        _, errors = await _handle(amo.update_apv, request.user, apv_id, form)
        if errors:
            return await self._detail(request, apv_id, errors, _values(form), status=400)
        return flash.done(f"{BASE}/apv/{apv_id}", "APV'en er afsluttet. Næste APV skal være lavet inden for "
                          f"{amo.APV_INTERVAL_YEARS} år." if form.get("complete") == "1" else "APV'ens faser er gemt.")

    @post("/{apv_id:int}/handlinger", opt=allow("workenv.amo"), name="apv_action_add")
    async def add_action(self, request: Request, apv_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        _, errors = await _handle(followup.add_action, request.user, "apv", apv_id, form)
        if errors:
            return await self._detail(request, apv_id, errors, _values(form), status=400)
        return flash.done(f"{BASE}/apv/{apv_id}#handlinger", "Handlingen er oprettet, og den ansvarlige kan se den "
                          "under Handlinger.")


class DiscussionController(Controller):
    path = f"{BASE}/droeftelser"
    include_in_schema = False

    async def _list(self, request: Request, errors=None, values=None, status: int = 200) -> Template:
        institutions = await amo.manageable_institutions(request.user)
        if not request.user.is_hr:
            institutions = [i for i in institutions if i["id"] in request.user.leader_institution_ids]
        params = request.query_params
        year = parse_year(params.get("aar"), {}) if params.get("aar") else None
        chosen_institution = optional_int(params.get("tilbud"))
        return Template("workenv/discussions.html", status_code=status, context={
            **await amo.discussion_page(request.user, year, chosen_institution, page_number(params.get("side"))),
            "year": year, "institution_id": chosen_institution, "this_year": amo.today().year,
            "missing": await amo.missing_discussions(request.user, amo.today().year),
            "visible_institutions": (await filter_choices(request.user))["institutions"], "institutions": institutions,
            # Opened from HR's overview for one institution: its registration is ready to fill in.
            "errors": errors or {}, "values": values or ({"institution": str(chosen_institution)}
                                                         if chosen_institution else {})})

    @get("/", opt=allow("workenv.amo"), name="discussions")
    async def index(self, request: Request) -> Template:
        return await self._list(request)

    @post("/", opt=allow("workenv.amo"), name="discussion_create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        _, errors = await _handle(amo.record_discussion, request.user, form)
        if errors:
            return await self._list(request, errors, _values(form), status=400)
        return flash.done(f"{BASE}/droeftelser", "Den årlige arbejdsmiljødrøftelse er registreret.")
