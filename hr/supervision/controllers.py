"""Supervision pages: the supervisor registry, matching per institution, requirements."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from hr import audit, flash
from hr.auth.principal import Role
from hr.auth.rules import PUBLIC, allow
from hr.cache import DASHBOARDS, scope_key
from hr.exports import EXPORT_LIMIT, export_response
from hr.forms import (
    Page,
    ValidationError,
    field_ids,
    local_today,
    optional_int,
    page_number,
    parse_moment,
    parse_period,
    years_from,
)
from hr.org.services import filter_choices, list_institutions, list_methods
from hr.settings import TIMEZONE, get_settings
from hr.supervision import agenda, booking, calendar, compliance, services, slots
from hr.supervision.duties import booking_link, my_status

BASE = "/supervision"


def _values(form) -> dict:
    values = {k: str(v) for k, v in form.items()}
    values["method_ids"] = field_ids(form, "methods") or []
    values["institution_ids"] = field_ids(form, "institutions") or []
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
        return flash.done(f"{BASE}/supervisorer/{supervisor_id}", "Supervisoren er oprettet. Tilføj tider, hvor "
                          "supervisoren kan bookes.", f"{BASE}/supervisorer/{supervisor_id}#tilgaengelighed",
                          "Til tilgængelighed")

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
            "form": form_name, "availability": await services.availability_of(supervisor_id),
            "weekdays": services.WEEKDAYS})

    @get("/{supervisor_id:int}", opt=allow("supervision.manage"), name="supervisor")
    async def detail(self, request: Request, supervisor_id: FromPath[int]) -> Template:
        return await self._detail(request, supervisor_id)

    @post("/{supervisor_id:int}", opt=allow("supervision.manage"), name="supervisor_update")
    async def update(self, request: Request, supervisor_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            await services.save_supervisor(request.user, supervisor_id, form)
        except ValidationError as exc:
            return await self._detail(request, supervisor_id, exc.errors, _values(form), "edit", status=400)
        return flash.done(f"{BASE}/supervisorer/{supervisor_id}", "Supervisorens oplysninger er gemt.")

    async def _availability(self, request: Request, supervisor_id: int, action, said: str) -> Template | Redirect:
        form = await request.form()
        try:
            await action(form)
        except ValidationError as exc:
            return await self._detail(request, supervisor_id, exc.errors, None, "availability", status=400)
        return flash.done(f"{BASE}/supervisorer/{supervisor_id}#tilgaengelighed", said)

    @post("/{supervisor_id:int}/tilgaengelighed", opt=allow("supervision.manage"), name="availability_add")
    async def add_window(self, request: Request, supervisor_id: FromPath[int]) -> Template | Redirect:
        return await self._availability(request, supervisor_id,
                                        lambda f: services.add_window(request.user, supervisor_id, f),
                                        "Tidsrummet er tilføjet. Ledere kan nu booke i det.")

    @post("/{supervisor_id:int}/tilgaengelighed/{window_id:int}/slet", opt=allow("supervision.manage"),
          name="availability_remove")
    async def remove_window(self, request: Request, supervisor_id: FromPath[int],
                            window_id: FromPath[int]) -> Template | Redirect:
        return await self._availability(request, supervisor_id,
                                        lambda f: services.remove_window(request.user, supervisor_id, window_id),
                                        "Tidsrummet er fjernet. Bookinger, der allerede er lavet, står ved magt.")

    @post("/{supervisor_id:int}/fravaer", opt=allow("supervision.manage"), name="availability_day_off")
    async def add_day_off(self, request: Request, supervisor_id: FromPath[int]) -> Template | Redirect:
        return await self._availability(request, supervisor_id,
                                        lambda f: services.add_unavailable_day(request.user, supervisor_id, f),
                                        "Fraværsdagen er registreret. Der kan ikke bookes den dag.")

    @post("/{supervisor_id:int}/undtagelser", opt=allow("supervision.manage"), name="match_exception_create")
    async def add_exception(self, request: Request, supervisor_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            await services.approve_exception(request.user, supervisor_id, optional_int(form.get("institution")),
                                             str(form.get("reason", "")))
        except ValidationError as exc:
            return await self._detail(request, supervisor_id, exc.errors, None, "exception", status=400)
        return flash.done(f"{BASE}/supervisorer/{supervisor_id}#undtagelser", "Undtagelsen er godkendt og logget. "
                          "Supervisoren kan nu bookes af tilbuddet.")


class MatchController(Controller):
    path = f"{BASE}/match"
    include_in_schema = False

    @get("/", opt=allow("supervision.book"), name="supervisor_match")
    async def index(self, request: Request) -> Template:
        institutions = await list_institutions(request.user)
        chosen = optional_int(request.query_params.get("tilbud"))
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
        return flash.done(f"{BASE}/krav", "Kravet er oprettet. Overblikket regner nu med det.",
                          f"{BASE}/overblik", "Til overblikket")


def _parse_start(form) -> datetime | None:
    """None when the date or time is missing, unreadable or outside a year back to two years
    ahead; the booking rule then answers with its own field error."""
    today = local_today()
    return parse_moment(form.get("date"), form.get("time"), {}, "date", required="-",
                        earliest=years_from(today, -1), latest=years_from(today, 2))


def _booking_filter(params, errors: dict) -> booking.BookingFilter:
    status = str(params.get("status", ""))
    missing = params.get("fremmoede") == "mangler"
    return booking.BookingFilter(upcoming=params.get("tid") != "tidligere" and not missing,
                                 institution_id=optional_int(params.get("tilbud")),
                                 unit_id=optional_int(params.get("afdeling")),
                                 status=status if status in booking.BOOKING_STATUSES else "",
                                 attendance_missing=missing, period=parse_period(params, errors))


class BookingController(Controller):
    path = f"{BASE}/bookinger"
    include_in_schema = False

    @get("/", opt=allow("supervision.book"), name="bookings")
    async def index(self, request: Request) -> Template:
        errors: dict[str, str] = {}
        wanted = _booking_filter(request.query_params, errors)
        return Template("supervision/bookings.html", context={
            "result": await booking.booking_page(request.user, wanted, page_number(request.query_params.get("side"))),
            "wanted": wanted, "statuses": booking.BOOKING_STATUSES, "errors": errors,
            **await filter_choices(request.user)})

    @get("/eksport", opt=allow("supervision.book"), name="bookings_export")
    async def export(self, request: Request) -> Response:
        rows = await booking.bookings_for_export(request.user, _booking_filter(request.query_params, {}), EXPORT_LIMIT)
        await audit.record(request.user, "export", "bookings", "", {"rows": len(rows)})
        headers = ["Start", "Slut", "Type", "Supervisor", "Tilbud", "Afdeling", "Sted", "Deltagere", "Pladser",
                   "Status"]
        data = [[b["starts_at"], b["ends_at"], "Gruppe" if b["session_type"] == "group" else "Individuel",
                 b["supervisor_name"], b["institution_name"], b["unit_name"], b["place"] or b["video_link"],
                 b["participant_count"], b["capacity"], booking.BOOKING_STATUSES.get(b["status"], b["status"])]
                for b in rows]
        return export_response(str(request.query_params.get("format", "csv")), "supervision", headers, data)

    async def _form(self, request: Request, errors=None, values=None, status: int = 200) -> Template:
        institutions = await list_institutions(request.user)
        for_person = optional_int(request.query_params.get("medarbejder"))
        if values is None and for_person is not None:  # opened from a duty: that person, a suited supervisor
            values = await booking.prefilled(request.user, for_person)
        chosen = optional_int((values or {}).get("tilbud") or request.query_params.get("tilbud"))
        if chosen is None and institutions:
            chosen = institutions[0]["id"]
        if chosen is not None and chosen not in {i["id"] for i in institutions}:
            raise NotFoundException()
        values = values or {"minutes": "90", "session_type": "group", "capacity": "8"}
        matches = await services.matching(chosen) if chosen else []
        return Template("supervision/booking_form.html", status_code=status, context={
            "institutions": institutions, "chosen": chosen, "matches": matches,
            "free": await slots.free_times(matches, slots.session_minutes(values.get("minutes")),
                                           values.get("participant_ids", []), values.get("uge")),
            "people": await booking.bookable_people(request.user, values.get("q", ""),
                                                    optional_int(values.get("enhed")),
                                                    values.get("participant_ids", []), chosen),
            "units": await booking.bookable_units(request.user, chosen), "errors": errors or {}, "values": values})

    @get("/deltagere", opt=allow("supervision.book"), name="booking_people")
    async def people(self, request: Request) -> Template:
        """The participant search (htmx): PICKER_SIZE matches at a time, never the whole region."""
        params = request.query_params
        found = await booking.bookable_people(request.user, str(params.get("q", ""))[:100],
                                              optional_int(params.get("enhed")),
                                              field_ids(params, "participants") or [],
                                              optional_int(params.get("tilbud")))
        return Template("supervision/_participant_results.html", context={"people": found})

    @get("/ledige", opt=allow("supervision.book"), name="booking_free_times")
    async def free_times(self, request: Request) -> Template:
        """The free times again (htmx) when the participants or the length change."""
        params = request.query_params
        institutions = [i["id"] for i in await list_institutions(request.user)]
        chosen = optional_int(params.get("tilbud")) or next(iter(institutions), None)
        if chosen not in institutions:
            raise NotFoundException()
        values = {"participant_ids": field_ids(params, "participants") or [], "minutes": params.get("minutes", "")}
        free = await slots.free_times(await services.matching(chosen), slots.session_minutes(values["minutes"]),
                                      values["participant_ids"], params.get("uge"))
        return Template("supervision/_free_times.html", context={"free": free, "values": values, "errors": {},
                                                                 "chosen": chosen})

    @get("/ny", opt=allow("supervision.book"), name="booking_new")
    async def new(self, request: Request) -> Template:
        return await self._form(request)

    @post("/ny", opt=allow("supervision.book"), name="booking_create")
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        values = {k: str(v) for k, v in form.items()}
        values["participant_ids"] = field_ids(form, "participants") or []
        if form.get("vis_uge") is not None:  # another week of free times: nothing is booked
            values["uge"] = str(form.get("vis_uge"))
            return await self._form(request, values=values)
        if form.get("action") == "search":  # the participant search without JavaScript: nothing is booked
            return await self._form(request, values=values)
        slot = slots.parse_slot(form.get("slot")) if form.get("slot") else None
        by_hand = slot is None and bool(form.get("date") or form.get("time"))
        supervisor_id, starts_at = slot or (optional_int(form.get("supervisor")) or -1, _parse_start(form))
        try:
            booking_id = await booking.book(
                request.user, supervisor_id=supervisor_id, starts_at=starts_at,
                minutes=optional_int(form.get("minutes")) or 0,
                session_type=str(form.get("session_type", "")), capacity=optional_int(form.get("capacity")) or 0,
                employee_ids=values["participant_ids"], place=str(form.get("place", "")),
                video_link=str(form.get("video_link", "")))
        except ValidationError as exc:
            errors = exc.errors if by_hand else slots.slot_errors(exc.errors, chosen=slot is not None)
            return await self._form(request, errors, values, status=400)
        return flash.done(f"{BASE}/bookinger/{booking_id}", "Supervisionen er booket, og deltagerne og supervisoren "
                          "har fået en invitation til deres kalender.", f"{BASE}/bookinger/ny", "Book en til")

    async def _detail(self, request: Request, booking_id: int, errors=None, status: int = 200,
                      values: dict | None = None) -> Template:
        found = await booking.get_booking(request.user, booking_id)
        if found is None:
            raise NotFoundException()
        start = found["starts_at"].astimezone(TIMEZONE)
        minutes = int((found["ends_at"] - found["starts_at"]).total_seconds() // 60)
        people = (await booking.bookable_people(request.user)
                  if found["session_type"] == "group" and found["manageable"] else None)
        return Template("supervision/booking.html", status_code=status, context={
            "booking": found, "errors": errors or {}, "cutoff_hours": get_settings().supervision_cutoff_hours,
            "people": people, "units": await booking.bookable_units(request.user) if people else [],
            "move": values or {"date": start.date().isoformat(), "time": start.strftime("%H:%M"),
                               "minutes": str(minutes)}})

    @get("/{booking_id:int}", opt=allow("supervision.attendance"), name="booking")
    async def detail(self, request: Request, booking_id: FromPath[int]) -> Template:
        return await self._detail(request, booking_id)

    async def _act(self, request: Request, booking_id: int, action, said: str) -> Template | Redirect:
        form = await request.form()
        try:
            await action(form)
        except ValidationError as exc:
            return await self._detail(request, booking_id, exc.errors, status=400,
                                      values={k: str(v) for k, v in form.items()})
        return flash.done(f"{BASE}/bookinger/{booking_id}", said, "/", "Til dine opgaver")

    @post("/{booking_id:int}/flyt", opt=allow("supervision.book"), name="booking_move")
    async def move(self, request: Request, booking_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, booking_id, lambda f: booking.reschedule(
            request.user, booking_id, _parse_start(f), optional_int(f.get("minutes")) or 0,
            str(f.get("move_reason", ""))), "Supervisionen er flyttet, og alle har fået den nye tid i deres kalender.")

    @post("/{booking_id:int}/aflys", opt=allow("supervision.book"), name="booking_cancel")
    async def cancel(self, request: Request, booking_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, booking_id, lambda f: booking.cancel(
            request.user, booking_id, str(f.get("reason", ""))),
            "Supervisionen er aflyst, og aflysningen er sendt til alle, der var inviteret.")

    @post("/{booking_id:int}/afmeld", opt=allow("supervision.book"), name="booking_leave")
    async def leave(self, request: Request, booking_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, booking_id, lambda f: booking.leave(
            request.user, booking_id, optional_int(f.get("employee")) or -1, str(f.get("reason", ""))),
            "Deltageren er afmeldt og har fået en aflysning; de andre får intet.")

    @post("/{booking_id:int}/tilfoej", opt=allow("supervision.book"), name="booking_add")
    async def add(self, request: Request, booking_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            result = await booking.add_participants(request.user, booking_id, field_ids(form, "participants") or [])
        except ValidationError as exc:
            return await self._detail(request, booking_id, exc.errors, status=400)
        said = []
        if result["seated"]:
            said.append(f"Tilføjet og inviteret: {', '.join(result['seated'])}; de andre deltagere får ingen mail.")
        if result["waiting"]:
            said.append(f"Sessionen er fuld. På venteliste: {', '.join(result['waiting'])}; de får en invitation, "
                        "hvis en plads bliver ledig.")
        return flash.done(f"{BASE}/bookinger/{booking_id}", " ".join(said))

    @post("/{booking_id:int}/fremmoede", opt=allow("supervision.attendance"), name="booking_attendance")
    async def attendance(self, request: Request, booking_id: FromPath[int]) -> Template | Redirect:
        return await self._act(request, booking_id, lambda f: booking.register_attendance(
            request.user, booking_id, field_ids(f, "attended") or []), "Fremmødet er registreret.")


class AgendaController(Controller):
    """Everyone's own sessions and their calendar-subscription link."""

    path = f"{BASE}/kalender"
    include_in_schema = False

    async def _page(self, request: Request, token: str | None = None, errors=None, status: int = 200) -> Template:
        feed_url = f"{get_settings().base_url}{BASE}/feed/{token}" if token else None
        return Template("supervision/agenda.html", status_code=status, context={
            "sessions": await agenda.my_sessions(request.user), "feed_url": feed_url,
            "has_feed": await agenda.has_feed(request.user), "mine": await my_status(request.user),
            "own_booking": booking_link(request.user.employee_id)
            if Role.LEADER in request.user.roles and request.user.employee_id else "", "errors": errors or {}})

    @post("/bed-om-tid", opt=allow("self"), name="agenda_ask")
    async def ask(self, request: Request) -> Template | Redirect:
        try:
            leaders = await agenda.ask_leader_for_session(request.user)
        except ValidationError as exc:
            return await self._page(request, errors=exc.errors, status=400)
        return flash.done(f"{BASE}/kalender", f"{' og '.join(leaders)} har fået besked og kan booke en tid til dig.",
                          "/", "Til forsiden")

    @get("/", opt=allow("self"), name="agenda")
    async def index(self, request: Request) -> Template:
        return await self._page(request)

    @post("/link", opt=allow("self"), name="agenda_feed_new")
    async def new_link(self, request: Request) -> Template:
        return await self._page(request, await agenda.new_feed(request.user))

    @post("/link/slet", opt=allow("self"), name="agenda_feed_revoke")
    async def revoke_link(self, request: Request) -> Redirect:
        await agenda.revoke_feed(request.user)
        return flash.done(f"{BASE}/kalender", "Kalenderlinket er slettet; det virker ikke længere.")


