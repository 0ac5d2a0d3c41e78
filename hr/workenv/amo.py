"""The work-environment organisation's records: orders (påbud), workplace assessments (APV)
and the yearly work-environment discussion. Scoped to institutions and units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hr import audit, uploads
from hr.auth.principal import Principal, Role
from hr.auth.scope import leader_unit_ids, visible_institution_ids
from hr.db import now, prepared, transaction
from hr.forms import NotFound, Page, ValidationError, optional_int
from hr.org.services import institutions_in
from hr.org.tables import Unit
from hr.settings import TIMEZONE
from hr.workenv.followup import _date, _text, can_manage_area, owner_choices
from hr.workenv.tables import ActionItem, Apv, Order, OrderDocument, WorkChange, WorkEnvironmentDiscussion

ORDER_TYPES = {
    "forbud": "Forbud",
    "straks": "Strakspåbud",
    "frist": "Påbud med frist",
    "raadgiver": "Påbud om autoriseret rådgiver",
    "vejledning": "Afgørelse uden påbud / vejledning",
}
APV_INTERVAL_YEARS = 3
APV_PHASES = {
    "mapping_done_on": "Kortlægning",
    "assessment_done_on": "Beskrivelse og vurdering",
    "absence_reviewed_on": "Inddragelse af sygefravær",
    "action_plan_done_on": "Prioritering og handlingsplan",
}


def today() -> date:
    return now().astimezone(TIMEZONE).date()


async def _institution_scope(principal: Principal) -> set[int] | None:
    return await visible_institution_ids(principal)


async def _unit_of(institution_id: int, unit_id: int | None, errors: dict) -> None:
    if unit_id is None:
        return
    row = await Unit.select(Unit.institution).where(Unit.id == unit_id).first().run()
    if not row or row["institution"] != institution_id:
        errors["unit"] = "Afdelingen hører ikke til tilbuddet"



# --- orders ------------------------------------------------------------------------------

async def list_orders(principal: Principal) -> list[dict]:
    scope = await _institution_scope(principal)
    query = Order.select(Order.all_columns(), Order.institution.name.as_alias("institution_name"),
                         Order.unit.name.as_alias("unit_name"), Order.responsible.name.as_alias("responsible_name")
                         ).order_by(Order.received_on, ascending=False)
    if scope is not None:
        query = query.where(Order.institution.is_in(list(scope) or [-1]))
    rows = await query.run()
    for row in rows:
        _order_status(row)
    return rows


ORDER_STATES = {"open": "Åbne", "overdue": "Overskredne", "closed": "Afsluttede"}
ORDERS_PER_PAGE = 50


@dataclass(frozen=True)
class OrderFilter:
    institution_id: int | None = None
    state: str = ""  # one of ORDER_STATES, or all

    def params(self) -> dict:
        return {"tilbud": self.institution_id or "", "status": self.state}

    def keeps(self, order: dict) -> bool:
        if self.institution_id and order["institution"] != self.institution_id:
            return False
        return {"open": not order["closed_on"], "closed": bool(order["closed_on"]),
                "overdue": order["overdue"] or order["reply_overdue"]}.get(self.state, True)


async def order_page(principal: Principal, wanted: OrderFilter, page: int) -> Page[dict]:
    """One page of the orders in the person's reach that match the filter, newest first. An
    institution receives a handful a year: they are filtered here rather than in SQL."""
    orders = [o for o in await list_orders(principal) if wanted.keeps(o)]
    return Page.of(orders, page, ORDERS_PER_PAGE, wanted.params())


def _order_status(row: dict) -> None:
    day = today()
    row["overdue"] = not row["closed_on"] and bool(row["compliance_deadline"]) and row["compliance_deadline"] < day
    row["reply_overdue"] = (not row["reply_sent_on"] and bool(row["reply_deadline"])
                            and row["reply_deadline"] < day)
    row["type_label"] = ORDER_TYPES.get(row["order_type"], row["order_type"])


async def get_order(principal: Principal, order_id: int) -> dict | None:
    row = await Order.select(Order.all_columns(), Order.institution.name.as_alias("institution_name"),
                             Order.unit.name.as_alias("unit_name"),
                             Order.responsible.name.as_alias("responsible_name")).where(
        Order.id == order_id).first().run()
    if not row:
        return None
    scope = await _institution_scope(principal)
    if scope is not None and row["institution"] not in scope:
        return None
    _order_status(row)
    row["can_manage"] = await can_manage_area(principal, row["institution"], row["unit"])
    row["documents"] = await OrderDocument.select(
        OrderDocument.id, OrderDocument.filename, OrderDocument.size, OrderDocument.uploaded_at,
        OrderDocument.uploaded_by.name.as_alias("uploaded_by_name")).where(
        OrderDocument.order == order_id).order_by(OrderDocument.uploaded_at).run()
    return row


async def add_order_document(principal: Principal, order_id: int, filename: str, content: bytes) -> str:
    """A document on an order (the upload rules of hr.uploads). Returns the stored file name."""
    order = await get_order(principal, order_id)
    if order is None:
        raise NotFound(order_id)
    if not order["can_manage"]:
        raise PermissionError(order_id)
    document = uploads.checked(filename, content, field="document", what="Dokumentet", fallback="paabud")
    async with transaction():
        rows = await OrderDocument.insert(OrderDocument(
            order=order_id, filename=document.filename, content_type=document.content_type, size=document.size,
            data=document.content, uploaded_by=principal.account_id)).returning(OrderDocument.id).run()
        await audit.record(principal, "upload", "order_document", rows[0]["id"], {"order": order_id})
    return document.filename


async def get_order_document(principal: Principal, order_id: int, document_id: int) -> dict | None:
    """The document, for anyone who sees the order (the AMO members too)."""
    if await get_order(principal, order_id) is None:
        return None
    row = await OrderDocument.select().where((OrderDocument.id == document_id)
                                             & (OrderDocument.order == order_id)).first().run()
    if row:
        await audit.record(principal, "read", "order_document", document_id, {"order": order_id})
    return row


async def create_order(principal: Principal, form) -> int:
    errors: dict[str, str] = {}
    institution = optional_int(form.get("institution"))
    unit = optional_int(form.get("unit"))
    if institution is None:
        errors["institution"] = "Vælg tilbuddet"
    elif not await can_manage_area(principal, institution, unit):
        errors["institution"] = "Du kan ikke registrere påbud for det tilbud"
    else:
        await _unit_of(institution, unit, errors)
    case = _text(form, "case_number", 60, errors, "Skriv Arbejdstilsynets sagsnummer")
    order_type = str(form.get("order_type", ""))
    if order_type not in ORDER_TYPES:
        errors["order_type"] = "Vælg typen af afgørelse"
    received = _date(form, "received_on", errors)
    if received is None and "received_on" not in errors:
        errors["received_on"] = "Skriv hvornår afgørelsen blev modtaget"
    elif received and received > today():
        errors["received_on"] = "Datoen ligger i fremtiden"
    rule = _text(form, "rule_breached", 200, errors)
    description = _text(form, "description", 5000, errors, "Beskriv afgørelsen")
    compliance = _date(form, "compliance_deadline", errors)
    reply = _date(form, "reply_deadline", errors)
    if order_type in ("frist", "raadgiver") and compliance is None and "compliance_deadline" not in errors:
        errors["compliance_deadline"] = "Et påbud med frist skal have en frist for efterkommelse"
    for name, value in (("compliance_deadline", compliance), ("reply_deadline", reply)):
        if value and received and value < received:
            errors[name] = "Fristen ligger før afgørelsen blev modtaget"
    responsible = optional_int(form.get("responsible"))
    if responsible is None:
        errors["responsible"] = "Vælg en ansvarlig leder"
    elif institution and responsible not in {a["id"] for a in await owner_choices(institution)}:
        errors["responsible"] = "Den ansvarlige skal være ansat i tilbuddet"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await Order.insert(Order(
            case_number=case, received_on=received, order_type=order_type, rule_breached=rule,
            description=description, institution=institution, unit=unit, compliance_deadline=compliance,
            reply_deadline=reply, responsible=responsible,
        )).returning(Order.id).run()
        await audit.record(principal, "create", "order", rows[0]["id"], {"case": case})
    return rows[0]["id"]


async def update_order(principal: Principal, order_id: int, form) -> None:
    """Registers that the AMO was informed, that the reply was sent, or closes the order."""
    order = await get_order(principal, order_id)
    if order is None:
        raise NotFound(order_id)
    if not order["can_manage"]:
        raise PermissionError(order_id)
    errors: dict[str, str] = {}
    step = str(form.get("step", ""))
    values: dict = {}
    if step == "amo":
        day = _date(form, "amo_informed_on", errors) or (None if "amo_informed_on" in errors else today())
        if day and day > today():
            errors["amo_informed_on"] = "Datoen ligger i fremtiden"
        values["amo_informed_on"] = day
    elif step == "reply":
        day = _date(form, "reply_sent_on", errors) or (None if "reply_sent_on" in errors else today())
        if not order["amo_informed_on"]:
            errors["reply_sent_on"] = "Arbejdsmiljøorganisationen skal se svaret, før det sendes: registrér det først"
        elif day and day < order["amo_informed_on"]:
            errors["reply_sent_on"] = "Svaret kan ikke være sendt, før arbejdsmiljøorganisationen så det"
        elif day and day > today():
            errors["reply_sent_on"] = "Datoen ligger i fremtiden"
        values["reply_sent_on"] = day
    elif step == "close":
        if order["reply_deadline"] and not order["reply_sent_on"]:
            errors["close"] = "Send svaret til Arbejdstilsynet, før påbuddet afsluttes"
        elif await ActionItem.exists().where((ActionItem.source_type == "order") & (ActionItem.source_id == order_id)
                                             & (ActionItem.status == "open")).run():
            errors["close"] = "Der er åbne handlinger. Luk dem, før påbuddet afsluttes"
        values["closed_on"] = today()
    else:
        errors["step"] = "Ukendt handling"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        await Order.update(values).where(Order.id == order_id).run()
        await audit.record(principal, "update", "order", order_id, {"step": step})


# --- APV -----------------------------------------------------------------------------------

@prepared
def _active_units(institutions):
    units = Unit.select(Unit.id, Unit.name, Unit.institution, Unit.institution.name.as_alias("institution_name")
                        ).where(Unit.active.eq(True)).order_by(Unit.institution.name, Unit.name)
    return units if institutions is None else units.where(Unit.institution.is_in(institutions))


@prepared
def _apvs_of_units(institutions):
    """The APVs of the active units of these institutions (None: all), oldest first."""
    units = Unit.select(Unit.id).where(Unit.active.eq(True))
    if institutions is not None:
        units = units.where(Unit.institution.is_in(institutions))
    return Apv.select().where(Apv.unit.is_in(units)).order_by(Apv.started_on)


@prepared
def _latest_work_changes():
    return WorkChange.raw("SELECT unit, MAX(changed_on) AS changed_on FROM workenv_work_change GROUP BY unit")


async def apv_overview(principal: Principal, institution_id: int | None = None,
                       needing_revision: bool = False) -> list[dict]:
    """Each unit in scope with its latest APV, the next due date and whether it is overdue;
    narrowed to one institution, and to the units whose APV is to be started (needs_revision: what
    the front page counts)."""
    scope = await _institution_scope(principal)
    institutions = None if scope is None else list(scope) or [-1]
    rows = await _active_units(institutions)
    apvs = await _apvs_of_units(institutions)
    latest_done: dict[int, date] = {}
    latest_started: dict[int, date] = {}  # of the completed ones: what a revision covered
    in_progress: dict[int, dict] = {}
    for apv in apvs:
        if apv["completed_on"]:
            latest_done[apv["unit"]] = max(latest_done.get(apv["unit"], apv["completed_on"]), apv["completed_on"])
            latest_started[apv["unit"]] = max(latest_started.get(apv["unit"], apv["started_on"]), apv["started_on"])
        else:
            in_progress[apv["unit"]] = apv
    changes = {r["unit"]: r["changed_on"] for r in await _latest_work_changes()}
    day = today()
    for row in rows:
        done = latest_done.get(row["id"])
        row["last_completed"] = done
        row["next_due"] = _add_years(done, APV_INTERVAL_YEARS) if done else None
        row["overdue"] = done is None or row["next_due"] < day
        row["in_progress"] = in_progress.get(row["id"])
        changed = changes.get(row["id"])
        if isinstance(changed, str):  # SQLite's MAX of a date column is text
            changed = date.fromisoformat(changed)
        # A change after the latest finished APV began calls for a revision now.
        covered = latest_started.get(row["id"])
        row["changed_on"] = changed if changed and (covered is None or changed > covered) else None
    if institution_id is not None:
        rows = [r for r in rows if r["institution"] == institution_id]
    if needing_revision:
        rows = [r for r in rows if needs_revision(r, day)]
    return rows


APV_SOON = timedelta(days=60)


def needs_revision(unit: dict, day: date) -> bool:
    """An APV is to be started: none in progress, and the work has changed since the latest,
    there is none, or it is due within two months. The front page and the reminders ask."""
    if unit["in_progress"]:
        return False
    return bool(unit["changed_on"]) or unit["next_due"] is None or unit["next_due"] <= day + APV_SOON


def revision_due(unit: dict, day: date) -> date:
    return unit["changed_on"] or unit["next_due"] or day


async def record_work_change(principal: Principal, form) -> str:
    """'The work has changed' on a unit: its APV is flagged for revision. Returns the unit's name."""
    unit_id = optional_int(form.get("changed_unit"))
    errors: dict[str, str] = {}
    unit = await Unit.select().where(Unit.id == (unit_id or -1)).first().run()
    if not unit:
        errors["changed_unit"] = "Vælg afdelingen"
    elif not await can_manage_area(principal, unit["institution"], unit_id):
        errors["changed_unit"] = "Du kan ikke registrere ændringer for den afdeling"
    changed = _date(form, "changed_on", errors) or (None if "changed_on" in errors else today())
    if changed and changed > today():
        errors["changed_on"] = "Datoen ligger i fremtiden"
    description = _text(form, "description", 2000, errors, "Beskriv hvad der er ændret i arbejdet")
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await WorkChange.insert(WorkChange(unit=unit_id, changed_on=changed, description=description,
                                                  created_by=principal.account_id)).returning(WorkChange.id).run()
        await audit.record(principal, "create", "work_change", rows[0]["id"], {"unit": unit_id})
    return unit["name"]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


