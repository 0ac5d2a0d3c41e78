"""Competence profiles and overviews, computed from enrolments (nobody types a profile):
ECTS passed and in progress, the methods covered by passed modules, progress through a
programme such as the leadership diploma, and per unit and institution the gaps against the
methods the institution works with. A fixed number of queries per view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hr.auth.principal import Principal, Role
from hr.auth.scope import leader_unit_ids
from hr.competence.tables import Enrolment, ModuleMethod, Programme, ProgrammeModule
from hr.org.tables import Employee, InstitutionMethod

IN_PROGRESS = ("applied", "enrolled")
LEADERSHIP = "DIL"  # the leadership diploma's programme code
DIPLOMA_YEARS = 6
# Beyond this many people (an institution, the region) reading every enrolment and keeping theirs
# is faster than sending their ids: each is a parameter to build, send and match.
FILTER_IN_SQL_UP_TO = 300


@dataclass
class Competence:
    employee_id: int
    name: str
    unit_id: int | None
    unit_name: str
    institution_id: int | None
    institution_name: str
    passed_ects: Decimal = Decimal(0)
    progress_ects: Decimal = Decimal(0)
    planned_ects: Decimal = Decimal(0)
    passed_modules: list[dict] = field(default_factory=list)
    methods: set[str] = field(default_factory=set)
    first_programme_start: date | None = None


async def _method_names() -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for row in await ModuleMethod.select(ModuleMethod.module, ModuleMethod.method.name.as_alias("name")).run():
        out.setdefault(row["module"], set()).add(row["name"])
    return out


async def scoped_employees(principal: Principal, institution_id: int | None = None,
                           unit_id: int | None = None) -> list[dict]:
    query = Employee.select(Employee.id, Employee.name, Employee.unit, Employee.unit.name.as_alias("unit_name"),
                            Employee.unit.institution.as_alias("institution"),
                            Employee.unit.institution.name.as_alias("institution_name")).where(
        Employee.active.eq(True) & Employee.unit.is_not_null()).order_by(Employee.name)
    if not principal.is_hr:
        units = await leader_unit_ids(principal) if Role.LEADER in principal.roles else set()
        query = query.where(Employee.unit.is_in(list(units) or [-1]) | (Employee.id == (principal.employee_id or -1)))
    if institution_id:
        query = query.where(Employee.unit.institution == institution_id)
    if unit_id:
        query = query.where(Employee.unit == unit_id)
    return await query.run()


async def competences(employees: list[dict]) -> list[Competence]:
    people = {e["id"]: Competence(e["id"], e["name"], e["unit"], e["unit_name"] or "", e["institution"],
                                  e["institution_name"] or "") for e in employees}
    methods = await _method_names()
    programme_modules = {r["module"] for r in await ProgrammeModule.select(ProgrammeModule.module).run()}
    query = Enrolment.select(Enrolment.employee, Enrolment.module, Enrolment.state, Enrolment.completed_on,
                             Enrolment.created_at, Enrolment.module.ects.as_alias("ects"),
                             Enrolment.module.code.as_alias("code"), Enrolment.module.title.as_alias("title"),
                             ).where(Enrolment.state.is_in(["planned", *IN_PROGRESS, "passed"]))
    if len(people) <= FILTER_IN_SQL_UP_TO:
        query = query.where(Enrolment.employee.is_in(list(people) or [-1]))
    for row in await query.run():
        person = people.get(row["employee"])
        if person is None:
            continue
        if row["state"] == "passed":
            person.passed_ects += row["ects"]
            person.passed_modules.append(row)
            person.methods |= methods.get(row["module"], set())
        elif row["state"] == "planned":
            person.planned_ects += row["ects"]
        else:
            person.progress_ects += row["ects"]
        if row["module"] in programme_modules:
            started = row["created_at"].date()
            if person.first_programme_start is None or started < person.first_programme_start:
                person.first_programme_start = started
    return list(people.values())


async def programme_progress(code: str, passed_module_ids: set[int], first_start: date | None) -> dict | None:
    programme = await Programme.select().where(Programme.code == code).first().run()
    if not programme:
        return None
    parts = await ProgrammeModule.select(ProgrammeModule.all_columns(), ProgrammeModule.module.code.as_alias("code"),
                                         ProgrammeModule.module.title.as_alias("title"),
                                         ProgrammeModule.module.ects.as_alias("ects")).where(
        ProgrammeModule.programme == programme["id"]).order_by(ProgrammeModule.kind).run()
    for part in parts:
        part["passed"] = part["module"] in passed_module_ids
    obligatory = [p for p in parts if p["kind"] == "obligatory"]
    electives = [p for p in parts if p["kind"] == "elective"]
    final = [p for p in parts if p["kind"] == "final"]
    elective_done = sum((p["ects"] for p in electives if p["passed"]), Decimal(0))
    counted = (sum((p["ects"] for p in obligatory + final if p["passed"]), Decimal(0))
               + min(elective_done, programme["elective_ects"]))
    deadline = first_start.replace(year=first_start.year + DIPLOMA_YEARS) if first_start else None
    return {"programme": programme, "obligatory": obligatory, "electives": electives, "final": final,
            "elective_done": elective_done, "counted": counted,
            "percent": int(100 * counted / programme["total_ects"]) if programme["total_ects"] else 0,
            "complete": counted >= programme["total_ects"], "deadline": deadline}


async def profile(employee_id: int) -> dict:
    employee = await Employee.select(Employee.id, Employee.name, Employee.unit,
                                     Employee.unit.name.as_alias("unit_name"),
                                     Employee.unit.institution.as_alias("institution"),
                                     Employee.unit.institution.name.as_alias("institution_name")).where(
        Employee.id == employee_id).first().run()
    [competence] = await competences([employee])
    passed_ids = {m["module"] for m in competence.passed_modules}
    return {"competence": competence,
            "leadership": await programme_progress(LEADERSHIP, passed_ids, competence.first_programme_start)}


async def institution_methods() -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for row in await InstitutionMethod.select(InstitutionMethod.institution,
                                              InstitutionMethod.method.name.as_alias("name")).run():
        out.setdefault(row["institution"], set()).add(row["name"])
    return out


def summarise(people: list[Competence], key: str, name_key: str, methods: dict[int, set[str]]) -> list[dict]:
    """ECTS and method coverage per unit or institution; `gaps` are the institution's methods
    that nobody in the group has a passed module in."""
    groups: dict = {}
    for p in people:
        group = groups.setdefault(getattr(p, key), {
            "id": getattr(p, key), "name": getattr(p, name_key), "institution_id": p.institution_id,
            "people": 0, "with_modules": 0, "passed_ects": Decimal(0), "progress_ects": Decimal(0),
            "planned_ects": Decimal(0), "coverage": {}})
        group["people"] += 1
        group["with_modules"] += 1 if p.passed_modules else 0
        group["passed_ects"] += p.passed_ects
        group["progress_ects"] += p.progress_ects
        group["planned_ects"] += p.planned_ects
        for method in p.methods:
            group["coverage"][method] = group["coverage"].get(method, 0) + 1
    for group in groups.values():
        wanted = methods.get(group["institution_id"], set())
        group["gaps"] = sorted(m for m in wanted if not group["coverage"].get(m))
        group["covered"] = sorted((m, n) for m, n in group["coverage"].items() if m in wanted)
    return sorted(groups.values(), key=lambda g: g["name"])
