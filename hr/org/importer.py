"""Import of employees and units from payroll exports (CSV or XLSX).

An idempotent upsert keyed on employee number: running the same file twice
changes nothing the second time. Leavers are marked inactive, never deleted.
The whole file is validated first; if any row is invalid nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hr import audit
from hr.auth import org_rights
from hr.auth.org_rights import RightsChange
from hr.auth.principal import Principal
from hr.cpr import fields_with_cpr
from hr.db import now, transaction
from hr.forms import local_today, parse_decimal
from hr.org.tables import Employee, Institution, Unit
from hr.tabular import ImportFileError, ImportOutcome, RowError, data_rows
from hr.tabular import blank as _blank
from hr.tabular import parse_date as _date
from hr.tabular import read_rows as _read_rows
from hr.tabular import text as _text

__all__ = ["ImportFileError", "ImportResult", "run_import"]

# Header aliases seen in Danish payroll exports, normalised (lower case, no spaces/dots).
ALIASES = {
    "employee_number": ["medarbejdernummer", "medarbejdernr", "lønnummer", "lønnr", "mednr", "employeenumber"],
    "name": ["navn", "fuldtnavn", "medarbejdernavn", "name"],
    "email": ["email", "e-mail", "arbejdsmail", "mail"],
    "job_title": ["stilling", "stillingsbetegnelse", "jobtitel", "jobtitle"],
    "fte": ["beskæftigelsesgrad", "normtid", "fte", "årsværk", "timenorm"],
    "start_date": ["startdato", "ansættelsesdato", "tiltrædelsesdato", "startdate"],
    "end_date": ["slutdato", "fratrædelsesdato", "enddate"],
    "unit_code": ["afdelingskode", "afdelingsnr", "omkostningssted", "unitcode"],
    "unit_name": ["afdeling", "afdelingsnavn", "unitname"],
    "institution_code": ["tilbudskode", "tilbudsnr", "institutionskode", "institutioncode"],
    "manager_number": ["leder", "ledermedarbejdernummer", "nærmesteleder", "managernumber"],
    "leads": ["ledelse", "lederrolle", "lederaf", "leads"],
}
REQUIRED = ("employee_number", "name", "unit_code", "institution_code")
LABELS = {
    "employee_number": "Medarbejdernummer",
    "name": "Navn",
    "email": "E-mail",
    "job_title": "Stilling",
    "fte": "Beskæftigelsesgrad",
    "start_date": "Startdato",
    "end_date": "Slutdato",
    "unit_code": "Afdelingskode",
    "unit_name": "Afdeling",
    "institution_code": "Tilbudskode",
    "manager_number": "Leder",
    "leads": "Ledelse",
}
# What the "Ledelse" column may say: the person leads their own unit, or heads its institution.
LEADS = {"": "", "nej": "", "afdeling": "unit", "afdelingsleder": "unit", "enhed": "unit", "enhedsleder": "unit",
         "tilbud": "institution", "tilbudsleder": "institution", "forstander": "institution",
         "institution": "institution"}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TRACKED = ("name", "email", "job_title", "fte", "start_date", "end_date", "unit", "leads", "active")
OPTIONAL = ("email", "job_title", "fte", "start_date", "end_date", "manager_number", "leads")


@dataclass
class ImportResult(ImportOutcome):
    units_created: list[str] = field(default_factory=list)
    units_updated: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: int = 0
    rights: RightsChange | None = None  # the leader roles that followed (after a real import)

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def summary(self, verb: str) -> str:
        return (
            f"{self.rows} rækker læst. Medarbejdere: {len(self.created)} {verb} oprettet, "
            f"{len(self.updated)} {verb} opdateret, {len(self.deactivated)} {verb} markeret fratrådt, "
            f"{self.unchanged} uændrede. Afdelinger: {len(self.units_created)} {verb} oprettet, "
            f"{len(self.units_updated)} {verb} opdateret."
            + (f" {self.rights.describe()}" if self.rights else "")
        )


def _fte(value: object) -> Decimal:
    try:
        number = parse_decimal(_text(value).rstrip("%").strip())
    except ValueError:
        number = None
    if number is None:
        raise ValueError("Beskæftigelsesgraden skal være et tal, fx 0,8 eller 80")
    if number > Decimal("1.5"):
        number = number / 100  # given as a percentage
    if number <= 0 or number > Decimal("1.5"):
        raise ValueError("Beskæftigelsesgraden skal være mellem 0 og 1 (eller 1-100 %)")
    return number.quantize(Decimal("0.0001"))


def _parse_rows(rows: list[list[object]]) -> tuple[list[dict], ImportResult]:
    """The file's records and its row errors (run in the parsing process)."""
    result = ImportResult(dry_run=True)
    return _parse(rows, result), result


