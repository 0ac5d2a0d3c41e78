"""Deterministic demo data of realistic size: 13 institutions, ~90 units, ~1,800 employees."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hr.audit import AuditEvent
from hr.auth.passwords import hash_password
from hr.auth.principal import Role
from hr.auth.tables import Account, ApiToken, LoginAttempt, RoleAssignment, Session
from hr.competence import demo as competence_demo
from hr.competence.tables import (
    Certificate,
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
from hr.db import now, transaction
from hr.notify.tables import OutboxMessage
from hr.org.tables import (
    Employee,
    EmployeeLeave,
    Institution,
    InstitutionMethod,
    InstitutionTargetGroup,
    Method,
    TargetGroup,
    Unit,
)
from hr.settings import TIMEZONE
from hr.supervision import demo as supervision_demo
from hr.supervision.tables import (
    Availability,
    AvailabilityException,
    Booking,
    BookingParticipant,
    CalendarFeed,
    MatchException,
    Supervisor,
    SupervisorInstitution,
    SupervisorMethod,
)
from hr.workenv import demo as workenv_demo
from hr.workenv.tables import (
    ActionItem,
    Apv,
    Incident,
    IncidentAmendment,
    IncidentFactor,
    IncidentStaff,
    Order,
    WorkEnvironmentDiscussion,
)

DEMO_PASSWORD = "Demo-adgang-2026"
DOMAIN = "socialomraadet.example"
SEED = 20261127
TODAY = date(2026, 11, 27)

METHODS = {
    "KRAP": "Kognitiv, ressourcefokuseret og anerkendende pædagogik",
    "Low Arousal": "Nedtrapning gennem lavt affektniveau",
    "TEACCH": "Struktur og visualisering for mennesker med autisme",
    "Mentaliseringsbaseret arbejde": "Forståelse af egne og andres mentale tilstande",
    "Neuropædagogik": "Pædagogik ud fra neuropsykologisk viden",
    "Studio III": "Håndtering af udfordrende adfærd uden magt",
    "ICDP": "International Child Development Programme",
    "Traumeinformeret omsorg": "Omsorg med viden om traumers virkning",
    "Recovery-orienteret arbejde": "Støtte til at komme sig",
}

# (code, name, kind, target groups, methods, places, care units)
INSTITUTIONS = [
    ("T01", "Lindehøj", "Botilbud", ["Voksne med udviklingshandicap"], ["KRAP", "Low Arousal", "TEACCH"], 96, 8),
    ("T02", "Kildebakken", "Botilbud", ["Voksne med autisme"], ["TEACCH", "Low Arousal", "KRAP"], 84, 7),
    ("T03", "Skovbrynet", "Socialpsykiatrisk botilbud", ["Voksne med sindslidelse"],
     ["Recovery-orienteret arbejde", "Mentaliseringsbaseret arbejde", "Traumeinformeret omsorg"], 72, 6),
    ("T04", "Kastanjegården", "Sikret institution", ["Unge i sikret regi"],
     ["Studio III", "Mentaliseringsbaseret arbejde", "Traumeinformeret omsorg"], 32, 5),
    ("T05", "Fjordhuset", "Forsorgshjem", ["Hjemløse voksne"],
     ["Recovery-orienteret arbejde", "Traumeinformeret omsorg", "Low Arousal"], 90, 5),
    ("T06", "Egebo", "Døgntilbud for børn og unge", ["Børn og unge med udviklingshandicap"],
     ["Neuropædagogik", "ICDP", "TEACCH"], 48, 6),
    ("T07", "Solsikken", "Specialskole", ["Børn og unge i specialskole", "Børn og unge med autisme"],
     ["TEACCH", "ICDP", "KRAP"], 110, 6),
    ("T08", "Mosegården", "Dagtilbud", ["Voksne med udviklingshandicap"], ["KRAP", "Neuropædagogik"], 120, 5),
    ("T09", "Bakkehuset", "Botilbud for domfældte", ["Voksne domfældte med udviklingshandicap"],
     ["Low Arousal", "Studio III", "KRAP"], 40, 6),
    ("T10", "Strandlyst", "Socialpsykiatrisk botilbud", ["Voksne med sindslidelse"],
     ["Recovery-orienteret arbejde", "Mentaliseringsbaseret arbejde"], 64, 6),
    ("T11", "Nørrevang", "Døgntilbud for børn og unge", ["Børn og unge med autisme"],
     ["TEACCH", "Low Arousal", "Neuropædagogik"], 42, 6),
    ("T12", "Granly", "Botilbud", ["Voksne med erhvervet hjerneskade"], ["Neuropædagogik", "KRAP"], 58, 6),
    ("T13", "Havbakken", "Sikret institution", ["Unge i sikret regi"],
     ["Studio III", "Traumeinformeret omsorg"], 28, 6),
]
UNIT_NAMES = ["Birken", "Egen", "Pilen", "Ahornen", "Lærken", "Rønnen", "Hyldebo", "Valmuen", "Kløveret",
              "Solbakken", "Engen", "Skovly", "Havudsigten", "Toften"]
FIRST = ["Anne", "Mette", "Hanne", "Lone", "Susanne", "Camilla", "Louise", "Maria", "Sofie", "Ida", "Emma",
         "Julie", "Line", "Tina", "Pia", "Karen", "Marianne", "Helle", "Signe", "Nanna", "Jens", "Peter",
         "Lars", "Michael", "Henrik", "Søren", "Thomas", "Martin", "Jesper", "Anders", "Rasmus", "Mads",
         "Niels", "Kasper", "Mikkel", "Christian", "Jakob", "Frederik", "Ole", "Bjørn", "Åse", "Ørjan"]
LAST = ["Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
        "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Christiansen",
        "Poulsen", "Johansen", "Møller", "Mortensen", "Lund", "Holm", "Kjær", "Bach", "Dahl", "Skov",
        "Østergaard", "Bækgaard", "Lauridsen", "Frølund"]
TITLES = [("Socialpædagog", 58), ("Pædagogisk assistent", 12), ("Omsorgsmedhjælper", 8),
          ("Sygeplejerske", 5), ("Social- og sundhedsassistent", 8), ("Ergoterapeut", 3),
          ("Psykolog", 2), ("Lærer", 4)]
FTES = [Decimal("1"), Decimal("1"), Decimal("1"), Decimal("0.9"), Decimal("0.8"), Decimal("0.8"),
        Decimal("0.75"), Decimal("0.6"), Decimal("0.5")]
EMPLOYEES_TARGET = 1800


@dataclass
class DemoSummary:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> str:
        head = "Demodata indlæst" if self.created else "Demodata findes allerede (brug --reset for at genskabe)"
        return head + ": " + ", ".join(f"{v} {k}" for k, v in self.counts.items())


PERSONAS = [
    ("HR-administrator", f"hr@{DOMAIN}"),
    ("Forstander (Lindehøj)", f"forstander@{DOMAIN}"),
    ("Afdelingsleder (Lindehøj, Birken)", f"leder@{DOMAIN}"),
    ("Medarbejder (Lindehøj, Birken)", f"medarbejder@{DOMAIN}"),
    ("Arbejdsmiljørepræsentant (Lindehøj)", f"amr@{DOMAIN}"),
    ("Supervisor (ekstern)", f"supervisor@{DOMAIN}"),
    ("Afdelingsleder (Kildebakken)", f"leder2@{DOMAIN}"),
]
# An employee payroll has reported but who has no account yet: the work-account demo shows the
# first sign-in creating it.
NEWCOMER = f"nyansat@{DOMAIN}"
NEWCOMER_LABEL = "Nyansat medarbejder (Lindehøj, Birken), ingen konto endnu"


async def directory_people() -> list:
    """The demo people as the local stand-in for Entra ID knows them: each employee persona with
    their employee number, and the newcomer."""
    from hr.devidp import Person

    labels = {email: label for label, email in PERSONAS} | {NEWCOMER: NEWCOMER_LABEL}
    # A role granted by hand waits for HR the first time (hr/auth/conflicts.py): the demo shows it.
    labels[f"amr@{DOMAIN}"] += "; første log-ind venter på HR, da rollen er givet i hånden"
    rows = await Employee.select(Employee.employee_number, Employee.name, Employee.email).where(
        Employee.email.is_in(list(labels))).run()
    order = list(labels)
    rows.sort(key=lambda r: order.index(r["email"]))
    return [Person(sub=f"demo-{r['employee_number']}", name=r["name"], email=r["email"],
                   employee_number=r["employee_number"], description=labels[r["email"]]) for r in rows]


# Children before parents. Seed tables (rules, factors, requirements) are kept.
ALL_TABLES = [Nomination, Cohort, Certificate, EnrolmentEvent, Enrolment, PlanGoal, Plan, ProgrammeModule,
              Programme, CourseRun, ModuleMethod, Module, OutboxMessage, CalendarFeed, EmployeeLeave,
              BookingParticipant, Booking, AvailabilityException, Availability,
              MatchException, SupervisorInstitution, SupervisorMethod, Supervisor,
              IncidentAmendment, IncidentFactor, IncidentStaff, ActionItem, Incident, Order, Apv,
              WorkEnvironmentDiscussion, AuditEvent, ApiToken, LoginAttempt, Session, RoleAssignment, Account, Employee,
              InstitutionTargetGroup, InstitutionMethod, Unit, Institution, TargetGroup, Method]


async def clear_all() -> None:
    for table in ALL_TABLES:
        await table.delete(force=True).run()


async def _counts() -> dict[str, int]:
    return {
        "tilbud": await Institution.count().run(),
        "afdelinger": await Unit.count().run(),
        "medarbejdere": await Employee.count().run(),
        "ledere": await RoleAssignment.count().where(RoleAssignment.role == Role.LEADER).run(),
        "supervisorer": await RoleAssignment.count().where(RoleAssignment.role == Role.SUPERVISOR).run(),
        "arbejdsmiljøhændelser": await Incident.count().run(),
        "supervisionssessioner": await Booking.count().run(),
        "uddannelsesforløb": await Enrolment.count().run(),
    }


async def load_demo(reset: bool = False, incident_years: int = workenv_demo.YEARS,
                    incident_scale: float = 1.0) -> DemoSummary:
    if reset:
        await clear_all()
    if await Institution.count().run():
        return DemoSummary(created=False, counts=await _counts(), logins=PERSONAS)
    rng = random.Random(SEED)
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account: fast to load
    async with transaction():
        await _load(rng, password_hash)
        await workenv_demo.load(rng, TODAY, years=incident_years, scale=incident_scale)
        await supervision_demo.load(rng, max(TODAY, now().astimezone(TIMEZONE).date()))
        await competence_demo.load(rng, max(TODAY, now().astimezone(TIMEZONE).date()))
    return DemoSummary(created=True, counts=await _counts(), logins=PERSONAS)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


async def _load(rng: random.Random, password_hash: str) -> None:
    method_ids = {}
    for name, description in METHODS.items():
        rows = await Method.insert(Method(name=name, description=description)).returning(Method.id).run()
        method_ids[name] = rows[0]["id"]
    group_ids: dict[str, int] = {}
    institutions = []
    for code, name, kind, groups, methods, places, care_units in INSTITUTIONS:
        rows = await Institution.insert(
            Institution(code=code, name=name, kind=kind, places=places)
        ).returning(Institution.id).run()
        inst_id = rows[0]["id"]
        for group in groups:
            if group not in group_ids:
                group_ids[group] = (await TargetGroup.insert(TargetGroup(name=group))
                                    .returning(TargetGroup.id).run())[0]["id"]
            await InstitutionTargetGroup.insert(
                InstitutionTargetGroup(institution=inst_id, target_group=group_ids[group])).run()
        await InstitutionMethod.insert(
            *[InstitutionMethod(institution=inst_id, method=method_ids[m]) for m in methods]).run()
        unit_rows = [Unit(code=f"{code}-00", name=f"{name} ledelse og administration", institution=inst_id)]
        for n in range(care_units):
            unit_rows.append(Unit(code=f"{code}-{n + 1:02d}", name=f"{name} {UNIT_NAMES[n]}", institution=inst_id))
        await Unit.insert(*unit_rows).run()
        units = await Unit.select().where(Unit.institution == inst_id).order_by(Unit.code).run()
        institutions.append((inst_id, code, name, units))

    total_care_units = sum(len(units) - 1 for *_, units in institutions)
    per_unit = EMPLOYEES_TARGET // total_care_units
    number = 100000
    used_emails: set[str] = set()
    employees: list[dict] = []  # plain dicts: inserted in bulk below

    def person(unit_id: int, title: str, role: str, inst_index: int, unit_index: int, email: str | None = None):
        nonlocal number
        number += 1
        name = _name(rng)
        if email is None:
            local = name.lower().replace(" ", ".").replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
            email = f"{local}@{DOMAIN}"
            n = 2
            while email in used_emails:
                email = f"{local}{n}@{DOMAIN}"
                n += 1
        used_emails.add(email)
        start = TODAY - timedelta(days=rng.randint(60, 9000))
        leaver = role == "staff" and rng.random() < 0.05
        end = TODAY - timedelta(days=rng.randint(1, 700)) if leaver else None
        if end and end <= start:
            end = start + timedelta(days=30)
        employees.append({
            "employee_number": str(number), "name": name, "email": email, "job_title": title,
            "fte": Decimal("1") if role != "staff" else rng.choice(FTES), "start_date": start,
            "end_date": end, "unit": unit_id, "active": end is None or end >= TODAY,
            "leads": {"head": "institution", "leader": "unit"}.get(role, ""),
            "_role": role, "_inst": inst_index, "_unit": unit_index,
        })
        return employees[-1]

    fixed = {(0, 1, "leader"): f"leder@{DOMAIN}", (0, 0, "head"): f"forstander@{DOMAIN}",
             (1, 1, "leader"): f"leder2@{DOMAIN}"}
    for i, (*_, units) in enumerate(institutions):
        person(units[0]["id"], "Forstander", "head", i, 0, fixed.get((i, 0, "head")))
        for k in range(4):
            person(units[0]["id"] if k == 0 else units[1 + k % (len(units) - 1)]["id"],
                   "Souschef" if k == 0 else "Teamleder", "deputy", i, 0)
        for j, unit in enumerate(units[1:], start=1):
            person(unit["id"], "Afdelingsleder", "leader", i, j, fixed.get((i, j, "leader")))
            for s in range(per_unit - 2 + rng.randint(-3, 3)):
                title = rng.choices([t for t, _ in TITLES], [w for _, w in TITLES])[0]
                if title == "Lærer" and "skole" not in INSTITUTIONS[i][2].lower():
                    title = "Socialpædagog"
                email = {(0, 1, 0): f"medarbejder@{DOMAIN}", (0, 1, 1): NEWCOMER}.get((i, j, s))
                hired = person(unit["id"], title, "staff", i, j, email)
                if email == NEWCOMER:  # started this week
                    hired.update(start_date=TODAY - timedelta(days=2), end_date=None, active=True)
        person(units[1]["id"], "Socialpædagog", "amr", i, 1, f"amr@{DOMAIN}" if i == 0 else None)
    for k in range(6):
        inst = institutions[k * 2]
        person(inst[3][0]["id"], "Psykolog", "internal_supervisor", k * 2, 0)

    rows = [Employee(**{k: v for k, v in e.items() if not k.startswith("_")}) for e in employees]
    for start in range(0, len(rows), 500):
        await Employee.insert(*rows[start:start + 500]).run()
    ids = {r["employee_number"]: r["id"] for r in await Employee.select(Employee.id, Employee.employee_number).run()}
    for e in employees:
        e["id"] = ids[e["employee_number"]]

    # Managers: staff -> unit leader; unit leaders and deputies -> head.
    heads = {e["_inst"]: e for e in employees if e["_role"] == "head"}
    unit_leaders = {(e["_inst"], e["unit"]): e for e in employees if e["_role"] == "leader"}
    by_manager: dict[int, list[int]] = {}
    for e in employees:
        if e["_role"] in ("staff", "amr"):
            manager = unit_leaders.get((e["_inst"], e["unit"]), heads[e["_inst"]])
        elif e["_role"] in ("leader", "deputy", "internal_supervisor"):
            manager = heads[e["_inst"]]
        else:
            continue
        by_manager.setdefault(manager["id"], []).append(e["id"])
    for manager_id, member_ids in by_manager.items():
        await Employee.update({Employee.manager: manager_id}).where(Employee.id.is_in(member_ids)).run()

    # Accounts: every active employee can log in (staff report from their phones).
    # (but the newcomer, who has never signed in: the first sign-in with the work account makes it).
    accounts = [Account(email=e["email"], name=e["name"], password_hash=password_hash, employee=e["id"])
                for e in employees if e["active"] and e["email"] != NEWCOMER]
    for start in range(0, len(accounts), 500):
        await Account.insert(*accounts[start:start + 500]).run()
    account_ids = {r["email"]: r["id"] for r in await Account.select(Account.id, Account.email).run()}
    inst_ids = [inst[0] for inst in institutions]
    assignments = []
    for e in employees:
        if not e["active"] or e["email"] == NEWCOMER:
            continue
        account_id = account_ids[e["email"]]
        if e["_role"] == "head":
            assignments.append(RoleAssignment(account=account_id, role=Role.LEADER, institution=inst_ids[e["_inst"]],
                                              staff_responsibility=True, source="organisation"))
        elif e["_role"] == "leader":
            assignments.append(RoleAssignment(account=account_id, role=Role.LEADER, institution=inst_ids[e["_inst"]],
                                              unit=e["unit"], staff_responsibility=True, source="organisation"))
        elif e["_role"] == "deputy":
            assignments.append(RoleAssignment(account=account_id, role=Role.LEADER, institution=inst_ids[e["_inst"]],
                                              unit=e["unit"], staff_responsibility=False))
        elif e["_role"] == "amr":
            assignments.append(RoleAssignment(account=account_id, role=Role.AMR, institution=inst_ids[e["_inst"]]))
        elif e["_role"] == "internal_supervisor":
            assignments.append(RoleAssignment(account=account_id, role=Role.SUPERVISOR))
    hr_rows = await Account.insert(
        Account(email=f"hr@{DOMAIN}", name="Hanne Rask (HR)", password_hash=password_hash)
    ).returning(Account.id).run()
    assignments.append(RoleAssignment(account=hr_rows[0]["id"], role=Role.HR))
    for k in range(6):
        email = f"supervisor@{DOMAIN}" if k == 0 else f"supervisor{k + 1}@{DOMAIN}"
        rows = await Account.insert(
            Account(email=email, name=f"{_name(rng)} (ekstern supervisor)", password_hash=password_hash)
        ).returning(Account.id).run()
        assignments.append(RoleAssignment(account=rows[0]["id"], role=Role.SUPERVISOR))
    for start in range(0, len(assignments), 500):
        await RoleAssignment.insert(*assignments[start:start + 500]).run()
    await _supervisors(rng, method_ids, [inst[0] for inst in institutions])


async def _supervisors(rng: random.Random, method_ids: dict[str, int], institution_ids: list[int]) -> None:
    """The registry behind the supervisor accounts: methods known and institutions served."""
    accounts = await Account.select(Account.id, Account.name, Account.email, Account.employee).where(
        Account.id.is_in([r["account"] for r in await RoleAssignment.select(RoleAssignment.account).where(
            RoleAssignment.role == Role.SUPERVISOR).run()])).order_by(Account.id).run()
    for account in accounts:
        external = account["employee"] is None
        rows = await Supervisor.insert(Supervisor(
            name=account["name"].replace(" (ekstern supervisor)", ""), email=account["email"], external=external,
            organisation="Psykologhuset" if external else "Regionens psykologteam", account=account["id"],
            fee_per_session=Decimal(rng.choice([1800, 2200, 2400, 2800])) if external else None,
        )).returning(Supervisor.id).run()
        supervisor_id = rows[0]["id"]
        await SupervisorMethod.insert(*[SupervisorMethod(supervisor=supervisor_id, method=method_ids[m])
                                        for m in rng.sample(sorted(method_ids), rng.randint(2, 4))]).run()
        await SupervisorInstitution.insert(*[SupervisorInstitution(supervisor=supervisor_id, institution=i)
                                             for i in rng.sample(institution_ids, rng.randint(2, 6))]).run()
        await Availability.insert(*[Availability(supervisor=supervisor_id, weekday=day, start_minute=8 * 60,
                                                 end_minute=15 * 60) for day in rng.sample(range(5), 3)]).run()
