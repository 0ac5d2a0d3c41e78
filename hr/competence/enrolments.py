"""Enrolments per employee and the rules of their states:

    planned -> applied -> enrolled -> passed | failed ; failed -> enrolled (re-exam)
    planned, applied, enrolled -> withdrawn

Every change is logged with who and when. Leaders manage their units' staff, HR everyone;
everyone sees their own. A passed enrolment is what the competence profile is made of."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hr import audit, uploads
from hr.auth.principal import Principal, Role
from hr.auth.scope import leader_unit_ids
from hr.competence.tables import Certificate, CourseRun, Enrolment, EnrolmentEvent, Module, PlanGoal
from hr.db import now, transaction
from hr.forms import NotFound, ValidationError, optional_int, parse_date, parse_decimal, text
from hr.org.tables import Employee
from hr.settings import TIMEZONE
from hr.tabular import blank

STATES = {"planned": "Planlagt", "applied": "Ansøgt", "enrolled": "Optaget", "passed": "Bestået",
          "failed": "Ikke bestået", "withdrawn": "Afbrudt"}
TRANSITIONS = {
    "planned": ("applied", "withdrawn"),
    "applied": ("enrolled", "withdrawn"),
    "enrolled": ("passed", "failed", "withdrawn"),
    "failed": ("enrolled",),
    "passed": (),
    "withdrawn": (),
}
GRADES = ("12", "10", "7", "4", "02", "00", "-3", "bestået", "ikke bestået")
PASSING = {"12", "10", "7", "4", "02", "bestået"}
FUNDING = ("Tilbuddets uddannelsesbudget", "Kompetencefonden", "Den Statslige Kompetencefond", "SVU",
           "Regionens fælles pulje", "Andet")


async def may_manage(principal: Principal, employee_id: int) -> bool:
    if principal.is_hr:
        return True
    if Role.LEADER not in principal.roles:
        return False
    row = await Employee.select(Employee.unit).where(Employee.id == employee_id).first().run()
    return bool(row) and row["unit"] in await leader_unit_ids(principal)


async def may_see(principal: Principal, employee_id: int) -> bool:
    return employee_id == principal.employee_id or await may_manage(principal, employee_id)


def _today() -> date:
    return now().astimezone(TIMEZONE).date()


async def plan(principal: Principal, employee_id: int, form) -> int:
    """A new enrolment, planned (or straight to applied when a run and date are given)."""
    if not await may_manage(principal, employee_id):
        raise NotFound(employee_id)
    errors: dict[str, str] = {}
    module = await Module.select().where((Module.id == optional_int(form.get("module"))) & Module.active.eq(True)
                                         ).first().run()
    if not module:
        errors["module"] = "Vælg et modul fra kataloget"
    run_id = optional_int(form.get("run"))
    if run_id and (not module or not await CourseRun.exists().where(
            (CourseRun.id == run_id) & (CourseRun.module == module["id"])).run()):
        errors["run"] = "Holdet hører ikke til modulet"
    goal_id = optional_int(form.get("goal"))
    if goal_id and not await PlanGoal.exists().where(PlanGoal.id == goal_id).run():
        errors["goal"] = "Ukendt mål i kompetenceplanen"
    cost, funding = _money(form, errors)
    if module and await Enrolment.exists().where(
            (Enrolment.employee == employee_id) & (Enrolment.module == module["id"])
            & Enrolment.state.is_in(["planned", "applied", "enrolled", "passed"])).run():
        errors["module"] = "Medarbejderen er allerede i gang med eller har bestået modulet"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await Enrolment.insert(Enrolment(employee=employee_id, module=module["id"], run=run_id or None,
                                                goal=goal_id or None, cost=cost, funding=funding,
                                                created_by=principal.account_id)).returning(Enrolment.id).run()
        enrolment_id = rows[0]["id"]
        await EnrolmentEvent.insert(EnrolmentEvent(enrolment=enrolment_id, from_state="", to_state="planned",
                                                   by=principal.account_id)).run()
        await audit.record(principal, "create", "enrolment", enrolment_id, {"employee": employee_id})
    return enrolment_id


def _money(form, errors: dict) -> tuple[Decimal | None, str]:
    cost = None
    try:
        cost = parse_decimal(form.get("cost"))
        if cost is not None and not Decimal(0) <= cost <= Decimal(1_000_000):
            raise ValueError
    except ValueError:
        errors["cost"] = "Skriv prisen i kroner, fx 12.500"
    funding = str(form.get("funding", "")).strip()
    if funding and funding not in FUNDING:
        errors["funding"] = "Vælg en finansiering fra listen"
    return cost, funding


async def get_enrolment(principal: Principal, enrolment_id: int) -> dict | None:
    row = await Enrolment.select(Enrolment.all_columns(), Enrolment.module.code.as_alias("module_code"),
                                 Enrolment.module.title.as_alias("module_title"),
                                 Enrolment.module.ects.as_alias("ects"),
                                 Enrolment.employee.name.as_alias("employee_name"),
                                 Enrolment.run.semester.as_alias("semester")).where(
        Enrolment.id == enrolment_id).first().run()
    if not row or not await may_see(principal, row["employee"]):
        return None
    return row


async def change_state(principal: Principal, enrolment_id: int, form) -> None:
    """Move an enrolment to its next state with the data that state needs; anything else is
    refused with a message saying what is possible."""
    row = await get_enrolment(principal, enrolment_id)
    if row is None or not await may_manage(principal, row["employee"]):
        raise NotFound(enrolment_id)
    target = str(form.get("state", ""))
    current = row["state"]
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(STATES[s].lower() for s in TRANSITIONS[current]) or "ingen (forløbet er afsluttet)"
        raise ValidationError({"state": f"Et forløb, der er {STATES[current].lower()}, kan ikke blive "
                                        f"{STATES.get(target, target).lower()}. Mulige næste trin: {allowed}"})
    errors: dict[str, str] = {}
    changes: dict = {}
    # Any readable date is taken here; one in the future is refused just below, with its own message.
    day = _today() if blank(form.get("on")) else parse_date(form.get("on"), errors, "on", latest=date.max)
    if day and day > _today():
        errors["on"] = "Datoen ligger i fremtiden"
    run_id = optional_int(form.get("run")) or row["run"]
    if target == "applied":
        if not run_id:
            errors["run"] = "Vælg det hold, der søges"
        elif not await CourseRun.exists().where((CourseRun.id == run_id) & (CourseRun.module == row["module"])).run():
            errors["run"] = "Holdet hører ikke til modulet"
        changes = {Enrolment.applied_on: day, Enrolment.run: run_id}
    elif target == "enrolled":
        changes = {Enrolment.enrolled_on: day, Enrolment.completed_on: None, Enrolment.grade: ""}
    elif target in ("passed", "failed"):
        grade = str(form.get("grade", "")).strip().lower()
        if grade not in GRADES:
            errors["grade"] = "Vælg karakter eller bestået/ikke bestået"
        elif (grade in PASSING) != (target == "passed"):
            errors["grade"] = "Karakteren passer ikke til resultatet"
        changes = {Enrolment.completed_on: day, Enrolment.grade: grade}
    note = text(form.get("note"), errors, "note", max_length=2000,
                required="Skriv hvorfor forløbet afbrydes" if target == "withdrawn" else None)
    if errors:
        raise ValidationError(errors)
    async with transaction():
        updated = await Enrolment.update({Enrolment.state: target, Enrolment.updated_at: now(), **changes}).where(
            (Enrolment.id == enrolment_id) & (Enrolment.state == current)).returning(Enrolment.id).run()
        if not updated:  # somebody else changed it meanwhile
            raise ValidationError({"state": "Forløbet er netop ændret af en anden; indlæs siden igen"})
        await EnrolmentEvent.insert(EnrolmentEvent(enrolment=enrolment_id, from_state=current, to_state=target,
                                                   note=note, by=principal.account_id)).run()
        await audit.record(principal, "state", "enrolment", enrolment_id, {"from": current, "to": target})


async def upload_certificate(principal: Principal, enrolment_id: int, filename: str, content: bytes) -> int:
    row = await get_enrolment(principal, enrolment_id)
    if row is None or not await may_manage(principal, row["employee"]):
        raise NotFound(enrolment_id)
    if row["state"] != "passed":
        raise ValidationError({"file": "Bevis kan kun vedhæftes et bestået modul"})
    document = uploads.checked(filename, content, what="Beviset", fallback="bevis")
    async with transaction():
        rows = await Certificate.insert(Certificate(
            enrolment=enrolment_id, filename=document.filename, content_type=document.content_type,
            size=document.size, data=document.content, uploaded_by=principal.account_id)).returning(
            Certificate.id).run()
        await audit.record(principal, "upload", "certificate", rows[0]["id"], {"enrolment": enrolment_id})
    return rows[0]["id"]


async def get_certificate(principal: Principal, certificate_id: int) -> dict | None:
    row = await Certificate.select().where(Certificate.id == certificate_id).first().run()
    if not row or await get_enrolment(principal, row["enrolment"]) is None:
        return None
    await audit.record(principal, "read", "certificate", certificate_id)
    return row


async def employee_enrolments(employee_ids: list[int]) -> list[dict]:
    rows = await Enrolment.select(
        Enrolment.all_columns(), Enrolment.module.code.as_alias("module_code"),
        Enrolment.module.title.as_alias("module_title"), Enrolment.module.ects.as_alias("ects"),
        Enrolment.run.semester.as_alias("semester"), Enrolment.run.application_deadline.as_alias("deadline"),
        Enrolment.run.exam_date.as_alias("exam_date"), Enrolment.employee.name.as_alias("employee_name"),
    ).where(Enrolment.employee.is_in(employee_ids or [-1])).order_by(Enrolment.created_at, ascending=False).run()
    certificates: dict[int, list[dict]] = {}
    for c in await Certificate.select(Certificate.id, Certificate.enrolment, Certificate.filename).where(
            Certificate.enrolment.is_in([r["id"] for r in rows] or [-1])).run():
        certificates.setdefault(c["enrolment"], []).append(c)
    for row in rows:
        row["certificates"] = certificates.get(row["id"], [])
        row["next_states"] = TRANSITIONS[row["state"]]
    return rows


async def history(enrolment_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for e in await EnrolmentEvent.select(EnrolmentEvent.all_columns(), EnrolmentEvent.by.name.as_alias("by_name")
                                         ).where(EnrolmentEvent.enrolment.is_in(enrolment_ids or [-1])).order_by(
            EnrolmentEvent.at).run():
        out.setdefault(e["enrolment"], []).append(e)
    return out
