"""Demo episodes over several years. Rates differ strongly between target groups, as they do:
secure units and sentenced adults see far more violence and use of force than day services."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from hr.auth.tables import Account, RoleAssignment
from hr.db import bulk_insert
from hr.org.tables import Employee, Institution, Unit
from hr.settings import TIMEZONE
from hr.workenv import choices
from hr.workenv.tables import ActionItem, Apv, ContributingFactor, Incident, IncidentAbsence, IncidentFactor, Order

# Episodes per care unit per year, by kind, for each institution kind.
RATES = {
    "Sikret institution": {"violence": 60, "use_of_force": 45, "near_miss": 8, "accident": 6},
    "Botilbud for domfældte": {"violence": 40, "use_of_force": 25, "near_miss": 6, "accident": 5},
    "Døgntilbud for børn og unge": {"violence": 30, "use_of_force": 22, "near_miss": 6, "accident": 5},
    "Botilbud": {"violence": 18, "use_of_force": 8, "near_miss": 7, "accident": 6},
    "Socialpsykiatrisk botilbud": {"violence": 14, "use_of_force": 4, "near_miss": 5, "accident": 4},
    "Forsorgshjem": {"violence": 16, "use_of_force": 2, "near_miss": 5, "accident": 4},
    "Specialskole": {"violence": 12, "use_of_force": 6, "near_miss": 5, "accident": 4},
    "Dagtilbud": {"violence": 4, "use_of_force": 1, "near_miss": 4, "accident": 4},
}
# Hours when episodes cluster: mornings, meals and evenings.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 5, 7, 5, 4, 6, 7, 5, 5, 7, 8, 9, 8, 6, 5, 3, 2, 1]
DESCRIPTIONS = {
    "violence": [
        "Borgeren slog ud efter medarbejderen under morgenplejen.",
        "Borgeren kastede en kop mod personalet ved aftensmaden.",
        "Truende adfærd og råben i fællesrummet; borgeren nærmede sig med knyttede hænder.",
        "Borgeren bed medarbejderen i armen ved overgangen til bad.",
    ],
    "use_of_force": [
        "Borgeren blev ført til eget værelse for at undgå skade på andre.",
        "Kortvarig fastholdelse for at afværge fare for borgeren selv.",
        "Fastholdelse i forbindelse med nødvendig hygiejne.",
    ],
    "near_miss": [
        "Medarbejderen var ved at falde over en ledning i gangen.",
        "Borgerens medicin lå fremme på bordet.",
        "Vådt gulv i badeværelset uden skiltning.",
    ],
    "accident": [
        "Medarbejderen forstuvede foden på en våd flise.",
        "Rygsmerter efter forflytning uden lift.",
        "Snitsår ved madlavning sammen med borger.",
    ],
}
YEARS = 4


def _moment(rng: random.Random, day: date) -> datetime:
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    return datetime.combine(day, time(hour, rng.randrange(0, 60, 5)), TIMEZONE)


async def load(rng: random.Random, today: date, years: int = YEARS, scale: float = 1.0) -> int:
    """Episodes for `years` back from today; `scale` multiplies the rates (the analysis benchmark
    uses 10 years at about five times the rate: more than 200,000 episodes)."""
    institutions = {r["id"]: r for r in await Institution.select().run()}
    # Care units (the administration units end in -00).
    units = await Unit.select().where(Unit.code.not_like("%-00")).order_by(Unit.code).run()
    employees = await Employee.select(Employee.id, Employee.unit).where(Employee.active.eq(True)).run()
    accounts = {
        r["employee"]: r["id"] for r in await Account.select(Account.id, Account.employee).run() if r["employee"]
    }
    by_unit: dict[int, list[int]] = {}
    for e in employees:
        if e["id"] in accounts:
            by_unit.setdefault(e["unit"], []).append(accounts[e["id"]])
    leaders = {
        r["unit"]: r["account"]
        for r in await RoleAssignment.select()
        .where((RoleAssignment.role == "leader") & RoleAssignment.unit.is_not_null())
        .run()
    }
    factors = [r["id"] for r in await ContributingFactor.select(ContributingFactor.id).run()]
    start = today - timedelta(days=365 * years)
    rows: list[Incident] = []
    for unit in units:
        rates = RATES.get(institutions[unit["institution"]]["kind"], RATES["Botilbud"])
        reporters = by_unit.get(unit["id"]) or [leaders.get(unit["id"])]
        pseudonyms = [f"{unit['code'][-2:]}-{n:02d}" for n in range(1, rng.randint(4, 9))]
        for kind, per_year in rates.items():
            count = max(0, int(rng.gauss(per_year * scale * years, (per_year * scale) ** 0.5 * 2)))
            for _ in range(count):
                day = start + timedelta(days=rng.randrange(0, 365 * years))
                occurred = _moment(rng, day)
                age = (today - day).days
                submitted = occurred + timedelta(hours=rng.choice([1, 2, 3, 5, 12, 24]))
                reviewed = (
                    submitted + timedelta(days=rng.choice([1, 2, 3, 5, 6, 9, 14]))
                    if age > 10 or rng.random() < 0.5
                    else None
                )
                closed = reviewed + timedelta(days=rng.randint(1, 20)) if reviewed and age > 30 else None
                row = dict(
                    kind=kind,
                    status="closed" if closed else ("reviewed" if reviewed else "submitted"),
                    occurred_at=occurred,
                    submitted_at=submitted,
                    institution=unit["institution"],
                    unit=unit["id"],
                    place_type=rng.choice(list(choices.PLACE_TYPES)),
                    reporter=rng.choice(reporters),
                    reporter_identity_shared=rng.random() < 0.4,
                    description=rng.choice(DESCRIPTIONS[kind]),
                    antecedents="Ændring i dagens plan og uro i gruppen."
                    if kind in ("violence", "use_of_force")
                    else "",
                    escalation="Rolig tale og afstand dæmpede situationen.",
                    severity=rng.choices([1, 2, 3, 4], [50, 35, 12, 3])[0],
                    citizen_pseudonym=rng.choice(pseudonyms) if kind in ("violence", "use_of_force") else "",
                    reviewed_at=reviewed,
                    reviewed_by=leaders.get(unit["id"]) if reviewed else None,
                    causes="Manglende forudsigelighed" if reviewed else "",
                    learning_point="Fast dagsstruktur" if reviewed else "",
                    closed_at=closed,
                    created_at=occurred,
                    updated_at=closed or reviewed or submitted,
                )
                if kind == "violence":
                    row["violence_type"] = rng.choices(list(choices.VIOLENCE_TYPES), [55, 28, 13, 4])[0]
                    if reviewed:
                        row["defusing_offered_at"] = occurred + timedelta(hours=rng.choice([1, 2, 6, 20, 30]))
                        row["defusing_held_at"] = row["defusing_offered_at"]
                        row["defusing_by"] = "Kollega"
                        debriefing = occurred + timedelta(hours=rng.choice([26, 40, 60, 90]))
                        row["debriefing_offered_at"] = row["defusing_offered_at"]
                        if rng.random() < 0.25:
                            row["debriefing_declined_at"] = row["debriefing_offered_at"]
                        elif age > 4:
                            row.update(debriefing_held_at=debriefing, debriefing_by="Psykolog")
                if kind == "use_of_force":
                    inst_kind = institutions[unit["institution"]]["kind"]
                    child = "børn" in inst_kind.lower() or "Sikret" in inst_kind
                    framework = "child" if child else "adult"
                    row.update(
                        legal_framework=framework,
                        force_category=rng.choice(list(choices.FORCE_CATEGORIES[framework])),
                        form_reference=f"MAG-{day.year}-{rng.randint(1000, 9999)}",
                    )
                    if reviewed:
                        row["forwarded_municipality_on"] = (occurred + timedelta(days=rng.choice([0, 1, 2, 4]))).date()
                        row["forwarded_supervisory_on"] = (occurred + timedelta(days=rng.choice([1, 2, 3, 6]))).date()
                if kind == "accident":
                    absence = rng.choices([0, 0, 1, 2, 5, 12, 40], [30, 20, 15, 12, 12, 8, 3])[0]
                    row.update(
                        injury_type=rng.choice(list(choices.INJURY_TYPES)),
                        body_part=rng.choice(list(choices.BODY_PARTS)),
                        expected_absence="none" if absence == 0 else ("1_2" if absence < 3 else "3_35"),
                        absence_days=absence if reviewed else None,
                        first_absence_date=day + timedelta(days=1) if absence else None,
                    )
                    if absence and reviewed:
                        row.update(
                            easy_reference=f"EASY-{rng.randint(100000, 999999)}",
                            easy_reported_at=occurred + timedelta(days=rng.choice([3, 7, 12, 16])),
                            easy_reported_by=leaders.get(unit["id"]),
                        )
                rows.append(row)
    await bulk_insert(Incident, rows)
    await _absence_periods()
    await _factors_and_actions(rng, factors, leaders, today)
    await _orders_and_apvs(rng, units, leaders, today)
    return len(rows)


async def _absence_periods() -> None:
    """The recorded absence as the one period it is."""
    periods = [{"incident": r["id"], "starts_on": r["first_absence_date"],
                "ends_on": r["first_absence_date"] + timedelta(days=r["absence_days"] - 1)}
               for r in await Incident.select(Incident.id, Incident.absence_days, Incident.first_absence_date).where(
                   (Incident.absence_days > 0) & Incident.first_absence_date.is_not_null()).run()]
    await bulk_insert(IncidentAbsence, periods)


async def _factors_and_actions(rng, factors, leaders, today) -> None:
    incidents = await Incident.select(
        Incident.id, Incident.kind, Incident.unit, Incident.institution, Incident.reviewed_at, Incident.closed_at
    ).run()
    links, actions = [], []
    for incident in incidents:
        for factor in rng.sample(factors, rng.choice([0, 1, 1, 2, 3])):
            links.append({"incident": incident["id"], "factor": factor})
        if incident["reviewed_at"] and incident["kind"] in ("violence", "accident") and rng.random() < 0.15:
            deadline = incident["reviewed_at"].date() + timedelta(days=rng.choice([14, 30, 60]))
            done = incident["closed_at"] is not None
            actions.append(
                ActionItem(
                    source_type="incident",
                    source_id=incident["id"],
                    institution=incident["institution"],
                    unit=incident["unit"],
                    problem="Gentagne episoder i samme situation",
                    measure="Ændret dagsstruktur og to medarbejdere ved overgange",
                    priority=rng.choice([1, 2, 3]),
                    owner=leaders.get(incident["unit"]),
                    deadline=deadline,
                    effect_check="Antal episoder i situationen de næste tre måneder",
                    status="done" if done else "open",
                    closed_at=incident["closed_at"] if done else None,
                    closing_note="Gennemført og evalueret på personalemøde" if done else "",
                )
            )
    await bulk_insert(IncidentFactor, links)
    for begin in range(0, len(actions), 1000):
        await ActionItem.insert(*actions[begin : begin + 1000]).run()


async def _orders_and_apvs(rng, units, leaders, today) -> None:
    apvs = []
    for unit in units:
        completed = today - timedelta(days=rng.randint(100, 1400))
        apvs.append(
            Apv(
                institution=unit["institution"],
                unit=unit["id"],
                started_on=completed - timedelta(days=90),
                mapping_done_on=completed - timedelta(days=80),
                assessment_done_on=completed - timedelta(days=60),
                absence_reviewed_on=completed - timedelta(days=50),
                action_plan_done_on=completed - timedelta(days=20),
                followup_rules="Status på personalemøde hvert kvartal",
                completed_on=completed,
            )
        )
    await Apv.insert(*apvs).run()
    for n, unit in enumerate(rng.sample(units, 6)):
        received = today - timedelta(days=rng.randint(20, 400))
        closed = received + timedelta(days=90) if n % 2 else None
        await Order.insert(
            Order(
                case_number=f"AT-{received.year}-{rng.randint(1000, 9999)}",
                received_on=received,
                order_type=rng.choice(["frist", "vejledning", "raadgiver"]),
                rule_breached="Vold og trusler om vold",
                description="Risiko for vold i forbindelse med alenearbejde i aftenvagten.",
                institution=unit["institution"],
                unit=unit["id"],
                compliance_deadline=received + timedelta(days=120),
                reply_deadline=received + timedelta(days=30),
                responsible=leaders.get(unit["id"]),
                amo_informed_on=received + timedelta(days=10),
                reply_sent_on=received + timedelta(days=20) if closed or n % 3 else None,
                closed_on=closed,
            )
        ).run()
