"""Competence demo data: a catalogue of diploma modules with runs from 2022, the leadership
diploma as a programme, several years of enrolments (mostly passed, some failed or withdrawn,
some running and planned), a plan per institution and year with goals, and a leadership
cohort per year with nominations, selections and a waiting list; this year's is open."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from hr.auth.principal import Role
from hr.auth.tables import Account, RoleAssignment
from hr.competence.tables import (
    Cohort,
    CourseRun,
    Enrolment,
    EnrolmentEvent,
    Module,
    ModuleMethod,
    Nomination,
    Plan,
    PlanGoal,
    Programme,
    ProgrammeModule,
)
from hr.db import bulk_insert
from hr.org.tables import Employee, Institution, InstitutionMethod, Method
from hr.settings import TIMEZONE

PROVIDERS = ["Professionshøjskolen Absalon", "VIA University College", "Københavns Professionshøjskole",
             "UCL Erhvervsakademi og Professionshøjskole"]
# (code, title, ECTS, subject area, methods, programme part)
MODULES = [
    ("DIL-O1", "Det personlige lederskab", 10, "Ledelse", [], "obligatory"),
    ("DIL-O2", "Ledelse af medarbejdere", 10, "Ledelse", [], "obligatory"),
    ("DIL-O3", "Ledelse af udvikling og forandring", 10, "Ledelse", [], "obligatory"),
    ("DIL-V1", "Faglig ledelse i socialt arbejde", 5, "Ledelse", [], "elective"),
    ("DIL-V2", "Arbejdsmiljø og trivsel", 5, "Ledelse", [], "elective"),
    ("DIL-V3", "Ledelse af konflikter", 5, "Ledelse", ["Low Arousal"], "elective"),
    ("DIL-V4", "Økonomistyring i offentlige organisationer", 5, "Ledelse", [], "elective"),
    ("DIL-V5", "Coaching og supervision som ledelsesværktøj", 5, "Ledelse", [], "elective"),
    ("DIL-AP", "Afgangsprojekt", 15, "Ledelse", [], "final"),
    ("SP-KRAP", "KRAP i socialpædagogisk praksis", 10, "Socialpædagogik", ["KRAP"], None),
    ("SP-LA", "Low Arousal og konflikthåndtering", 5, "Socialpædagogik", ["Low Arousal", "Studio III"], None),
    ("SP-AUT", "Autisme og TEACCH", 10, "Socialpædagogik", ["TEACCH"], None),
    ("SP-MENT", "Mentalisering i praksis", 10, "Socialpædagogik", ["Mentaliseringsbaseret arbejde"], None),
    ("SP-NEURO", "Neuropædagogik", 10, "Socialpædagogik", ["Neuropædagogik"], None),
    ("SP-TRAUME", "Traumeinformeret socialt arbejde", 10, "Socialpædagogik", ["Traumeinformeret omsorg"], None),
    ("SP-REC", "Recovery og rehabilitering", 10, "Socialpsykiatri", ["Recovery-orienteret arbejde"], None),
    ("SP-ICDP", "Relationsarbejde med ICDP", 5, "Socialpædagogik", ["ICDP"], None),
    ("SP-VOLD", "Forebyggelse af vold og trusler", 5, "Arbejdsmiljø", ["Studio III", "Low Arousal"], None),
    ("SP-MAGT", "Magtanvendelse: jura og etik", 5, "Jura", [], None),
    ("SP-DOK", "Faglig dokumentation", 5, "Socialfaglig metode", [], None),
]


def _semesters(first_year: int, last_year: int) -> list[tuple[str, date, date]]:
    out = []
    for year in range(first_year, last_year + 1):
        out.append((f"F{year}", date(year, 2, 1), date(year, 6, 15)))
        out.append((f"E{year}", date(year, 9, 1), date(year + 1, 1, 15)))
    return out


async def load(rng: random.Random, today: date) -> None:
    methods = {m["name"]: m["id"] for m in await Method.select(Method.id, Method.name).run()}
    await bulk_insert(Module, [{"code": c, "title": t, "ects": Decimal(e), "subject_area": area,
                                "provider": rng.choice(PROVIDERS)} for c, t, e, area, _, _ in MODULES])
    modules = {m["code"]: m for m in await Module.select().run()}
    await bulk_insert(ModuleMethod, [{"module": modules[c]["id"], "method": methods[name]}
                                     for c, *_, names, _ in MODULES for name in names if name in methods])
    runs = []
    for module in modules.values():
        for semester, starts, ends in _semesters(today.year - 4, today.year + 1):
            runs.append({"module": module["id"], "semester": semester, "starts_on": starts, "ends_on": ends,
                         "place": "Roskilde" if rng.random() < 0.5 else "Slagelse", "seats": 30,
                         "price": Decimal(rng.choice([9500, 12500, 14800])),
                         "application_deadline": starts - timedelta(days=60), "exam_date": ends - timedelta(days=5)})
    await bulk_insert(CourseRun, runs)
    run_of = {(r["module"], r["semester"]): r for r in await CourseRun.select().run()}
    programme = (await Programme.insert(Programme(code="DIL", name="Diplomuddannelse i ledelse",
                                                  total_ects=Decimal(60), elective_ects=Decimal(15))).returning(
        Programme.id).run())[0]["id"]
    await bulk_insert(ProgrammeModule, [{"programme": programme, "module": modules[c]["id"], "kind": part}
                                        for c, *_, part in MODULES if part])

    employees = await Employee.select(Employee.id, Employee.unit, Employee.unit.institution.as_alias("institution"),
                                      Employee.start_date).where(Employee.active.eq(True) & Employee.unit.is_not_null()
                                                                 ).order_by(Employee.id).run()
    inst_methods: dict[int, list[str]] = {}
    for row in await InstitutionMethod.select(InstitutionMethod.institution,
                                              InstitutionMethod.method.name.as_alias("name")).run():
        inst_methods.setdefault(row["institution"], []).append(row["name"])
    by_method = {name: [c for c, *_, names, part in MODULES if name in names and not part] for name in methods}
    staff_modules = [c for c, *_, part in MODULES if not part]
    semesters = _semesters(today.year - 4, today.year + 1)

    plan_goals = await _plans(rng, today, inst_methods, methods)
    enrolments: list[dict] = []
    for e in employees:
        if rng.random() > 0.3:
            continue
        wanted = [c for m in inst_methods.get(e["institution"], []) for c in by_method.get(m, [])]
        for code in rng.sample(sorted(set(wanted or staff_modules)), k=min(len(set(wanted or staff_modules)),
                                                                           rng.choice([1, 1, 2]))):
            enrolments.append(_enrolment(rng, today, e["id"], modules[code], semesters, run_of,
                                         plan_goals.get((e["institution"], code))))
    leaders = await _cohorts(rng, today)
    dil = [c for c, *_, part in MODULES if part]
    for employee_id, year in leaders:
        done = 0
        for code in ["DIL-O1", "DIL-O2", "DIL-O3", "DIL-V1", "DIL-V3", "DIL-V5", "DIL-AP"]:
            if code not in dil:
                continue
            start_year = year + done // 2
            options = [s for s in semesters if int(s[0][1:]) >= start_year]
            if not options:
                break
            enrolments.append(_enrolment(rng, today, employee_id, modules[code], options[:1], run_of, None,
                                         reliable=0.97))
            done += 1
    await _store(rng, enrolments)


def _enrolment(rng, today, employee_id, module, semesters, run_of, goal, reliable=0.9) -> dict:
    semester, starts, ends = rng.choice(semesters)
    run = run_of[(module["id"], semester)]
    row = {"employee": employee_id, "module": module["id"], "run": run["id"], "goal": goal,
           "cost": run["price"], "funding": rng.choice(["Tilbuddets uddannelsesbudget", "Kompetencefonden",
                                                        "Den Statslige Kompetencefond"])}
    if starts > today + timedelta(days=60):
        row.update(state="planned")
    elif starts > today:
        row.update(state="applied", applied_on=run["application_deadline"] - timedelta(days=rng.randint(1, 20)))
    elif ends > today:
        row.update(state="enrolled", applied_on=run["application_deadline"] - timedelta(days=10),
                   enrolled_on=starts)
    else:
        outcome = rng.random()
        state = "passed" if outcome < reliable else "failed" if outcome < reliable + 0.04 else "withdrawn"
        grade = rng.choice(["12", "10", "10", "7", "7", "4", "bestået"]) if state == "passed" else \
            ("00" if state == "failed" else "")
        row.update(state=state, applied_on=run["application_deadline"] - timedelta(days=10), enrolled_on=starts,
                   completed_on=run["exam_date"] if state != "withdrawn" else starts + timedelta(days=40),
                   grade=grade)
    return row


async def _store(rng, enrolments: list[dict]) -> None:
    seen, unique = set(), []
    for e in enrolments:
        if (e["employee"], e["module"]) not in seen:
            seen.add((e["employee"], e["module"]))
            e["created_at"] = datetime.combine(e.get("applied_on") or date.today(), time(9), TIMEZONE)
            unique.append(e)
    await bulk_insert(Enrolment, unique)
    rows = await Enrolment.select(Enrolment.id, Enrolment.state, Enrolment.created_at).run()
    path = {"planned": ["planned"], "applied": ["planned", "applied"], "enrolled": ["planned", "applied", "enrolled"],
            "passed": ["planned", "applied", "enrolled", "passed"],
            "failed": ["planned", "applied", "enrolled", "failed"],
            "withdrawn": ["planned", "applied", "enrolled", "withdrawn"]}
    events = []
    for r in rows:
        steps = path[r["state"]]
        for n, state in enumerate(steps):
            events.append({"enrolment": r["id"], "from_state": steps[n - 1] if n else "", "to_state": state,
                           "note": "Sygdom i familien" if state == "withdrawn" else "",
                           "at": r["created_at"] + timedelta(days=30 * n)})
    await bulk_insert(EnrolmentEvent, events)


async def _plans(rng, today, inst_methods, methods) -> dict[tuple[int, str], int]:
    """A plan per institution for last year and this year; goals per method the institution
    works with. Returns (institution, module code) -> goal for linking enrolments."""
    out: dict[tuple[int, str], int] = {}
    institutions = await Institution.select(Institution.id, Institution.name).order_by(Institution.id).run()
    for year in (today.year - 1, today.year):
        for inst in institutions:
            plan = (await Plan.insert(Plan(institution=inst["id"], year=year,
                                           title=f"Kompetenceplan {year}, {inst['name']}")).returning(
                Plan.id).run())[0]["id"]
            for name in inst_methods.get(inst["id"], []):
                goal = (await PlanGoal.insert(PlanGoal(
                    plan=plan, text=f"Flere medarbejdere med diplommodul i {name}", method=methods[name],
                    target_ects=Decimal(rng.choice([30, 40, 60])))).returning(PlanGoal.id).run())[0]["id"]
                for code, *_, names, part in MODULES:
                    if name in names and not part:
                        out[(inst["id"], code)] = goal
        cross = (await Plan.insert(Plan(institution=None, year=year, title=f"Tværgående ledelsesplan {year}"))
                 .returning(Plan.id).run())[0]["id"]
        await PlanGoal.insert(PlanGoal(plan=cross, text="20 ledere påbegynder diplomuddannelsen i ledelse",
                                       target_ects=Decimal(200))).run()
    return out


async def _cohorts(rng, today) -> list[tuple[int, int]]:
    """A cohort per year: earlier years confirmed with 20 selected and a waiting list; this
    year's (or next, late in the year) open for nominations. Returns (employee, year) selected."""
    rows = await RoleAssignment.select(RoleAssignment.account.employee.as_alias("employee"),
                                       RoleAssignment.institution, RoleAssignment.unit).where(
        (RoleAssignment.role == Role.LEADER) & RoleAssignment.staff_responsibility.eq(True)
        & RoleAssignment.account.employee.is_not_null()).order_by(RoleAssignment.id).run()
    eligible = [r for r in rows if r["unit"]]
    heads = {r["institution"]: r for r in rows if not r["unit"]}
    head_accounts = {r["employee"]: a["id"] for a in await Account.select(Account.id, Account.employee).run()
                     for r in [a] if a["employee"]}
    open_year = today.year + 1 if today.month >= 10 else today.year
    selected: list[tuple[int, int]] = []
    for year in range(today.year - 3, open_year + 1):
        is_open = year == open_year
        deadline = date(year, 3, 1) if not is_open else max(today + timedelta(days=21), date(year, 3, 1))
        cohort = (await Cohort.insert(Cohort(year=year, capacity=20, nomination_deadline=deadline,
                                             status="open" if is_open else "confirmed")).returning(
            Cohort.id).run())[0]["id"]
        # Leaders not yet selected may be nominated again (a waiting list one year, a seat the next).
        chosen = {employee for employee, _ in selected}
        available = [leader for leader in eligible if leader["employee"] not in chosen]
        nominees = rng.sample(available, min(len(available), 8 if is_open else 24))
        priorities: dict[int, int] = {}
        rows = []
        for n, leader in enumerate(nominees):
            priorities[leader["institution"]] = priorities.get(leader["institution"], 0) + 1
            status, position = "nominated", None
            if not is_open:
                status = "selected" if n < 20 else "waitlisted" if n < 23 else "rejected"
                position = n - 19 if status == "waitlisted" else None
                if status == "selected" and rng.random() < 0.05:
                    status = "withdrawn"
            head = heads.get(leader["institution"])
            rows.append({"cohort": cohort, "employee": leader["employee"], "institution": leader["institution"],
                         "nominated_by": head_accounts.get(head["employee"]) if head else None,
                         "motivation": rng.choice([
                             "Erfaren afdelingsleder, der skal styrke den faglige ledelse i en afdeling i vækst.",
                             "Ny leder med stort potentiale; uddannelsen er en del af hendes udviklingsplan.",
                             "Leder et hold med mange nye medarbejdere og har brug for redskaber til forandring."]),
                         "priority": priorities[leader["institution"]], "status": status,
                         "waitlist_position": position})
            if status == "selected":
                selected.append((leader["employee"], year))
        await bulk_insert(Nomination, rows)
    return selected
