"""Competence development plans: one per institution and year, and where needed across
institutions; goals tied to methods or target groups, met by the enrolments linked to them.
Leaders see their institutions' plans and the cross-institution ones; the institution's head
and HR edit them."""

from __future__ import annotations

from decimal import Decimal

from hr import audit, forms
from hr.auth.principal import Principal, Role
from hr.auth.scope import visible_institution_ids
from hr.competence.tables import Enrolment, Plan, PlanGoal
from hr.db import transaction
from hr.forms import NotFound, Page, ValidationError, optional_int, parse_decimal, parse_year
from hr.org.tables import Institution, Method, TargetGroup


async def _visible(principal: Principal) -> set[int] | None:
    return None if principal.is_hr else (await visible_institution_ids(principal) if Role.LEADER in principal.roles
                                         else set())


def may_edit(principal: Principal, plan: dict) -> bool:
    if principal.is_hr:
        return True
    return plan["institution"] is not None and plan["institution"] in principal.leader_institution_ids


async def list_plans(principal: Principal, year: int | None = None) -> list[dict]:
    query = Plan.select(Plan.all_columns(), Plan.institution.name.as_alias("institution_name")).order_by(
        Plan.year, ascending=False).order_by(Plan.institution.name)
    if year:
        query = query.where(Plan.year == year)
    visible = await _visible(principal)
    if visible is not None:
        query = query.where(Plan.institution.is_in(list(visible) or [-1]) | Plan.institution.is_null())
    plans = await query.run()
    progress = await _progress([p["id"] for p in plans])
    for plan in plans:
        plan.update(progress.get(plan["id"], {"goals": 0, "planned": Decimal(0), "completed": Decimal(0),
                                              "target": Decimal(0)}))
    return plans


PLANS_PER_PAGE = 50


async def plan_page(principal: Principal, year: int | None, institution_id: int | None, page: int) -> dict:
    """One page of the plans the person sees, by year and institution, and the years to choose
    from. A plan a year per institution: a few hundred at most, narrowed here."""
    every = await list_plans(principal)
    chosen = [p for p in every if (not year or p["year"] == year)
              and (not institution_id or p["institution"] == institution_id)]
    return {"result": Page.of(chosen, page, PLANS_PER_PAGE, {"aar": year or "", "tilbud": institution_id or ""}),
            "years": sorted({p["year"] for p in every}, reverse=True)}


async def _progress(plan_ids: list[int]) -> dict[int, dict]:
    goals = await PlanGoal.select(PlanGoal.id, PlanGoal.plan, PlanGoal.target_ects).where(
        PlanGoal.plan.is_in(plan_ids or [-1])).run()
    plan_of = {g["id"]: g["plan"] for g in goals}
    out: dict[int, dict] = {}
    for g in goals:
        entry = out.setdefault(g["plan"], {"goals": 0, "planned": Decimal(0), "completed": Decimal(0),
                                           "target": Decimal(0)})
        entry["goals"] += 1
        entry["target"] += g["target_ects"]
    for e in await Enrolment.select(Enrolment.goal, Enrolment.state, Enrolment.module.ects.as_alias("ects")).where(
            Enrolment.goal.is_in(list(plan_of) or [-1]) & (Enrolment.state != "withdrawn")).run():
        entry = out[plan_of[e["goal"]]]
        entry["planned"] += e["ects"]
        if e["state"] == "passed":
            entry["completed"] += e["ects"]
    return out