async def start_apv(principal: Principal, form) -> int:
    unit_id = optional_int(form.get("unit"))
    errors: dict[str, str] = {}
    unit = await Unit.select().where(Unit.id == (unit_id or -1)).first().run()
    if not unit:
        errors["unit"] = "Vælg afdelingen"
    elif not await can_manage_area(principal, unit["institution"], unit_id):
        errors["unit"] = "Du kan ikke starte en APV for den afdeling"
    elif await Apv.exists().where((Apv.unit == unit_id) & Apv.completed_on.is_null()).run():
        errors["unit"] = "Afdelingen har allerede en APV i gang"
    started = _date(form, "started_on", errors) or (None if "started_on" in errors else today())
    if started and started > today():
        errors["started_on"] = "Datoen ligger i fremtiden"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await Apv.insert(Apv(institution=unit["institution"], unit=unit_id, started_on=started,
                                    created_by=principal.account_id)).returning(Apv.id).run()
        await audit.record(principal, "create", "apv", rows[0]["id"])
    return rows[0]["id"]


async def get_apv(principal: Principal, apv_id: int) -> dict | None:
    row = await Apv.select(Apv.all_columns(), Apv.unit.name.as_alias("unit_name"),
                           Apv.institution.name.as_alias("institution_name")).where(Apv.id == apv_id).first().run()
    if not row:
        return None
    scope = await _institution_scope(principal)
    if scope is not None and row["institution"] not in scope:
        return None
    row["can_manage"] = await can_manage_area(principal, row["institution"], row["unit"])
    return row


