"""HR's pages for the outbox and the scheduled jobs; everyone's notification preferences."""

from __future__ import annotations

import json

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from hr import flash
from hr.auth.rules import allow
from hr.forms import ValidationError, page_number
from hr.notify import engine, scheduler, services
from hr.notify.tables import STATUSES
from hr.settings import get_settings


class OutboxController(Controller):
    path = "/admin/post"
    include_in_schema = False

    @get("/", opt=allow("notify.admin"), name="outbox")
    async def index(self, request: Request) -> Template:
        status = str(request.query_params.get("status", ""))
        return Template("notify/outbox.html", context={
            "result": await services.list_outbox(status if status in STATUSES else "",
                                                 page_number(request.query_params.get("side"))),
            "statuses": STATUSES, "counts": await services.status_counts(),
            "delivering": bool(get_settings().smtp_host)})

    async def _detail(self, request: Request, message_id: int, errors=None, status: int = 200) -> Template:
        message = await services.get_message(request.user, message_id)
        if message is None:
            raise NotFoundException()
        return Template("notify/message.html", status_code=status, context={
            "message": message, "statuses": STATUSES, "errors": errors or {},
            "attachments": json.loads(message["attachments"] or "[]")})

    @get("/{message_id:int}", opt=allow("notify.admin"), name="outbox_message")
    async def detail(self, request: Request, message_id: FromPath[int]) -> Template:
        return await self._detail(request, message_id)

    @post("/{message_id:int}/send-igen", opt=allow("notify.admin"), name="outbox_resend")
    async def resend(self, request: Request, message_id: FromPath[int]) -> Template | Redirect:
        try:
            await services.resend(request.user, message_id)
        except ValidationError as exc:
            return await self._detail(request, message_id, exc.errors, status=400)
        return flash.done(f"/admin/post/{message_id}", "Mailen er lagt i kø igen og sendes ved næste kørsel.",
                          "/admin/post", "Til udbakken")


class ScheduleController(Controller):
    path = "/admin/paamindelser"
    include_in_schema = False

    async def _page(self, errors=None, done: str = "", status: int = 200) -> Template:
        return Template("notify/schedule.html", status_code=status, context={
            "jobs": scheduler.JOBS, "job_names": scheduler.JOB_NAMES, "runs": await scheduler.recent_runs(),
            "switches": await services.switches(),
            "last_sweep": await engine.last_success("sweep"),
            "errors": errors or {}, "done": done})

    @get("/", opt=allow("notify.admin"), name="schedule")
    async def index(self) -> Template:
        return await self._page()

    @post("/typer", opt=allow("notify.admin"), name="schedule_switch")
    async def switch(self, request: Request) -> Template | Redirect:
        form = await request.form()
        choice = {name: form.get(name) == "1" for name in ("enabled", "at_most_once") if name in form}
        try:
            if not choice:
                raise ValidationError({"kind": "Vælg, hvad der skal ændres"})
            await services.set_switch(request.user, str(form.get("kind", "")), **choice)
        except ValidationError as exc:
            return await self._page(exc.errors, status=400)
        label = next(f["label"] for f in await services.switches() if f["kind"] == form.get("kind"))
        if "enabled" in choice:
            done = f"{label}: slået {'til' if choice['enabled'] else 'fra'}"
        else:
            done = f"{label}: " + ("en afbrudt mail sendes ikke igen automatisk; I sender den selv fra Post"
                                   if choice["at_most_once"] else "en afbrudt mail sendes igen automatisk")
        return flash.done("/admin/paamindelser#typer", done)

    @post("/koer", opt=allow("notify.admin"), name="schedule_run")
    async def run_now(self) -> Redirect:
        outcome = await services.sweep_now()
        return flash.done("/admin/paamindelser", outcome.summary)


class PreferenceController(Controller):
    path = "/profil/notifikationer"
    include_in_schema = False

    async def _page(self, request: Request, errors=None, status: int = 200) -> Template:
        return Template("notify/preferences.html", status_code=status, context={
            "pref": await services.preference(request.user), "errors": errors or {}})

    @get("/", opt=allow("self"), name="preferences")
    async def index(self, request: Request) -> Template:
        return await self._page(request)

    @post("/", opt=allow("self"), name="preferences_save")
    async def save(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            await services.save_preference(request.user, str(form.get("mode", "")),
                                           [str(v) for v in form.getall("wanted")] if "wanted" in form else [])
        except ValidationError as exc:
            return await self._page(request, exc.errors, status=400)
        return flash.done(self.path, "Dine valg er gemt. Lovpligtige påmindelser får du altid.", "/", "Til forsiden")
