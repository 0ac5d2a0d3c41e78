"""The module catalogue: diploma modules with their methods, and course runs. HR maintains it
in the browser or imports it from CSV/XLSX (keyed on the module code; a run on module and
semester; an invalid file writes nothing)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hr import audit, forms
from hr.auth.principal import Principal
from hr.competence.tables import CourseRun, Module, ModuleMethod
from hr.db import transaction
from hr.forms import NotFound, ValidationError, parse_decimal
from hr.org.tables import Method
from hr.tabular import ImportOutcome, RowError, blank, data_rows, parse_date, read_rows, text

ECTS_CHOICES = (Decimal("5"), Decimal("10"), Decimal("15"))
SEMESTER_RE = re.compile(r"^[FE]\d{4}$")  # F = forår (spring), E = efterår (autumn)


def _optional_date(value: object) -> date | None:
    return None if blank(value) else parse_date(value)


def clean_module(values: dict, method_names: dict[str, int]) -> tuple[dict, list[int], dict[str, str]]:
    """(module values, method ids, errors) from a form or an import row."""
    errors: dict[str, str] = {}
    code = text(values.get("code")).upper()
    title = forms.one_line(values.get("title"), errors, "title", max_length=200, required="Skriv modulets titel")
    if not code:
        errors["code"] = "Skriv modulets kode"
    elif len(code) > 30 or not re.fullmatch(r"[A-ZÆØÅ0-9.\-_/]+", code):
        errors["code"] = "Koden må kun have bogstaver, tal og . - _ / (højst 30 tegn)"
    ects = None
    try:
        ects = parse_decimal(values.get("ects"))
    except ValueError:
        pass
    if ects not in ECTS_CHOICES:
        errors["ects"] = "Et diplommodul er på 5, 10 eller 15 ECTS"
    methods: list[int] = []
    for name in re.split(r"[;,]", text(values.get("methods"))):
        name = name.strip()
        if not name:
            continue
        match = method_names.get(name.lower())
        if match is None:
            errors["methods"] = f"Ukendt metode: {name}"
        else:
            methods.append(match)
    clean = {"code": code, "title": title, "ects": ects,
             "provider": forms.one_line(values.get("provider"), errors, "provider", max_length=200),
             "subject_area": forms.one_line(values.get("subject_area"), errors, "subject_area", max_length=200),
             "level": forms.one_line(values.get("level"), errors, "level", max_length=40) or "diplom",
             "description": forms.text(values.get("description"), errors, "description", max_length=5000)}
    return clean, sorted(set(methods)), errors


def clean_run(values: dict) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    semester = text(values.get("semester")).upper()
    if not SEMESTER_RE.match(semester):
        errors["semester"] = "Skriv semesteret som F2027 (forår) eller E2026 (efterår)"
    dates = {}
    for key, label, required in (("starts_on", "startdato", True), ("ends_on", "slutdato", True),
                                 ("application_deadline", "ansøgningsfrist", False),
                                 ("exam_date", "eksamensdato", False)):
        try:
            dates[key] = parse_date(values.get(key)) if required else _optional_date(values.get(key))
        except ValueError:
            errors[key] = f"Skriv en gyldig {label}"
    if dates.get("starts_on") and dates.get("ends_on") and dates["ends_on"] < dates["starts_on"]:
        errors["ends_on"] = "Slutdatoen ligger før startdatoen"
    if dates.get("application_deadline") and dates.get("starts_on") and \
            dates["application_deadline"] > dates["starts_on"]:
        errors["application_deadline"] = "Ansøgningsfristen skal ligge før start"
    seats, price = None, None
    try:
        raw = text(values.get("seats"))
        seats = int(raw) if raw else None
        if seats is not None and not 1 <= seats <= 1000:
            raise ValueError
    except ValueError:
        errors["seats"] = "Skriv antal pladser som et helt tal"
    try:
        price = parse_decimal(values.get("price"))
        if price is not None and not Decimal(0) <= price <= Decimal(1_000_000):
            raise ValueError
    except ValueError:
        errors["price"] = "Skriv prisen i kroner, fx 12.500"
    return {"semester": semester, "place": forms.text(values.get("place"), errors, "place", max_length=200),
            "seats": seats, "price": price,
            **dates}, errors


async def method_lookup() -> dict[str, int]:
    return {m["name"].lower(): m["id"] for m in await Method.select(Method.id, Method.name).run()}


async def list_modules(active_only: bool = False) -> list[dict]:
    query = Module.select().order_by(Module.code)
    if active_only:
        query = query.where(Module.active.eq(True))
    modules = await query.run()
    links: dict[int, list[dict]] = {}
    for row in await ModuleMethod.select(ModuleMethod.module, ModuleMethod.method.as_alias("id"),
                                         ModuleMethod.method.name.as_alias("name")).run():
        links.setdefault(row["module"], []).append({"id": row["id"], "name": row["name"]})
    runs: dict[int, list[dict]] = {}
    for run in await CourseRun.select().order_by(CourseRun.starts_on).run():
        runs.setdefault(run["module"], []).append(run)
    for module in modules:
        module["methods"] = sorted(links.get(module["id"], []), key=lambda m: m["name"])
        module["runs"] = runs.get(module["id"], [])
    return modules


async def get_module(module_id: int) -> dict | None:
    return next((m for m in await list_modules() if m["id"] == module_id), None)


def _form_values(form) -> dict:
    values = {k: str(v) for k, v in form.items()}
    if "methods" in form:  # checkboxes of method ids from the page
        values["method_ids"] = [str(v) for v in form.getall("methods")]
    return values


async def save_module(principal: Principal, module_id: int | None, form) -> int:
    values = _form_values(form)
    names = await method_lookup()
    by_id = {str(v): k for k, v in names.items()}
    values["methods"] = ";".join(by_id.get(i, f"#{i}") for i in values.get("method_ids", []))
    clean, methods, errors = clean_module(values, names)
    if module_id is not None and not await Module.exists().where(Module.id == module_id).run():
        raise NotFound(module_id)
    clash = await Module.select(Module.id).where(Module.code == clean["code"]).first().run()
    if clash and clash["id"] != module_id:
        errors["code"] = "Der findes allerede et modul med den kode"
    if errors:
        raise ValidationError(errors)
    clean["active"] = ("1" in form.getall("active")) if "active" in form else True
    async with transaction():
        if module_id is None:
            module_id = (await Module.insert(Module(**clean)).returning(Module.id).run())[0]["id"]
        else:
            await Module.update(clean).where(Module.id == module_id).run()
        await ModuleMethod.delete().where(ModuleMethod.module == module_id).run()
        if methods:
            await ModuleMethod.insert(*[ModuleMethod(module=module_id, method=m) for m in methods]).run()
        await audit.record(principal, "save", "module", module_id, {"code": clean["code"]})
    return module_id


async def add_run(principal: Principal, module_id: int, form) -> int:
    if not await Module.exists().where(Module.id == module_id).run():
        raise NotFound(module_id)
    clean, errors = clean_run({k: str(v) for k, v in form.items()})
    if not errors and await CourseRun.exists().where((CourseRun.module == module_id)
                                                     & (CourseRun.semester == clean["semester"])).run():
        errors["semester"] = "Modulet har allerede et hold det semester"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        run_id = (await CourseRun.insert(CourseRun(module=module_id, **clean)).returning(CourseRun.id).run())[0]["id"]
        await audit.record(principal, "create", "course_run", run_id, {"module": module_id})
    return run_id


ALIASES = {
    "code": ["kode", "modulkode", "code"], "title": ["titel", "modul", "modulnavn", "title"],
    "ects": ["ects", "point"], "provider": ["udbyder", "professionshøjskole", "uddannelsessted"],
    "subject_area": ["fagområde", "område"], "methods": ["metoder", "metode"], "level": ["niveau"],
    "description": ["beskrivelse"], "semester": ["semester"], "starts_on": ["start", "startdato"],
    "ends_on": ["slut", "slutdato"], "place": ["sted", "undervisningssted"], "seats": ["pladser"],
    "price": ["pris"], "application_deadline": ["ansøgningsfrist"], "exam_date": ["eksamen", "eksamensdato"],
}
LABELS = {"code": "Kode", "title": "Titel", "ects": "ECTS", "provider": "Udbyder", "subject_area": "Fagområde",
          "methods": "Metoder", "level": "Niveau", "description": "Beskrivelse", "semester": "Semester",
          "starts_on": "Start", "ends_on": "Slut", "place": "Sted", "seats": "Pladser", "price": "Pris",
          "application_deadline": "Ansøgningsfrist", "exam_date": "Eksamen"}
RUN_KEYS = ("semester", "starts_on", "ends_on", "place", "seats", "price", "application_deadline", "exam_date")


@dataclass
class CatalogueImport(ImportOutcome):
    modules_created: int = 0
    modules_updated: int = 0
    runs_created: int = 0

    def summary(self, verb: str) -> str:
        return (f"{self.rows} rækker læst: {self.modules_created} moduler {verb} oprettet, {self.modules_updated} "
                f"{verb} opdateret, {self.runs_created} hold {verb} oprettet.")


async def import_catalogue(principal: Principal, filename: str, content: bytes, *, dry_run: bool
                           ) -> CatalogueImport:
    result = CatalogueImport(dry_run=dry_run)
    names = await method_lookup()
    existing = {m["code"]: m for m in await Module.select(Module.id, Module.code).run()}
    existing_runs = {(r["module"], r["semester"]) for r in await CourseRun.select(CourseRun.module,
                                                                                  CourseRun.semester).run()}
    plans: list[tuple[dict, list[int], dict | None]] = []
    seen: dict[str, int] = {}
    for number, cell in data_rows(await read_rows(filename, content), ALIASES, ("code", "title", "ects"), LABELS):
        result.rows += 1
        values = {key: cell(key) for key in ALIASES}
        module, methods, errors = clean_module(values, names)
        run = None
        if not blank(values.get("semester")):
            run, run_errors = clean_run(values)
            errors.update(run_errors)
        if module["code"] in seen and run is None:
            errors["code"] = f"Koden står også i række {seen[module['code']]}"
        seen.setdefault(module["code"], number)
        for key, message in errors.items():
            result.errors.append(RowError(number, LABELS[key], message))
        if not errors:
            plans.append((module, methods, run))
    if result.errors:
        return result
    try:
        await _write(principal, plans, existing, existing_runs, result)
    except _DryRun:
        pass  # counted, then rolled back
    return result


async def _write(principal, plans, existing, existing_runs, result: CatalogueImport) -> None:
    async with transaction():
        done: set[str] = set()
        for module, methods, run in plans:
            if module["code"] not in done:
                done.add(module["code"])
                if module["code"] in existing:
                    module_id = existing[module["code"]]["id"]
                    await Module.update(module).where(Module.id == module_id).run()
                    result.modules_updated += 1
                else:
                    module_id = (await Module.insert(Module(**module)).returning(Module.id).run())[0]["id"]
                    existing[module["code"]] = {"id": module_id}
                    result.modules_created += 1
                await ModuleMethod.delete().where(ModuleMethod.module == module_id).run()
                if methods:
                    await ModuleMethod.insert(*[ModuleMethod(module=module_id, method=m) for m in methods]).run()
            module_id = existing[module["code"]]["id"]
            if run and (module_id, run["semester"]) not in existing_runs:
                await CourseRun.insert(CourseRun(module=module_id, **run)).run()
                existing_runs.add((module_id, run["semester"]))
                result.runs_created += 1
        await audit.record(principal, "import", "module_catalogue", "", {
            "rows": result.rows, "created": result.modules_created, "runs": result.runs_created})
        if result.dry_run:
            raise _DryRun()


class _DryRun(Exception):
    """Rolls the import's transaction back after counting what it would do."""