async def update_apv(principal: Principal, apv_id: int, form) -> None:
    apv = await get_apv(principal, apv_id)
    if apv is None:
        raise NotFound(apv_id)
    if not apv["can_manage"]:
        raise PermissionError(apv_id)
    errors: dict[str, str] = {}
    values: dict = {}
    for name in APV_PHASES:
        day = _date(form, name, errors)
        if day and (day < apv["started_on"] or day > today()):
            errors[name] = "Datoen skal ligge mellem APV'ens start og i dag"
        values[name] = day
    values["followup_rules"] = _text(form, "followup_rules", 3000, errors)
    if form.get("complete") == "1":
        missing = [label for name, label in APV_PHASES.items() if not values.get(name)]
        if missing:
            errors["complete"] = "Alle faser skal være gennemført: mangler " + ", ".join(missing).lower()
        elif not values["followup_rules"]:
            errors["followup_rules"] = "Beskriv retningslinjerne for opfølgning"
        values["completed_on"] = today()
    if errors:
        raise ValidationError(errors)
    async with transaction():
        await Apv.update(values).where(Apv.id == apv_id).run()
        await audit.record(principal, "update", "apv", apv_id)


# --- the yearly work-environment discussion ----------------------------------------------

async def list_discussions(principal: Principal) -> list[dict]:
    scope = await _institution_scope(principal)
    query = WorkEnvironmentDiscussion.select(
        WorkEnvironmentDiscussion.all_columns(),
        WorkEnvironmentDiscussion.institution.name.as_alias("institution_name"),
    ).order_by(WorkEnvironmentDiscussion.year, ascending=False)
    if scope is not None:
        query = query.where(WorkEnvironmentDiscussion.institution.is_in(list(scope) or [-1]))
    return await query.run()


