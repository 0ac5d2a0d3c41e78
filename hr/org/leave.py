"""Periods of leave per employee, registered by the employee's leader or HR."""

from __future__ import annotations

from datetime import date

from hr import audit
from hr.auth.principal import Principal
from hr.db import transaction
from hr.forms import NotFound, ValidationError, local_today, parse_date, years_from
from hr.org.services import get_employee
from hr.org.tables import EmployeeLeave

KINDS = {"barsel": "Barsel", "orlov": "Orlov", "sygdom": "Langtidssygemelding", "andet": "Andet"}


# A leave longer than this is not a leave but an end of employment (payroll ends it).
MAX_LEAVE_YEARS = 5


def _end(form, errors: dict, starts: date | None) -> date | None:
    """The last day of leave: empty (open-ended), or on or after the start and at most
    MAX_LEAVE_YEARS after it."""
    invalid = "Skriv en gyldig slutdato eller lad feltet stå tomt"
    if starts is None:
        return parse_date(form.get("ends_on"), errors, "ends_on", invalid=invalid)
    latest = years_from(starts, MAX_LEAVE_YEARS)
    ends = parse_date(form.get("ends_on"), errors, "ends_on", invalid=invalid, latest=date.max)
    if ends and ends < starts:
        errors["ends_on"] = "Slutdatoen ligger før startdatoen"
    elif ends and ends > latest:
        errors["ends_on"] = (f"En orlov kan højst vare {MAX_LEAVE_YEARS} år: skriv en slutdato senest "
                             f"{latest:%d.%m.%Y}, eller lad feltet stå tomt")
    return None if "ends_on" in errors else ends


async def list_leave(employee_id: int) -> list[dict]:
    return await EmployeeLeave.select().where(EmployeeLeave.employee == employee_id).order_by(
        EmployeeLeave.starts_on, ascending=False).run()


async def add_leave(principal: Principal, employee_id: int, form) -> int:
    if await get_employee(principal, employee_id) is None:
        raise NotFound(employee_id)
    errors: dict[str, str] = {}
    today = local_today()
    starts = parse_date(form.get("starts_on"), errors, "starts_on", required="Skriv en gyldig startdato",
                        invalid="Skriv en gyldig startdato", earliest=years_from(today, -10),
                        latest=years_from(today, 2))
    ends = _end(form, errors, starts)
    kind = str(form.get("kind", ""))
    if kind not in KINDS:
        errors["kind"] = "Vælg en type orlov"
    if errors:
        raise ValidationError(errors)
    overlapping = [r for r in await list_leave(employee_id)
                   if r["starts_on"] <= (ends or date.max) and (r["ends_on"] or date.max) >= starts]
    if overlapping:
        raise ValidationError({"starts_on": "Perioden overlapper en registreret orlov"})
    async with transaction():
        rows = await EmployeeLeave.insert(EmployeeLeave(employee=employee_id, starts_on=starts, ends_on=ends,
                                                        kind=kind)).returning(EmployeeLeave.id).run()
        await audit.record(principal, "create", "employee_leave", rows[0]["id"], {"employee": employee_id})
    return rows[0]["id"]


async def end_leave(principal: Principal, employee_id: int, leave_id: int, form) -> None:
    if await get_employee(principal, employee_id) is None:
        raise NotFound(employee_id)
    row = await EmployeeLeave.select().where((EmployeeLeave.id == leave_id)
                                             & (EmployeeLeave.employee == employee_id)).first().run()
    if not row:
        raise NotFound(leave_id)
    errors: dict[str, str] = {}
    ends = _end(form, errors, row["starts_on"])
    if ends is None and not errors:
        errors["ends_on"] = "Skriv en gyldig slutdato"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        await EmployeeLeave.update({EmployeeLeave.ends_on: ends}).where(EmployeeLeave.id == leave_id).run()
        await audit.record(principal, "update", "employee_leave", leave_id, {"ends_on": ends.isoformat()})
