"""The yearly leadership cohort. HR opens a cohort with a capacity (default 20); institution
heads nominate leaders with staff responsibility before the deadline, with a motivation and
their own priority; HR selects, places the rest on a waiting list and confirms. When a selected
leader withdraws or an offer is declined or runs out, the first on the waiting list is offered
the seat with a deadline to accept.

Capacity is never exceeded: a selection or an offer takes a seat only inside a transaction
that first locks the cohort row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
transaction serialises writers), then counts the seats taken."""

from __future__ import annotations

from datetime import date, timedelta

from hr import audit
from hr.auth.principal import SYSTEM, Principal, Role
from hr.auth.tables import RoleAssignment
from hr.competence.tables import Cohort, Nomination
from hr.db import is_postgres, now, transaction
from hr.forms import NotFound, ValidationError, integer, parse_date, parse_year, text, years_from
from hr.org.tables import Employee
from hr.settings import TIMEZONE

STATUSES = {"nominated": "Indstillet", "selected": "Udvalgt", "waitlisted": "På venteliste",
            "offered": "Tilbudt plads", "declined": "Takket nej", "withdrawn": "Trukket sig",
            "rejected": "Ikke udvalgt"}
TAKES_SEAT = ("selected", "offered")
MIN_MOTIVATION = 20


def _today() -> date:
    return now().astimezone(TIMEZONE).date()


async def open_cohort(principal: Principal, form) -> int:
    errors: dict[str, str] = {}
    year = parse_year(form.get("year"), errors)
    capacity = integer(form.get("capacity"), errors, "capacity", low=1, high=200, default=20,
                       message="Skriv antal pladser (1-200)")
    deadline = parse_date(form.get("nomination_deadline"), errors, "nomination_deadline",
                          required="Vælg en frist for indstillinger", earliest=_today(),
                          latest=years_from(_today(), 2))
    offer_days = integer(form.get("offer_days"), errors, "offer_days", low=1, high=60, default=14,
                         message="Skriv antal dage (1-60)")
    if year and await Cohort.exists().where(Cohort.year == year).run():
        errors["year"] = f"Der er allerede et hold for {year}"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await Cohort.insert(Cohort(year=year, capacity=capacity, nomination_deadline=deadline,
                                          offer_days=offer_days, opened_by=principal.account_id)).returning(
            Cohort.id).run()
        await audit.record(principal, "create", "cohort", rows[0]["id"], {"year": year, "capacity": capacity})
    return rows[0]["id"]


async def list_cohorts() -> list[dict]:
    cohorts = await Cohort.select().order_by(Cohort.year, ascending=False).run()
    counts: dict[int, dict[str, int]] = {}
    for n in await Nomination.select(Nomination.cohort, Nomination.status).run():
        entry = counts.setdefault(n["cohort"], {})
        entry[n["status"]] = entry.get(n["status"], 0) + 1
    for cohort in cohorts:
        cohort["counts"] = counts.get(cohort["id"], {})
        cohort["taken"] = sum(cohort["counts"].get(s, 0) for s in TAKES_SEAT)
        cohort["nominations"] = sum(cohort["counts"].values())
    return cohorts


async def eligible_leaders(principal: Principal) -> list[dict]:
    """Leaders with staff responsibility whom this person may nominate (heads: their institution)."""
    query = RoleAssignment.select(RoleAssignment.account.employee.as_alias("employee")).where(
        (RoleAssignment.role == Role.LEADER) & RoleAssignment.staff_responsibility.eq(True)
        & RoleAssignment.account.employee.is_not_null() & RoleAssignment.account.active.eq(True))
    ids = {r["employee"] for r in await query.run()}
    people = Employee.select(Employee.id, Employee.name, Employee.job_title,
                             Employee.unit.name.as_alias("unit_name"),
                             Employee.unit.institution.as_alias("institution"),
                             Employee.unit.institution.name.as_alias("institution_name")).where(
        Employee.id.is_in(list(ids) or [-1]) & Employee.active.eq(True)).order_by(Employee.name)
    if not principal.is_hr:
        people = people.where(Employee.unit.institution.is_in(list(principal.leader_institution_ids) or [-1]))
    return await people.run()