DISCUSSIONS_PER_PAGE = 20


async def discussion_page(principal: Principal, year: int | None, institution_id: int | None, page: int) -> dict:
    """One page of the yearly discussions the person sees, newest first, by year and institution,
    and the years to choose from (one a year per institution: narrowed here)."""
    every = await list_discussions(principal)
    chosen = [d for d in every if (not year or d["year"] == year)
              and (not institution_id or d["institution"] == institution_id)]
    return {"result": Page.of(chosen, page, DISCUSSIONS_PER_PAGE, {"aar": year or "", "tilbud": institution_id or ""}),
            "years": sorted({d["year"] for d in every}, reverse=True)}


async def record_discussion(principal: Principal, form) -> int:
    errors: dict[str, str] = {}
    institution = optional_int(form.get("institution"))
    if institution is None:
        errors["institution"] = "Vælg tilbuddet"
    elif not (principal.is_hr or institution in principal.leader_institution_ids):
        errors["institution"] = "Kun tilbuddets ledelse og HR kan registrere drøftelsen"
    held = _date(form, "held_on", errors)
    if held is None and "held_on" not in errors:
        errors["held_on"] = "Skriv hvornår drøftelsen blev holdt"
    elif held and held > today():
        errors["held_on"] = "Datoen ligger i fremtiden"
    participants = _text(form, "participants", 2000, errors, "Skriv hvem der deltog")
    evaluation = _text(form, "evaluation", 5000, errors, "Skriv hvordan sidste års mål blev nået")
    goals = _text(form, "goals", 5000, errors, "Skriv årets mål")
    plan = _text(form, "competence_plan", 5000, errors)
    if errors:
        raise ValidationError(errors)
    year = held.year
    async with transaction():
        same_year = (WorkEnvironmentDiscussion.institution == institution) & (WorkEnvironmentDiscussion.year == year)
        if await WorkEnvironmentDiscussion.exists().where(same_year).run():
            raise ValidationError({"held_on": f"Drøftelsen for {year} er allerede registreret"})
        rows = await WorkEnvironmentDiscussion.insert(WorkEnvironmentDiscussion(
            institution=institution, year=year, held_on=held, participants=participants, evaluation=evaluation,
            goals=goals, competence_plan=plan, created_by=principal.account_id,
        )).returning(WorkEnvironmentDiscussion.id).run()
        await audit.record(principal, "create", "discussion", rows[0]["id"], {"year": year})
    return rows[0]["id"]