def _parse(rows: list[list[object]], result: ImportResult) -> list[dict]:
    parsed: list[dict] = []
    seen: dict[str, int] = {}
    for offset, cell in data_rows(rows, ALIASES, REQUIRED, LABELS):
        result.rows += 1
        record: dict = {"row": offset}
        errors_before = len(result.errors)
        for key in ("employee_number", "name", "unit_code", "institution_code"):
            record[key] = _text(cell(key))
            if not record[key]:
                result.errors.append(RowError(offset, LABELS[key], "Skal udfyldes"))
        record["unit_name"] = _text(cell("unit_name")) or record["unit_code"]
        record["job_title"] = _text(cell("job_title"))[:150]
        record["manager_number"] = _text(cell("manager_number"))
        # Without a "Ledelse" column the file says nothing about leadership: what is known stays.
        leads = _text(cell("leads")).lower()
        if leads not in LEADS:
            result.errors.append(RowError(offset, LABELS["leads"], f"Ukendt værdi: {leads[:40]} (skriv "
                                          "afdelingsleder, forstander eller lad feltet stå tomt)"))
        record["leads"] = LEADS.get(leads, "")
        record["absent"] = {key for key in OPTIONAL if key not in cell.columns}
        email = _text(cell("email")).lower()
        if email and not EMAIL_RE.match(email):
            result.errors.append(RowError(offset, LABELS["email"], f"Ugyldig e-mailadresse: {email}"))
        record["email"] = email or None
        record["fte"] = Decimal("1.0000")
        if not _blank(cell("fte")):
            try:
                record["fte"] = _fte(cell("fte"))
            except ValueError as exc:
                result.errors.append(RowError(offset, LABELS["fte"], str(exc)))
        for key in ("start_date", "end_date"):
            record[key] = None
            if not _blank(cell(key)):
                try:
                    record[key] = _date(cell(key))
                except ValueError as exc:
                    result.errors.append(RowError(offset, LABELS[key], str(exc)))
        if record["start_date"] and record["end_date"] and record["end_date"] < record["start_date"]:
            result.errors.append(RowError(offset, LABELS["end_date"], "Slutdato ligger før startdato"))
        for key, message in fields_with_cpr({key: str(record[key] or "") for key in (
                "employee_number", "name", "unit_code", "unit_name", "job_title", "manager_number",
                "email")}).items():
            result.errors.append(RowError(offset, LABELS[key], message))
        number = record["employee_number"]
        if number and number in seen:
            result.errors.append(RowError(
                offset, LABELS["employee_number"], f"Medarbejdernummer {number} står også i række {seen[number]}"
            ))
        elif number:
            seen[number] = offset
        if len(result.errors) == errors_before:
            parsed.append(record)
    return parsed


