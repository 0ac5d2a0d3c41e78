"""Periods of leave per employee, registered by the employee's leader or HR."""

from __future__ import annotations

from datetime import date

from hr import audit
from hr.auth.principal import Principal
from hr.db import transaction
from hr.forms import NotFound, ValidationError
from hr.org.services import get_employee
from hr.org.tables import EmployeeLeave

KINDS = {"barsel": "Barsel", "orlov": "Orlov", "sygdom": "Langtidssygemelding", "andet": "Andet"}


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


async def list_leave(employee_id: int) -> list[dict]:
    return await EmployeeLeave.select().where(EmployeeLeave.employee == employee_id).order_by(
        EmployeeLeave.starts_on, ascending=False).run()


async def add_leave(principal: Principal, employee_id: int, form) -> int:
    if await get_employee(principal, employee_id) is None:
        raise NotFound(employee_id)
    errors: dict[str, str] = {}
    starts = _day(str(form.get("starts_on", "")))
    ends_text = str(form.get("ends_on", "")).strip()
    ends = _day(ends_text) if ends_text else None
    kind = str(form.get("kind", ""))
    if starts is None:
        errors["starts_on"] = "Skriv en gyldig startdato"
    if ends_text and ends is None:
        errors["ends_on"] = "Skriv en gyldig slutdato eller lad feltet stå tomt"
    elif starts and ends and ends < starts:
        errors["ends_on"] = "Slutdatoen ligger før startdatoen"
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
    ends = _day(str(form.get("ends_on", "")))
    if ends is None:
        raise ValidationError({"ends_on": "Skriv en gyldig slutdato"})
    if ends < row["starts_on"]:
        raise ValidationError({"ends_on": "Slutdatoen ligger før startdatoen"})
    async with transaction():
        await EmployeeLeave.update({EmployeeLeave.ends_on: ends}).where(EmployeeLeave.id == leave_id).run()
        await audit.record(principal, "update", "employee_leave", leave_id, {"ends_on": ends.isoformat()})