# Reminders of a missing discussion start when a quarter of the year is left.
DISCUSSION_REMINDER_FROM = (10, 1)


async def missing_discussions(principal: Principal, year: int) -> list[dict]:
    """The institutions in the person's scope without a recorded discussion for the year."""
    held = {r["institution"] for r in await WorkEnvironmentDiscussion.select(
        WorkEnvironmentDiscussion.institution).where(WorkEnvironmentDiscussion.year == year).run()}
    return [i for i in await institutions_in(await _institution_scope(principal)) if i["id"] not in held]


async def leader_choices(institution_ids: list[int]) -> list[dict]:
    """Leaders employed in the institutions: who can be responsible for an order."""
    from hr.auth.tables import Account, RoleAssignment

    leaders = await RoleAssignment.select(RoleAssignment.account).where(RoleAssignment.role == Role.LEADER).run()
    return await Account.select(Account.id, Account.name).where(
        Account.active.eq(True) & Account.id.is_in([r["account"] for r in leaders] or [-1])
        & Account.employee.unit.institution.is_in(institution_ids or [-1])
    ).order_by(Account.name).run()


async def manageable_institutions(principal: Principal) -> list[dict]:
    if principal.is_hr:
        return await institutions_in(None)
    ids = set(principal.leader_institution_ids)
    if Role.LEADER in principal.roles:
        units = await leader_unit_ids(principal)
        rows = await Unit.select(Unit.institution).where(Unit.id.is_in(list(units) or [-1])).run()
        ids |= {r["institution"] for r in rows}
    return await institutions_in(ids)


async def manageable_units(principal: Principal) -> list[dict]:
    query = Unit.select(Unit.id, Unit.name, Unit.institution).where(Unit.active.eq(True)).order_by(Unit.name)
    if not principal.is_hr:
        query = query.where(Unit.id.is_in(list(await leader_unit_ids(principal)) or [-1]))
    return await query.run()