async def get_plan(principal: Principal, plan_id: int) -> dict | None:
    plan = await Plan.select(Plan.all_columns(), Plan.institution.name.as_alias("institution_name")).where(
        Plan.id == plan_id).first().run()
    if not plan:
        return None
    visible = await _visible(principal)
    if visible is not None and plan["institution"] is not None and plan["institution"] not in visible:
        return None
    goals = await PlanGoal.select(PlanGoal.all_columns(), PlanGoal.method.name.as_alias("method_name"),
                                  PlanGoal.target_group.name.as_alias("target_group_name")).where(
        PlanGoal.plan == plan_id).order_by(PlanGoal.id).run()
    enrolments = await Enrolment.select(
        Enrolment.id, Enrolment.goal, Enrolment.state, Enrolment.employee,
        Enrolment.employee.name.as_alias("employee_name"), Enrolment.module.code.as_alias("module_code"),
        Enrolment.module.title.as_alias("module_title"), Enrolment.module.ects.as_alias("ects")).where(
        Enrolment.goal.is_in([g["id"] for g in goals] or [-1]) & (Enrolment.state != "withdrawn")).run()
    by_method: dict[str, dict] = {}
    for goal in goals:
        goal["enrolments"] = [e for e in enrolments if e["goal"] == goal["id"]]
        goal["planned"] = sum((e["ects"] for e in goal["enrolments"]), Decimal(0))
        goal["completed"] = sum((e["ects"] for e in goal["enrolments"] if e["state"] == "passed"), Decimal(0))
        key = goal["method_name"] or goal["target_group_name"] or "Øvrige mål"
        entry = by_method.setdefault(key, {"name": key, "target": Decimal(0), "planned": Decimal(0),
                                           "completed": Decimal(0)})
        entry["target"] += goal["target_ects"]
        entry["planned"] += goal["planned"]
        entry["completed"] += goal["completed"]
    plan["goals"] = goals
    plan["by_method"] = sorted(by_method.values(), key=lambda m: m["name"])
    plan["editable"] = may_edit(principal, plan)
    return plan


async def create_plan(principal: Principal, form) -> int:
    errors: dict[str, str] = {}
    year = parse_year(form.get("year"), errors)
    raw = str(form.get("institution", "")).strip()
    institution = optional_int(raw)
    if raw and institution is None:
        errors["institution"] = "Vælg et tilbud"
    if institution is not None and not await Institution.exists().where(Institution.id == institution).run():
        errors["institution"] = "Vælg et tilbud"
    if not may_edit(principal, {"institution": institution}):
        errors["institution"] = ("Du kan kun lave planer for de tilbud, du leder" if institution is not None
                                 else "Kun HR laver tværgående planer")
    title = forms.one_line(form.get("title"), errors, "title", max_length=200, required="Giv planen en titel")
    if not errors and institution is not None and await Plan.exists().where(
            (Plan.institution == institution) & (Plan.year == year)).run():
        errors["year"] = "Tilbuddet har allerede en plan for det år"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await Plan.insert(Plan(institution=institution, year=year, title=title)).returning(Plan.id).run()
        await audit.record(principal, "create", "competence_plan", rows[0]["id"])
    return rows[0]["id"]


async def add_goal(principal: Principal, plan_id: int, form) -> int:
    plan = await get_plan(principal, plan_id)
    if plan is None:
        raise NotFound(plan_id)
    if not plan["editable"]:
        raise ValidationError({"text": "Kun tilbuddets leder og HR kan ændre planen"})
    errors: dict[str, str] = {}
    goal = " ".join(forms.text(form.get("text"), errors, "text", max_length=1000, required="Beskriv målet").split())
    method = str(form.get("method", "")).strip()
    method_id = optional_int(method)
    if method and (method_id is None or not await Method.exists().where(Method.id == method_id).run()):
        errors["method"] = "Vælg en metode fra listen"
    group = str(form.get("target_group", "")).strip()
    group_id = optional_int(group)
    if group and (group_id is None or not await TargetGroup.exists().where(TargetGroup.id == group_id).run()):
        errors["target_group"] = "Vælg en målgruppe fra listen"
    target = Decimal(0)
    try:
        target = parse_decimal(form.get("target_ects")) or Decimal(0)
        if not Decimal(0) <= target <= Decimal(10000):
            raise ValueError
    except ValueError:
        errors["target_ects"] = "Skriv antal ECTS som et tal"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await PlanGoal.insert(PlanGoal(plan=plan_id, text=goal, method=method_id, target_group=group_id,
                                              target_ects=target)).returning(PlanGoal.id).run()
        await audit.record(principal, "create", "competence_goal", rows[0]["id"], {"plan": plan_id})
    return rows[0]["id"]


async def goal_choices(principal: Principal, institution_id: int | None) -> list[dict]:
    """Goals an enrolment for someone in this institution can be linked to."""
    return await PlanGoal.select(PlanGoal.id, PlanGoal.text, PlanGoal.plan.year.as_alias("year"),
                                 PlanGoal.plan.title.as_alias("plan_title")).where(
        (PlanGoal.plan.institution == (institution_id or -1)) | PlanGoal.plan.institution.is_null()).order_by(
        PlanGoal.plan.year, ascending=False).run()