class FeedController(Controller):
    """The subscribable calendar: the secret token in the URL is the only credential, because
    calendar programs cannot log in."""

    path = f"{BASE}/feed"
    include_in_schema = False

    @get("/{token:str}", opt=allow(PUBLIC), name="calendar_feed")
    async def feed(self, token: FromPath[str]) -> Response:
        found = await agenda.feed_sessions(token.removesuffix(".ics"))
        if found is None:
            raise NotFoundException()
        name, sessions = found
        return Response(calendar.feed(sessions, name), media_type="text/calendar",
                        headers={"Content-Disposition": 'inline; filename="supervision.ics"',
                                 "Cache-Control": "private, max-age=300", "Referrer-Policy": "no-referrer"})


class SupervisorCalendarController(Controller):
    path = f"{BASE}/supervisorer/{{supervisor_id:int}}/kalender"
    include_in_schema = False

    @get("/", opt=allow("supervision.manage"), name="supervisor_calendar")
    async def index(self, supervisor_id: FromPath[int]) -> Template:
        supervisor = await services.get_supervisor(supervisor_id)
        if supervisor is None:
            raise NotFoundException()
        return Template("supervision/supervisor_calendar.html", context={
            "supervisor": supervisor, "sessions": await agenda.supervisor_calendar(supervisor_id)})