async def nominate(principal: Principal, cohort_id: int, form) -> int:
    cohort = await Cohort.select().where(Cohort.id == cohort_id).first().run()
    if not cohort:
        raise NotFound(cohort_id)
    errors: dict[str, str] = {}
    if cohort["status"] != "open":
        errors["employee"] = "Holdet er afsluttet"
    elif cohort["nomination_deadline"] < _today() and not principal.is_hr:
        errors["employee"] = "Fristen for indstillinger er overskredet"
    raw = str(form.get("employee", "")).strip()
    leader = next((e for e in await eligible_leaders(principal) if raw.isdigit() and e["id"] == int(raw)), None)
    if leader is None:
        errors["employee"] = errors.get("employee") or "Vælg en leder med personaleansvar fra dit tilbud"
    motivation = text(form.get("motivation"), errors, "motivation", max_length=3000)
    if "motivation" not in errors and len(motivation) < MIN_MOTIVATION:
        errors["motivation"] = f"Skriv en begrundelse på mindst {MIN_MOTIVATION} tegn"
    priority = integer(form.get("priority"), errors, "priority", low=1, high=50, default=1,
                       message="Skriv prioriteten som et tal fra 1 (højest)") or 1
    if leader and await Nomination.exists().where((Nomination.cohort == cohort_id)
                                                  & (Nomination.employee == leader["id"])).run():
        errors["employee"] = "Lederen er allerede indstillet til holdet"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await Nomination.insert(Nomination(
            cohort=cohort_id, employee=leader["id"], institution=leader["institution"],
            nominated_by=principal.account_id, motivation=motivation, priority=priority)).returning(
            Nomination.id).run()
        await audit.record(principal, "create", "nomination", rows[0]["id"], {"cohort": cohort_id})
    return rows[0]["id"]


async def get_cohort(principal: Principal, cohort_id: int) -> dict | None:
    """The cohort with the nominations the person may see (HR: all; heads: their institutions)."""
    cohort = await Cohort.select().where(Cohort.id == cohort_id).first().run()
    if not cohort:
        return None
    query = Nomination.select(Nomination.all_columns(), Nomination.employee.name.as_alias("name"),
                              Nomination.employee.unit.name.as_alias("unit_name"),
                              Nomination.institution.name.as_alias("institution_name"),
                              Nomination.nominated_by.name.as_alias("nominated_by_name")).where(
        Nomination.cohort == cohort_id).order_by(Nomination.institution.name).order_by(Nomination.priority)
    if not principal.is_hr:
        query = query.where(Nomination.institution.is_in(list(principal.leader_institution_ids) or [-1]))
    nominations = await query.run()
    all_rows = await Nomination.select(Nomination.status, Nomination.institution).where(
        Nomination.cohort == cohort_id).run()
    cohort["taken"] = sum(1 for n in all_rows if n["status"] in TAKES_SEAT)
    cohort["nominations"] = nominations
    balance: dict[str, dict] = {}
    for n in nominations:
        entry = balance.setdefault(n["institution_name"], {"name": n["institution_name"], "nominated": 0,
                                                           "selected": 0})
        entry["nominated"] += 1
        entry["selected"] += 1 if n["status"] in TAKES_SEAT else 0
    cohort["balance"] = sorted(balance.values(), key=lambda b: b["name"])
    cohort["waitlist"] = sorted((n for n in nominations if n["status"] == "waitlisted"),
                                key=lambda n: n["waitlist_position"] or 0)
    return cohort


async def _lock(cohort_id: int) -> dict:
    if is_postgres():
        await Cohort.raw("SELECT id FROM competence_cohort WHERE id = {} FOR UPDATE", cohort_id).run()
    return await Cohort.select().where(Cohort.id == cohort_id).first().run()


async def _taken(cohort_id: int) -> int:
    return await Nomination.count().where((Nomination.cohort == cohort_id)
                                          & Nomination.status.is_in(list(TAKES_SEAT))).run()


async def _nomination(nomination_id: int) -> dict:
    row = await Nomination.select().where(Nomination.id == nomination_id).first().run()
    if not row:
        raise NotFound(nomination_id)
    return row


async def _set(principal: Principal, row: dict, status: str, **extra) -> None:
    await Nomination.update({Nomination.status: status, Nomination.decided_at: now(), **extra}).where(
        Nomination.id == row["id"]).run()
    await audit.record(principal, status, "nomination", row["id"], {"from": row["status"]})


async def select(principal: Principal, nomination_id: int) -> None:
    row = await _nomination(nomination_id)
    async with transaction():
        cohort = await _lock(row["cohort"])
        row = await _nomination(nomination_id)  # as it is now, under the lock
        if row["status"] not in ("nominated", "waitlisted", "rejected"):
            raise ValidationError({"selection": f"{STATUSES[row['status']]}: kan ikke udvælges"})
        taken = await _taken(row["cohort"])
        if taken >= cohort["capacity"]:
            raise ValidationError({"selection": f"Holdet er fuldt ({taken} af {cohort['capacity']} pladser)"})
        await _set(principal, row, "selected", waitlist_position=None, offer_deadline=None)
        await _renumber(row["cohort"])


async def waitlist(principal: Principal, nomination_id: int) -> None:
    row = await _nomination(nomination_id)
    async with transaction():
        await _lock(row["cohort"])
        row = await _nomination(nomination_id)
        if row["status"] not in ("nominated", "selected", "rejected"):
            raise ValidationError({"selection": f"{STATUSES[row['status']]}: kan ikke sættes på venteliste"})
        await _set(principal, row, "waitlisted", waitlist_position=await _next_position(row["cohort"]))


