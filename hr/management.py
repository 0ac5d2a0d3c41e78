"""Monthly management information: work environment, supervision and competence on one page,
as the region's strategy asks, for the viewer's scope (leaders: their units; HR: the region)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

from litestar import Controller, Request, get
from litestar.response import Template

from hr import audit
from hr.auth.rules import allow
from hr.cache import DASHBOARDS, scope_key
from hr.charts import spc_svg
from hr.competence import cohorts, plans, profile
from hr.db import now
from hr.settings import TIMEZONE
from hr.supervision import compliance
from hr.workenv import dashboards


async def _supervision(principal, day: date) -> dict:
    """Compliance as it stood at the end of the month (or today, for the running month)."""
    people = await compliance.load_people(principal)
    rows = await compliance.overview(principal, people=people, today=day)
    counted = [r for r in rows if r["status"] in ("overdue", "due_soon", "compliant")]
    return {"people": len(rows), "overdue": sum(1 for r in counted if r["status"] == "overdue"),
            "share": round(100 * sum(1 for r in counted if r["status"] != "overdue") / len(counted))
            if counted else None,
            "trend": await compliance.trend(principal, months=6, people=people, today=day)}


async def _competence(principal) -> dict:
    people = await profile.competences(await profile.scoped_employees(principal))
    return {"people": len(people), "passed_ects": sum((c.passed_ects for c in people), Decimal(0)),
            "progress_ects": sum((c.progress_ects for c in people), Decimal(0)),
            "with_modules": sum(1 for c in people if c.passed_modules)}


def _month_end(month: date) -> date:
    following = (month + timedelta(days=32)).replace(day=1)
    return min(following - timedelta(days=1), now().astimezone(TIMEZONE).date())


async def report(principal, month: date) -> dict:
    start = (month - timedelta(days=31 * 23)).replace(day=1)
    query = dashboards.parse({"fra": start.strftime("%Y-%m"), "til": month.strftime("%Y-%m")}, principal)
    # The three domains are independent: their queries run side by side.
    work, supervision, competence, year_plans, all_cohorts = await asyncio.gather(
        dashboards.build(principal, query), _supervision(principal, _month_end(month)), _competence(principal),
        plans.list_plans(principal, year=month.year), cohorts.list_cohorts())
    this = work["monthly"][-1]
    previous = work["monthly"][-13:-1]
    median_count = sorted(r["incidents"] for r in previous)[len(previous) // 2] if previous else None
    return {
        "month": month, "work": work, "this": this, "median_count": median_count,
        "rate_chart": spc_svg(work["rate"], "Hændelser pr. 100 årsværk, seneste 24 måneder", "pr. 100 årsværk",
                              "mi-rate") if work["rate"] else None,
        "supervision": supervision, "competence": competence, "plans": year_plans,
        "cohort": next((c for c in all_cohorts if c["year"] == month.year), None)}


class ManagementController(Controller):
    path = "/ledelsesinformation"
    include_in_schema = False

    @get("/", opt=allow("mi.view"), name="management_information")
    async def index(self, request: Request) -> Template:
        this_month = now().astimezone(TIMEZONE).date().replace(day=1)
        default = (this_month - timedelta(days=1)).replace(day=1)
        raw = request.query_params.get("maaned")
        month = dashboards.parse_month(raw) if raw else default
        errors = {}
        if month is None or month > this_month:
            errors["maaned"] = "Vælg en måned, der er begyndt (ÅÅÅÅ-MM)"
            month = default
        await audit.record(request.user, "read", "management_information", month.strftime("%Y-%m"))
        key = ("management", scope_key(request.user), month)
        context, computed_at = await DASHBOARDS.get(key, lambda: report(request.user, month))
        return Template("management.html", context={**context, "errors": errors, "computed_at": computed_at,
                                                     "chosen": month.strftime("%Y-%m")})