async def run_import(
    filename: str,
    content: bytes,
    *,
    dry_run: bool,
    mark_missing: bool = False,
    principal: Principal | None,
    today: date | None = None,
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    records, parsed = await _read_rows(filename, content, then=_parse_rows)
    result.rows, result.errors = parsed.rows, parsed.errors
    today = today or local_today()  # the Danish day: between midnight and 01:00 UTC is still yesterday

    institutions = {r["code"]: r["id"] for r in await Institution.select(Institution.id, Institution.code).run()}
    units = {r["code"]: r for r in await Unit.select().run()}
    employees = {r["employee_number"]: r for r in await Employee.select().run()}
    in_file = {r["employee_number"] for r in records}
    unit_code_by_id = {u["id"]: code for code, u in units.items()}
    number_by_id = {e["id"]: n for n, e in employees.items()}

    for record in records:
        if record["institution_code"] not in institutions:
            result.errors.append(RowError(record["row"], LABELS["institution_code"],
                                          f"Ukendt tilbud: {record['institution_code']}"))
        manager = record["manager_number"]
        if manager and manager not in in_file and manager not in employees:
            result.errors.append(RowError(record["row"], LABELS["manager_number"],
                                          f"Ukendt leder: {manager}"))
        if manager and manager == record["employee_number"]:
            result.errors.append(RowError(record["row"], LABELS["manager_number"],
                                          "En medarbejder kan ikke være sin egen leder"))
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result

    # Units: create new codes, update name or institution of known ones.
    unit_changes: dict[str, dict] = {}
    for record in records:
        code = record["unit_code"]
        wanted = {"name": record["unit_name"], "institution": institutions[record["institution_code"]]}
        existing = units.get(code)
        if existing is None:
            if code not in unit_changes:
                result.units_created.append(code)
            unit_changes[code] = wanted
        elif (existing["name"], existing["institution"]) != (wanted["name"], wanted["institution"]):
            if code not in unit_changes:
                result.units_updated.append(code)
            unit_changes[code] = wanted

    plans: list[tuple[str, dict]] = []  # ("create"|"update", values)
    for record in records:
        values = {
            "name": record["name"],
            "email": record["email"],
            "job_title": record["job_title"],
            "fte": record["fte"],
            "start_date": record["start_date"],
            "end_date": record["end_date"],
            "unit_code": record["unit_code"],
            "active": record["end_date"] is None or record["end_date"] >= today,
            "manager_number": record["manager_number"] or None,
            "employee_number": record["employee_number"],
            "leads": record["leads"],
        }
        existing = employees.get(record["employee_number"])
        if existing is None:
            result.created.append(record["employee_number"])
            plans.append(("create", values))
            if not values["active"]:
                result.deactivated.append(record["employee_number"])
            continue
        for key in record["absent"]:  # a column the file lacks leaves what is known as it is
            values.pop(key)
        if "end_date" in record["absent"]:
            values.pop("active")
        current_unit_code = unit_code_by_id.get(existing["unit"])
        changed = [
            k for k in TRACKED if k in values or k == "unit"
            if (current_unit_code if k == "unit" else existing[k])
            != (values["unit_code"] if k == "unit" else values[k])
        ]
        if "manager_number" in values and number_by_id.get(existing["manager"]) != values["manager_number"]:
            changed.append("manager")
        if changed:
            result.updated.append((record["employee_number"], changed))
            if "active" in changed and not values["active"]:
                result.deactivated.append(record["employee_number"])
            plans.append(("update", values))
        else:
            result.unchanged += 1
    missing = []
    if mark_missing:
        missing = [n for n, e in employees.items() if n not in in_file and e["active"]]
        result.deactivated.extend(missing)

    if dry_run:
        return result

    async with transaction():
        stamp = now()
        for code, values in unit_changes.items():
            if code in units:
                await Unit.update(values).where(Unit.code == code).run()
            else:
                await Unit.insert(Unit(code=code, **values)).run()
        unit_ids = {r["code"]: r["id"] for r in await Unit.select(Unit.id, Unit.code).run()}
        new_rows = []
        for kind, values in plans:
            row = {k: v for k, v in values.items() if k not in ("unit_code", "manager_number")}
            row["unit"] = unit_ids[values["unit_code"]]
            row["updated_at"] = stamp
            if kind == "create":
                new_rows.append(Employee(**row))
            else:
                await Employee.update(row).where(Employee.employee_number == values["employee_number"]).run()
        for start in range(0, len(new_rows), 500):
            await Employee.insert(*new_rows[start:start + 500]).run()
        if missing:
            await Employee.update({Employee.active: False, Employee.updated_at: stamp}).where(
                Employee.employee_number.is_in(missing)
            ).run()
        ids = {r["employee_number"]: r["id"]
               for r in await Employee.select(Employee.id, Employee.employee_number).run()}
        for _, values in plans:
            if "manager_number" not in values:
                continue
            manager = ids.get(values["manager_number"]) if values["manager_number"] else None
            await Employee.update({Employee.manager: manager}).where(
                Employee.employee_number == values["employee_number"]
            ).run()
        # The leader roles follow what the file says; sessions of those who lost a right end now.
        result.rights = await org_rights.sync(principal)
        await audit.record(principal, "import", "employees", "", {
            "file": filename, "created": len(result.created), "updated": len(result.updated),
            "deactivated": len(result.deactivated), "units_created": len(result.units_created),
            "roles_granted": len(result.rights.granted), "roles_removed": len(result.rights.removed),
        })
    return result