def _compliance_filters(request: Request) -> dict:
    params = request.query_params
    status = str(params.get("status", ""))
    audience = str(params.get("gruppe", ""))
    return {"institution_id": optional_int(params.get("tilbud")), "unit_id": optional_int(params.get("afdeling")),
            "status": status if status in compliance.STATUSES else "",
            "audience": audience if audience in services.AUDIENCES else "", "unbooked": params.get("ubooket") == "1"}


class ComplianceController(Controller):
    """Who is supervised as required: leaders see their units, HR all."""

    path = f"{BASE}/overblik"
    include_in_schema = False
    PER_PAGE = 50

    @get("/", opt=allow("supervision.compliance"), name="compliance")
    async def index(self, request: Request) -> Template:
        filters = _compliance_filters(request)
        today = local_today()
        people = await compliance.load_people(request.user, filters["institution_id"], filters["unit_id"],
                                              latest_until=today)
        everyone = await compliance.overview(request.user, audience=filters["audience"], people=people, today=today)
        rows = [r for r in everyone if (not filters["status"] or r["status"] == filters["status"])
                and (not filters["unbooked"] or r["needs_booking"])]
        page = page_number(request.query_params.get("side"))
        params = {"tilbud": filters["institution_id"], "afdeling": filters["unit_id"], "status": filters["status"],
                  "gruppe": filters["audience"], "ubooket": "1" if filters["unbooked"] else ""}
        result = Page.of(rows, page, self.PER_PAGE, params)
        # Past months change only when old history is corrected: the trend may be a minute old.
        trend, trend_computed_at = await DASHBOARDS.get(
            ("supervision-trend", scope_key(request.user), filters["institution_id"], filters["unit_id"],
             today), lambda: compliance.trend(request.user, institution_id=filters["institution_id"],
                                              unit_id=filters["unit_id"], today=today))
        return Template("supervision/compliance.html", context={
            "result": result, "params": params, "statuses": compliance.STATUSES, "audiences": services.AUDIENCES,
            "institutions": compliance.summarise(everyone, "institution_id", "institution_name"),
            "institution_choices": await list_institutions(request.user),
            "units": compliance.summarise(everyone, "unit_id", "unit_name"),
            "trend": trend, "trend_computed_at": trend_computed_at})

    @get("/eksport", opt=allow("supervision.compliance"), name="compliance_export")
    async def export(self, request: Request) -> Response:
        rows = await compliance.overview(request.user, **_compliance_filters(request))
        await audit.record(request.user, "export", "supervision_compliance", "", {"rows": len(rows)})
        headers = ["Medarbejder", "Tilbud", "Afdeling", "Gruppe", "Status", "Bemærkning", "Krav",
                   "Senest deltaget", "Næste supervision senest", "Næste booket"]
        data = [[r["name"], r["institution_name"], r["unit_name"], services.AUDIENCES[r["audience"]],
                 r["status_label"], r["note"], r["requirement"], r["last_attended"], r["due"], r["next_booked"]]
                for r in rows]
        return export_response(str(request.query_params.get("format", "csv")), "supervision-overblik", headers, data)

    @get("/udvikling/eksport", opt=allow("supervision.compliance"), name="compliance_trend_export")
    async def trend_export(self, request: Request) -> Response:
        filters = _compliance_filters(request)
        months = await compliance.trend(request.user, institution_id=filters["institution_id"],
                                        unit_id=filters["unit_id"])
        headers = ["Måned", "Andel ikke overskredet (%)", "Overholdt", "Forfalder snart", "Overskredet",
                   "Fritaget", "Intet krav"]
        data = [[m["month"], m["share"], m["compliant"], m["due_soon"], m["overdue"], m["exempt"], m["none"]]
                for m in months]
        return export_response(str(request.query_params.get("format", "csv")), "supervision-udvikling", headers,
                               data)