async def reject(principal: Principal, nomination_id: int) -> None:
    row = await _nomination(nomination_id)
    async with transaction():
        await _lock(row["cohort"])
        row = await _nomination(nomination_id)
        if row["status"] not in ("nominated", "waitlisted"):
            raise ValidationError({"selection": f"{STATUSES[row['status']]}: kan ikke fravælges"})
        await _set(principal, row, "rejected", waitlist_position=None)
        await _renumber(row["cohort"])


async def _next_position(cohort_id: int) -> int:
    rows = await Nomination.select(Nomination.waitlist_position).where(
        (Nomination.cohort == cohort_id) & (Nomination.status == "waitlisted")).run()
    return max((r["waitlist_position"] or 0 for r in rows), default=0) + 1


async def _renumber(cohort_id: int) -> None:
    rows = await Nomination.select(Nomination.id).where(
        (Nomination.cohort == cohort_id) & (Nomination.status == "waitlisted")).order_by(
        Nomination.waitlist_position).run()
    for position, r in enumerate(rows, start=1):
        await Nomination.update({Nomination.waitlist_position: position}).where(Nomination.id == r["id"]).run()


async def confirm(principal: Principal, cohort_id: int) -> None:
    """The rest go on the waiting list in the institutions' priority order; the cohort is closed
    for nominations."""
    async with transaction():
        cohort = await _lock(cohort_id)
        if not cohort:
            raise NotFound(cohort_id)
        if cohort["status"] != "open":
            raise ValidationError({"selection": "Holdet er allerede bekræftet"})
        rest = await Nomination.select().where((Nomination.cohort == cohort_id)
                                               & (Nomination.status == "nominated")).order_by(
            Nomination.priority).order_by(Nomination.created_at).run()
        position = await _next_position(cohort_id)
        for n in rest:
            await Nomination.update({Nomination.status: "waitlisted", Nomination.waitlist_position: position}).where(
                Nomination.id == n["id"]).run()
            position += 1
        await Cohort.update({Cohort.status: "confirmed"}).where(Cohort.id == cohort_id).run()
        await audit.record(principal, "confirm", "cohort", cohort_id, {"waitlisted": len(rest)})


async def _promote(principal: Principal, cohort: dict) -> None:
    """Offer freed seats to the waiting list, first come first served (call under the lock)."""
    while await _taken(cohort["id"]) < cohort["capacity"]:
        first = await Nomination.select().where((Nomination.cohort == cohort["id"])
                                                & (Nomination.status == "waitlisted")).order_by(
            Nomination.waitlist_position).first().run()
        if not first:
            return
        await _set(principal, first, "offered", waitlist_position=None,
                   offer_deadline=now() + timedelta(days=cohort["offer_days"]))
        await _renumber(cohort["id"])


def _is_self(principal: Principal, row: dict) -> bool:
    return principal.employee_id is not None and principal.employee_id == row["employee"]


async def withdraw(principal: Principal, nomination_id: int) -> None:
    row = await _nomination(nomination_id)
    if not (principal.is_hr or _is_self(principal, row) or row["institution"] in principal.leader_institution_ids):
        raise NotFound(nomination_id)
    async with transaction():
        cohort = await _lock(row["cohort"])
        row = await _nomination(nomination_id)
        if row["status"] not in ("nominated", "selected", "waitlisted", "offered"):
            raise ValidationError({"selection": f"{STATUSES[row['status']]}: kan ikke trække sig"})
        await _set(principal, row, "withdrawn", waitlist_position=None, offer_deadline=None)
        await _renumber(row["cohort"])
        if cohort["status"] == "confirmed":
            await _promote(principal, cohort)


async def answer_offer(principal: Principal, nomination_id: int, accept: bool) -> None:
    row = await _nomination(nomination_id)
    if not (principal.is_hr or _is_self(principal, row)):
        raise NotFound(nomination_id)
    async with transaction():
        cohort = await _lock(row["cohort"])
        row = await _nomination(nomination_id)
        if row["status"] != "offered":
            raise ValidationError({"selection": "Der er ikke et tilbud at svare på"})
        if row["offer_deadline"] and row["offer_deadline"] < now():
            raise ValidationError({"selection": "Fristen for at svare er udløbet"})
        await _set(principal, row, "selected" if accept else "declined", offer_deadline=None)
        if not accept:
            await _promote(principal, cohort)


async def expire_offers(moment=None) -> int:
    """Offers past their deadline count as declined; the next on the waiting list is offered."""
    moment = moment or now()
    expired = await Nomination.select(Nomination.id, Nomination.cohort).where(
        (Nomination.status == "offered") & (Nomination.offer_deadline < moment)).run()
    for item in expired:
        async with transaction():
            cohort = await _lock(item["cohort"])
            row = await _nomination(item["id"])
            if row["status"] != "offered":
                continue
            await _set(SYSTEM, row, "declined", offer_deadline=None)
            await _promote(SYSTEM, cohort)
    return len(expired)


async def my_nominations(principal: Principal) -> list[dict]:
    return await Nomination.select(Nomination.all_columns(), Nomination.cohort.year.as_alias("year")).where(
        Nomination.employee == (principal.employee_id or -1)).order_by(Nomination.cohort.year, ascending=False).run()

