"""Monthly management information: work environment, supervision and competence on one page,
as the region's strategy asks, for the viewer's scope (leaders: their units; HR: the region)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

from litestar import Controller, Request, Response, get
from litestar.response import Template

from hr import audit
from hr.auth.rules import allow
from hr.cache import DASHBOARDS, scope_key
from hr.charts import spc_svg
from hr.competence import cohorts, plans, profile
from hr.db import now
from hr.exports import export_response
from hr.forms import optional_int
from hr.org.services import list_institutions
from hr.settings import TIMEZONE
from hr.supervision import compliance
from hr.workenv import dashboards


async def _supervision(principal, day: date, institution_id: int | None = None) -> dict:
    """Compliance as it stood at the end of the month (or today, for the running month)."""
    people = await compliance.load_people(principal, institution_id)
    rows = await compliance.overview(principal, people=people, today=day)
    counted = [r for r in rows if r["status"] in ("overdue", "due_soon", "compliant")]
    return {"people": len(rows), "overdue": sum(1 for r in counted if r["status"] == "overdue"),
            "share": round(100 * sum(1 for r in counted if r["status"] != "overdue") / len(counted))
            if counted else None,
            "trend": await compliance.trend(principal, months=6, people=people, today=day)}


async def _competence(principal, institution_id: int | None = None) -> dict:
    people = await profile.competences(await profile.scoped_employees(principal, institution_id))
    return {"people": len(people), "passed_ects": sum((c.passed_ects for c in people), Decimal(0)),
            "progress_ects": sum((c.progress_ects for c in people), Decimal(0)),
            "with_modules": sum(1 for c in people if c.passed_modules)}


def _month_end(month: date) -> date:
    following = (month + timedelta(days=32)).replace(day=1)
    return min(following - timedelta(days=1), now().astimezone(TIMEZONE).date())


async def report(principal, month: date, institution_id: int | None = None) -> dict:
    """The month's figures for the person's scope, or one institution of it (checked by the caller)."""
    start = (month - timedelta(days=31 * 23)).replace(day=1)
    query = dashboards.parse({"fra": start.strftime("%Y-%m"), "til": month.strftime("%Y-%m"),
                              "tilbud": institution_id or ""}, principal)
    # The three domains are independent: their queries run side by side.
    work, supervision, competence, year_plans, all_cohorts = await asyncio.gather(
        dashboards.build(principal, query), _supervision(principal, _month_end(month), institution_id),
        _competence(principal, institution_id), plans.list_plans(principal, year=month.year),
        cohorts.list_cohorts())
    if institution_id:
        year_plans = [p for p in year_plans if p["institution"] == institution_id]
    this = work["monthly"][-1]
    previous = work["monthly"][-13:-1]
    median_count = sorted(r["incidents"] for r in previous)[len(previous) // 2] if previous else None
    return {
        "month": month, "work": work, "this": this, "median_count": median_count,
        "rate_chart": spc_svg(work["rate"], "Hændelser pr. 100 årsværk, seneste 24 måneder", "pr. 100 årsværk",
                              "mi-rate") if work["rate"] else None,
        "supervision": supervision, "competence": competence, "plans": year_plans,
        "cohort": next((c for c in all_cohorts if c["year"] == month.year), None)}


def figures(context: dict) -> list[list]:
    """The page's key figures as rows (area, figure, value) for CSV and XLSX."""
    this, supervision, competence = context["this"], context["supervision"], context["competence"]
    cohort = context["cohort"]
    rows = [
        ["Arbejdsmiljø", "Hændelser i måneden", this["incidents"]],
        ["Arbejdsmiljø", "Median for de 12 foregående måneder", context["median_count"]],
        ["Arbejdsmiljø", "Hændelser pr. 100 årsværk", this["rate"]],
        ["Arbejdsmiljø", "Fraværsdage", this["absence_days"]],
        ["Arbejdsmiljø", "Fulgt op inden for 7 dage (%)", this["on_time_share"]],
        ["Supervision", "Andel uden overskredet supervision (%)", supervision["share"]],
        ["Supervision", "Overskredet", supervision["overdue"]],
        ["Supervision", "Medarbejdere", supervision["people"]],
        *[["Supervision", f"Andel uden overskredet supervision {m['month']} (%)", m["share"]]
          for m in supervision["trend"]],
        ["Kompetence", "Medarbejdere med beståede diplommoduler", competence["with_modules"]],
        ["Kompetence", "Medarbejdere", competence["people"]],
        ["Kompetence", "ECTS bestået i alt", competence["passed_ects"]],
        ["Kompetence", "ECTS i gang", competence["progress_ects"]],
        ["Kompetence", f"Lederuddannelsen {context['month'].year}: pladser besat",
         f"{cohort['taken']} af {cohort['capacity']}" if cohort else "Intet hold"],
        *[["Kompetenceplan", p["title"], f"mål {p['target']}, planlagt {p['planned']}, gennemført {p['completed']}"]
          for p in context["plans"]],
    ]
    return rows


class ManagementController(Controller):
    path = "/ledelsesinformation"
    include_in_schema = False

    async def _report(self, request: Request) -> tuple:
        this_month = now().astimezone(TIMEZONE).date().replace(day=1)
        default = (this_month - timedelta(days=1)).replace(day=1)
        raw = request.query_params.get("maaned")
        month = dashboards.parse_month(raw) if raw else default
        errors = {}
        if month is None or month > this_month:
            errors["maaned"] = "Vælg en måned, der er begyndt (ÅÅÅÅ-MM)"
            month = default
        institution_id = optional_int(request.query_params.get("tilbud"))
        institutions = await list_institutions(request.user)
        if institution_id is not None and institution_id not in {i["id"] for i in institutions}:
            errors["tilbud"] = "Vælg et af dine tilbud"
            institution_id = None
        await audit.record(request.user, "read", "management_information", month.strftime("%Y-%m"))
        key = ("management", scope_key(request.user), month, institution_id)
        context, computed_at = await DASHBOARDS.get(key, lambda: report(request.user, month, institution_id))
        return context, errors, computed_at, month, institution_id, institutions

    @get("/", opt=allow("mi.view"), name="management_information")
    async def index(self, request: Request) -> Template:
        context, errors, computed_at, month, institution_id, institutions = await self._report(request)
        return Template("management.html", context={
            **context, "errors": errors, "computed_at": computed_at, "chosen": month.strftime("%Y-%m"),
            "institution_id": institution_id, "institutions": institutions,
            "params": {"maaned": month.strftime("%Y-%m"), "tilbud": institution_id or ""}})

    @get("/eksport", opt=allow("mi.view"), name="management_information_export")
    async def export(self, request: Request) -> Response:
        context, _, _, month, institution_id, institutions = await self._report(request)
        place = next((i["name"] for i in institutions if i["id"] == institution_id), "")
        await audit.record(request.user, "export", "management_information", month.strftime("%Y-%m"),
                           {"institution": institution_id} if institution_id else {})
        name = f"ledelsesinformation-{month:%Y-%m}" + (f"-{institution_id}" if institution_id else "")
        return export_response(str(request.query_params.get("format", "csv")), name,
                               ["Område", f"Nøgletal {month:%Y-%m}{', ' + place if place else ''}", "Værdi"],
                               figures(context))
