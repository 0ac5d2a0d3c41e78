"""Incident reporting rules: drafts, submission, scope, anonymity for AMR, amendments, worklists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from hr import audit
from hr.auth.principal import Principal, Role
from hr.auth.scope import leader_unit_ids, led_unit_list
from hr.cpr import CPR_MESSAGE, contains_cpr, fields_with_cpr
from hr.db import now, prepared, transaction
from hr.forms import (
    NotFound,
    Page,
    Period,
    ValidationError,
    add_days,
    local_today,
    optional_int,
    parse_moment,
    text,
    years_from,
)
from hr.org.tables import Employee, Unit
from hr.settings import TIMEZONE, get_settings
from hr.workenv import choices
from hr.workenv.deadlines import Deadline, absence_days, deadlines
from hr.workenv.tables import (
    ContributingFactor,
    Incident,
    IncidentAmendment,
    IncidentFactor,
    IncidentStaff,
    ReportingRule,
)

TEXT_FIELDS = ("description", "antecedents", "escalation", "immediate_action", "place_detail")
TEXT_LIMITS = {"description": 5000, "antecedents": 5000, "escalation": 5000, "immediate_action": 3000,
               "place_detail": 200}
PSEUDONYM_RE = re.compile(r"^[A-ZÆØÅ0-9-]{2,20}$")
CHOICE_FIELDS = {
    "kind": choices.KINDS,
    "place_type": choices.PLACE_TYPES,
    "violence_type": choices.VIOLENCE_TYPES,
    "injury_type": choices.INJURY_TYPES,
    "body_part": choices.BODY_PARTS,
    "expected_absence": choices.EXPECTED_ABSENCE,
    "legal_framework": choices.LEGAL_FRAMEWORKS,
}
# Fields a submitted report may change through a logged amendment.
AMENDABLE = {
    "description": "Hvad skete der",
    "antecedents": "Hvad gik forud",
    "escalation": "Hvad optrappede eller dæmpede",
    "immediate_action": "Straks-handling",
    "place_detail": "Sted (uddybning)",
    "severity": "Alvorlighed",
    "citizen_pseudonym": "Borgerens pseudonym",
    "violence_type": "Type vold eller trussel",
    "injury_type": "Skadens art",
    "body_part": "Skadet legemsdel",
    "expected_absence": "Forventet fravær",
}


@dataclass
class ReportForm:
    """Values parsed from the report form; `errors` are field-level messages."""

    values: dict = field(default_factory=dict)
    staff: list[int] = field(default_factory=list)
    factors: list[int] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)



def parse_form(form) -> ReportForm:
    """Lenient parsing shared by draft saving and submission. Text holding a CPR number
    is never kept: the field gets an error and its value is dropped."""
    out = ReportForm()
    get = (lambda k: str(form.get(k, "") or "")) if hasattr(form, "get") else (lambda k: "")
    for name in TEXT_FIELDS:
        value = get(name).strip()
        if contains_cpr(value):
            out.errors[name] = CPR_MESSAGE
            continue
        if len(value) > TEXT_LIMITS[name]:
            out.errors[name] = f"Teksten må højst være {TEXT_LIMITS[name]} tegn"
            value = value[:TEXT_LIMITS[name]]
        out.values[name] = value
    for name, allowed in CHOICE_FIELDS.items():
        value = get(name).strip()
        if value and value not in allowed:
            out.errors[name] = "Vælg en af mulighederne"
            continue
        out.values[name] = value
    force = get("force_category").strip()
    framework = out.values.get("legal_framework", "")
    if force and force not in choices.FORCE_CATEGORIES.get(framework, {}):
        out.errors["force_category"] = "Vælg en kategori, der passer til lovgrundlaget"
    else:
        out.values["force_category"] = force
    pseudonym = get("citizen_pseudonym").strip().upper()
    if pseudonym and (contains_cpr(pseudonym) or not PSEUDONYM_RE.match(pseudonym)):
        out.errors["citizen_pseudonym"] = ("Pseudonymet skal være 2-20 tegn: bogstaver, tal og bindestreg, "
                                           "aldrig navn eller CPR-nummer")
    else:
        out.values["citizen_pseudonym"] = pseudonym
    # A CPR number split over two fields ("010190" in one, "1234" in the next) is dropped as well.
    for name, message in fields_with_cpr({name: out.values.get(name, "")
                                          for name in (*TEXT_FIELDS, "citizen_pseudonym")}).items():
        out.errors[name] = message
        out.values.pop(name)
    severity = optional_int(get("severity"))
    if get("severity") and severity not in choices.SEVERITIES:
        out.errors["severity"] = "Vælg alvorlighed"
    else:
        out.values["severity"] = severity
    unit = optional_int(get("unit"))
    if get("unit") and unit is None:
        out.errors["unit"] = "Vælg afdeling"
    out.values["unit"] = unit
    day, clock = get("occurred_date").strip(), get("occurred_time").strip()
    if day or clock:
        # An episode is reported within the retention period and never in the future (checked
        # with a grace on submission); a year-1 or year-9999 date is a typing error.
        today = local_today()
        moment = parse_moment(day, clock, out.errors, "occurred_date", required="Skriv hvornår det skete",
                              earliest=years_from(today, -10), latest=add_days(today, 1), default_time=time(0, 0))
        if moment is not None:
            out.values["occurred_at"] = moment
    out.values["reporter_identity_shared"] = get("reporter_identity_shared") == "1"
    getall = form.getall if hasattr(form, "getall") else (lambda k: [])
    for name, target in (("staff", out.staff), ("factors", out.factors)):
        raw = getall(name) if name in form else []
        ids = [optional_int(v) for v in raw]
        if None in ids:
            out.errors[name] = "Ugyldigt valg"
        target.extend(i for i in ids if i is not None)
    return out


def _required_errors(values: dict, staff: list[int]) -> dict[str, str]:
    errors: dict[str, str] = {}
    kind = values.get("kind")
    if not kind:
        errors["kind"] = "Vælg hvilken slags hændelse det er"
    if not values.get("occurred_at"):
        errors["occurred_date"] = "Skriv hvornår det skete"
    elif values["occurred_at"] > now() + _grace():
        errors["occurred_date"] = "Tidspunktet ligger i fremtiden"
    if not values.get("unit"):
        errors["unit"] = "Vælg afdeling"
    if not values.get("place_type"):
        errors["place_type"] = "Vælg hvor det skete"
    if not values.get("description"):
        errors["description"] = "Beskriv hvad der skete"
    if not values.get("severity"):
        errors["severity"] = "Vælg alvorlighed"
    if kind == "violence":
        if not values.get("violence_type"):
            errors["violence_type"] = "Vælg typen af vold eller trussel"
    if kind in ("violence", "use_of_force") and not values.get("antecedents"):
        errors["antecedents"] = "Beskriv hvad der gik forud: det er det, vi lærer af"
    if kind == "accident":
        for name, message in (("injury_type", "Vælg skadens art"), ("body_part", "Vælg den skadede legemsdel"),
                              ("expected_absence", "Vælg forventet fravær")):
            if not values.get(name):
                errors[name] = message
    if kind == "use_of_force":
        if not values.get("legal_framework"):
            errors["legal_framework"] = "Vælg om det er voksne eller børn og unge"
        if not values.get("force_category"):
            errors["force_category"] = "Vælg kategorien af magtanvendelse"
        if not values.get("citizen_pseudonym"):
            errors["citizen_pseudonym"] = "Skriv borgerens pseudonym"
    return errors


def _grace() -> timedelta:
    return timedelta(minutes=15)


async def _reportable_institutions(principal: Principal) -> set[int] | None:
    """Institutions a person may report from: their own, those they lead or represent, and
    those of the units they lead; None for HR (all)."""
    if principal.is_hr:
        return None
    institutions = set(principal.leader_institution_ids) | set(principal.amr_institution_ids)
    if principal.employee_id:
        row = await Employee.select(Employee.unit.institution.as_alias("inst")).where(
            Employee.id == principal.employee_id).first().run()
        if row and row["inst"]:
            institutions.add(row["inst"])
    if principal.leader_unit_ids:
        rows = await Unit.select(Unit.institution).where(Unit.id.is_in(list(principal.leader_unit_ids))).run()
        institutions |= {r["institution"] for r in rows}
    return institutions


async def reportable_units(principal: Principal) -> list[dict]:
    """Units a person may report from (active units of the institutions above)."""
    query = Unit.select(Unit.id, Unit.name, Unit.institution, Unit.institution.name.as_alias("institution_name")
                        ).where(Unit.active.eq(True)).order_by(Unit.institution.name, Unit.name)
    institutions = await _reportable_institutions(principal)
    if institutions is not None:
        query = query.where(Unit.institution.is_in(list(institutions) or [-1]))
    return await query.run()


_unit_and_own_institution = prepared(lambda employee_id, unit_id: Unit.raw(
    "SELECT u.institution AS institution, eu.institution AS own FROM org_unit u "
    "LEFT JOIN org_employee e ON e.id = {} LEFT JOIN org_unit eu ON eu.id = e.unit "
    "WHERE u.id = {} AND u.active", employee_id, unit_id))


async def reportable_unit_institution(principal: Principal, unit_id: int) -> int | None:
    """The institution of `unit_id` if the person may report from it, else None. Every submission
    asks this: one query reads the unit and the person's own institution (the common case)."""
    rows = await _unit_and_own_institution(principal.employee_id or -1, unit_id)
    if not rows:
        return None
    institution = rows[0]["institution"]
    if (principal.is_hr or institution == rows[0]["own"] or unit_id in principal.leader_unit_ids
            or institution in principal.leader_institution_ids or institution in principal.amr_institution_ids):
        return institution
    return institution if institution in (await _reportable_institutions(principal) or set()) else None


async def unit_staff(unit_id: int | None) -> list[dict]:
    if not unit_id:
        return []
    return await Employee.select(Employee.id, Employee.name, Employee.job_title).where(
        (Employee.unit == unit_id) & Employee.active.eq(True)).order_by(Employee.name).run()


async def active_factors() -> list[dict]:
    return await ContributingFactor.select().where(ContributingFactor.active.eq(True)).order_by(
        ContributingFactor.name).run()


@prepared
def _rules():
    return ReportingRule.select().order_by(ReportingRule.kind, ReportingRule.valid_from)


async def load_rules() -> list[dict]:
    return await _rules()


# --- drafts and submission ---------------------------------------------------------------

class TooManyReports(Exception):
    """The person started more reports in the last hour than anyone plausibly does."""


@prepared
def _reports_since(reporter, since):
    return Incident.count().where((Incident.reporter == reporter) & (Incident.created_at > since))


@prepared
def _own_unit(employee_id):
    return Employee.select(Employee.unit, Employee.unit.institution.as_alias("institution")).where(
        Employee.id == employee_id).limit(1)


async def create_draft(principal: Principal) -> int:
    recent = (await _reports_since(principal.account_id, now() - timedelta(hours=1)))[0]["count"]
    if recent >= get_settings().reports_per_hour:  # stops a script or a stuck button filling the table
        raise TooManyReports()
    unit = institution = None
    if principal.employee_id:
        for row in await _own_unit(principal.employee_id):
            unit, institution = row["unit"], row["institution"]
    async with transaction():
        rows = await Incident.insert(Incident(
            kind="", status="draft", reporter=principal.account_id, unit=unit, institution=institution,
            occurred_at=now().replace(second=0, microsecond=0),
        )).returning(Incident.id).run()
        if principal.employee_id:  # the reporter was there, most often: ticked, and untick-able
            await IncidentStaff.insert(IncidentStaff(incident=rows[0]["id"], employee=principal.employee_id)).run()
    return rows[0]["id"]


async def _own_draft(principal: Principal, incident_id: int) -> dict | None:
    return await Incident.select().where(
        (Incident.id == incident_id) & (Incident.reporter == principal.account_id) & (Incident.status == "draft")
    ).first().run()


@dataclass(frozen=True)
class DraftForEditing:
    incident: dict
    staff: list[int]
    factors: list[int]


async def draft_for_editing(principal: Principal, incident_id: int) -> DraftForEditing | None:
    """The person's own draft with the staff and factors chosen so far; None when it is not theirs
    or no longer a draft."""
    draft = await _own_draft(principal, incident_id)
    if draft is None:
        return None
    staff = [r["employee"] for r in await IncidentStaff.select(IncidentStaff.employee).where(
        IncidentStaff.incident == incident_id).run()]
    factors = [r["factor"] for r in await IncidentFactor.select(IncidentFactor.factor).where(
        IncidentFactor.incident == incident_id).run()]
    return DraftForEditing(draft, staff, factors)


async def _check_relations(principal: Principal, report: ReportForm) -> int | None:
    """Validates unit, staff and factors against what the person may use. Returns the institution."""
    institution = None
    unit_id = report.values.get("unit")
    if unit_id:
        institution = await reportable_unit_institution(principal, unit_id)
        if institution is None:
            report.errors["unit"] = "Du kan ikke indberette for den afdeling"
    if report.staff:
        rows = await Employee.select(Employee.id, Employee.unit.institution.as_alias("inst")).where(
            Employee.id.is_in(report.staff)).run()
        if len(rows) != len(set(report.staff)) or any(r["inst"] != institution for r in rows):
            report.errors["staff"] = "Vælg medarbejdere fra tilbuddet"
    if report.factors:
        known = {r["id"] for r in await ContributingFactor.select(ContributingFactor.id).where(
            ContributingFactor.id.is_in(report.factors)).run()}
        if known != set(report.factors):
            report.errors["factors"] = "Ugyldigt valg af medvirkende faktor"
    return institution


async def _write(incident_id: int, values: dict, staff: list[int] | None, factors: list[int] | None,
                 only_if=None) -> bool:
    """Updates the incident and replaces its staff and factors; with `only_if`, only when that
    condition holds too (False, and nothing written, when it does not)."""
    condition = Incident.id == incident_id
    if only_if is not None:
        condition = condition & only_if
    if not await Incident.update({**values, "updated_at": now()}).where(condition).returning(Incident.id).run():
        return False
    if staff is not None:
        await IncidentStaff.delete().where(IncidentStaff.incident == incident_id).run()
        if staff:
            await IncidentStaff.insert(*[IncidentStaff(incident=incident_id, employee=e)
                                         for e in sorted(set(staff))]).run()
    if factors is not None:
        await IncidentFactor.delete().where(IncidentFactor.incident == incident_id).run()
        if factors:
            await IncidentFactor.insert(*[IncidentFactor(incident=incident_id, factor=f)
                                          for f in sorted(set(factors))]).run()
    return True


async def save_draft(principal: Principal, incident_id: int, form) -> dict[str, str]:
    """Saves what can be saved; returns the fields not saved (with why). Never stores a CPR number."""
    if not await _own_draft(principal, incident_id):
        raise NotFound(incident_id)
    report = parse_form(form)
    institution = await _check_relations(principal, report)
    values = {k: v for k, v in report.values.items() if k not in report.errors}
    if "unit" in report.errors:
        values.pop("unit", None)
    elif values.get("unit"):
        values["institution"] = institution
    if "occurred_date" in report.errors:
        values.pop("occurred_at", None)
    async with transaction():
        await _write(incident_id, values, None if "staff" in report.errors else report.staff,
                     None if "factors" in report.errors else report.factors)
    return report.errors


async def submit(principal: Principal, incident_id: int, form) -> None:
    """Validates the whole report; on any error nothing changes except the draft itself is kept."""
    report = parse_form(form)
    institution = await _check_relations(principal, report)
    errors = {**_required_errors(report.values, report.staff), **report.errors}
    if errors:
        if not await _own_draft(principal, incident_id):
            raise NotFound(incident_id)
        raise ValidationError(errors)
    values = {**_clean_for_kind(report.values), "institution": institution, "status": "submitted",
              "submitted_at": now()}
    async with transaction():
        # Only the reporter's own draft: a double submit (two tabs, a retry) or someone else's id is not found.
        if not await _write(incident_id, values, report.staff, report.factors,
                            only_if=(Incident.reporter == principal.account_id) & (Incident.status == "draft")):
            raise NotFound(incident_id)
        await audit.record(principal, "create", "incident", incident_id, {"kind": values["kind"]})


def _clean_for_kind(values: dict) -> dict:
    """Fields that do not belong to the chosen kind are emptied, so a switched type leaves no traces."""
    values = dict(values)
    kind = values.get("kind")
    if kind != "violence":
        values["violence_type"] = ""
    if kind != "accident":
        values.update(injury_type="", body_part="", expected_absence="")
    if kind != "use_of_force":
        values.update(legal_framework="", force_category="")
    return values


async def delete_draft(principal: Principal, incident_id: int) -> bool:
    rows = await Incident.delete().where(
        (Incident.id == incident_id) & (Incident.reporter == principal.account_id) & (Incident.status == "draft")
    ).returning(Incident.id).run()
    return bool(rows)


# --- reading, with scope and anonymity ----------------------------------------------------

@dataclass(frozen=True)
class Access:
    view: bool
    follow_up: bool
    amend: bool
    anonymous: bool  # AMR view: no reporter identity (unless shared), no staff names


async def access_for(principal: Principal, incident: dict, led_units: set[int] | None = None) -> Access:
    """led_units: the person's leader units, when the caller already has them (lists)."""
    own = incident["reporter"] == principal.account_id
    if incident["status"] == "draft":
        return Access(view=own, follow_up=False, amend=False, anonymous=False)
    if principal.is_hr:
        return Access(True, True, True, False)
    if Role.LEADER in principal.roles:
        leads = incident["unit"] in (led_units if led_units is not None else await leader_unit_ids(principal))
    else:
        leads = False
    if leads:
        return Access(True, True, True, False)
    if own:
        return Access(True, False, True, False)
    if Role.AMR in principal.roles and incident["institution"] in principal.amr_institution_ids:
        return Access(True, False, False, True)
    return Access(False, False, False, False)


INCIDENT_COLUMNS = (
    Incident.all_columns(),
    Incident.unit.name.as_alias("unit_name"),
    Incident.institution.name.as_alias("institution_name"),
    Incident.reporter.name.as_alias("reporter_name"),
    Incident.reviewed_by.name.as_alias("reviewed_by_name"),
)


async def get_incident(principal: Principal, incident_id: int, *, log_read: bool = True) -> dict | None:
    incident = await Incident.select(*INCIDENT_COLUMNS).where(Incident.id == incident_id).first().run()
    if not incident:
        return None
    access = await access_for(principal, incident)
    if not access.view:
        return None
    incident["access"] = access
    incident["staff"] = await IncidentStaff.select(
        IncidentStaff.employee.as_alias("id"), IncidentStaff.employee.name.as_alias("name")
    ).where(IncidentStaff.incident == incident_id).order_by(IncidentStaff.employee.name).run()
    incident["factors"] = await IncidentFactor.select(
        IncidentFactor.factor.as_alias("id"), IncidentFactor.factor.name.as_alias("name")
    ).where(IncidentFactor.incident == incident_id).run()
    incident["amendments"] = await IncidentAmendment.select(
        IncidentAmendment.all_columns(), IncidentAmendment.account.name.as_alias("account_name")
    ).where(IncidentAmendment.incident == incident_id).order_by(IncidentAmendment.at).run()
    today = local_today()
    incident["deadlines"] = deadlines(incident, await load_rules(), today)
    incident["absence_so_far"] = absence_days(incident, today)
    if access.anonymous:
        anonymise(incident)
    if log_read and incident["status"] != "draft":
        await audit.record(principal, "read", "incident", incident_id)
    return incident


def anonymise(incident: dict) -> None:
    """What an AMR sees: the episode, not who reported it (unless allowed) nor staff names."""
    if not incident.get("reporter_identity_shared"):
        incident["reporter_name"] = None
        incident["reporter"] = None
    incident["staff_count"] = len(incident.get("staff", []))
    incident["staff"] = []
    for amendment in incident.get("amendments", []):
        amendment["account_name"] = None
    incident["reviewed_by_name"] = None


async def _scope(principal: Principal) -> tuple:
    """What `_in_scope` needs to know of the person: whether HR, the account, the units led and
    the institutions as AMR (None: none)."""
    if principal.is_hr:
        return (True, None, None, None)
    return (False, principal.account_id, await led_unit_list(principal), list(principal.amr_institution_ids) or None)


def _in_scope(hr: bool, reporter, units, amr_institutions):
    """Submitted incidents the person may see in lists (their own drafts are listed separately)."""
    if hr:
        return Incident.status != "draft"
    clause = (Incident.reporter == reporter)
    if units is not None:
        clause = clause | Incident.unit.is_in(units)
    if amr_institutions is not None:
        clause = clause | Incident.institution.is_in(amr_institutions)
    return (Incident.status != "draft") & clause


async def _scope_clause(principal: Principal):
    return _in_scope(*await _scope(principal))


async def list_incidents(principal: Principal, *, kind: str = "", status: str = "", unit_id: int | None = None,
                         open_only: bool = False, page: int = 1, per_page: int = 25) -> Page[dict]:
    clause = await _scope_clause(principal)
    if kind in choices.KINDS:
        clause = clause & (Incident.kind == kind)
    if status in choices.STATUSES and status != "draft":
        clause = clause & (Incident.status == status)
    if unit_id:
        clause = clause & (Incident.unit == unit_id)
    if open_only:
        clause = clause & Incident.status.is_in(["submitted", "reviewed"])
    total = await Incident.count().where(clause).run()
    items = await Incident.select(*INCIDENT_COLUMNS).where(clause).order_by(
        Incident.occurred_at, ascending=False).limit(per_page).offset((page - 1) * per_page).run()
    rules = await load_rules()
    moment = now()
    today = moment.astimezone(TIMEZONE).date()
    led = await leader_unit_ids(principal) if Role.LEADER in principal.roles else set()
    for item in items:
        access = await access_for(principal, item, led)
        if access.anonymous:
            anonymise(item)
        item["deadlines"] = deadlines(item, rules, today)
        item["absence_so_far"] = absence_days(item, today)
        item["next_deadline"] = next((d for d in item["deadlines"] if d.done_at is None), None)
        item["overdue"] = any(d.status(moment) == "overdue" for d in item["deadlines"])
    params = {"type": kind, "status": status, "unit": unit_id or "", "aabne": "1" if open_only else ""}
    return Page(items=items, page=page, per_page=per_page, total=total, params=params)


@prepared
def _drafts(reporter):
    return Incident.select(Incident.id, Incident.kind, Incident.updated_at, Incident.occurred_at).where(
        (Incident.reporter == reporter) & (Incident.status == "draft")).order_by(Incident.updated_at, ascending=False)


async def my_drafts(principal: Principal) -> list[dict]:
    return await _drafts(principal.account_id)


WORKLIST_LIMIT = 500  # open incidents read per view (a filter narrows it); the page shows 50 at a time


@dataclass(frozen=True)
class WorklistFilter:
    institution_id: int | None = None
    unit_id: int | None = None
    kind: str = ""
    overdue_only: bool = False
    period: Period = Period()  # when it happened

    def params(self) -> dict:
        return {"tilbud": self.institution_id or "", "afdeling": self.unit_id or "", "type": self.kind,
                "over": "1" if self.overdue_only else "", **self.period.params()}


@prepared
def _open_incidents(hr, reporter, units, amr_institutions, institution_id, unit_id, kind):
    clause = _in_scope(hr, reporter, units, amr_institutions) & Incident.status.is_in(["submitted", "reviewed"])
    if institution_id is not None:
        clause = clause & (Incident.institution == institution_id)
    if unit_id is not None:
        clause = clause & (Incident.unit == unit_id)
    if kind is not None:
        clause = clause & (Incident.kind == kind)
    return Incident.select(*INCIDENT_COLUMNS).where(clause).order_by(Incident.submitted_at).limit(WORKLIST_LIMIT)


async def worklist(principal: Principal, wanted: WorklistFilter | None = None) -> list[dict]:
    """Open incidents in the person's scope with their open deadlines, most urgent first."""
    wanted = wanted or WorklistFilter()
    if not principal.is_hr and Role.LEADER not in principal.roles and not principal.amr_institution_ids:
        return []
    items = await _open_incidents(*await _scope(principal), wanted.institution_id or None, wanted.unit_id or None,
                                  wanted.kind if wanted.kind in choices.KINDS else None)
    rules = await load_rules()
    moment = now()
    today = moment.astimezone(TIMEZONE).date()
    out = []
    led = await leader_unit_ids(principal) if Role.LEADER in principal.roles else set()
    for item in items:
        access = await access_for(principal, item, led)
        if access.anonymous:
            anonymise(item)
        item["access"] = access
        open_deadlines: list[Deadline] = [d for d in deadlines(item, rules, today) if d.done_at is None]
        item["open_deadlines"] = open_deadlines
        item["urgency"] = min((d.due for d in open_deadlines), default=None)
        item["overdue"] = any(d.status(moment) == "overdue" for d in open_deadlines)
        if wanted.overdue_only and not item["overdue"]:
            continue
        if not wanted.period.holds(item["occurred_at"].astimezone(TIMEZONE).date()):
            continue
        out.append(item)
    far = datetime.max.replace(tzinfo=TIMEZONE)
    return sorted(out, key=lambda i: i["urgency"] or far)


# --- amendments ----------------------------------------------------------------------------

async def amend(principal: Principal, incident_id: int, field_name: str, new_value: str, reason: str) -> None:
    incident = await Incident.select().where(Incident.id == incident_id).first().run()
    if not incident or incident["status"] == "draft":
        raise NotFound(incident_id)
    if not (await access_for(principal, incident)).amend:
        raise PermissionError(incident_id)
    errors: dict[str, str] = {}
    if field_name not in AMENDABLE:
        errors["field"] = "Vælg hvilket felt der skal rettes"
    reason = text(reason, errors, "reason", max_length=1000, required="Skriv hvorfor indberetningen rettes")
    if errors:
        raise ValidationError(errors)
    merged = {k: ("" if v is None else str(v)) for k, v in incident.items()}
    merged["occurred_date"] = ""
    merged[field_name] = new_value
    report = parse_form(_Form(merged))
    if field_name in report.errors:
        raise ValidationError({"value": report.errors[field_name]})
    value = report.values.get(field_name)
    if field_name in ("description",) and not value:
        raise ValidationError({"value": "Beskrivelsen kan ikke være tom"})
    old = incident[field_name]
    if (old or "") == (value or ""):
        raise ValidationError({"value": "Den nye værdi er den samme som den gamle"})
    async with transaction():
        await Incident.update({field_name: value, "updated_at": now()}).where(Incident.id == incident_id).run()
        await IncidentAmendment.insert(IncidentAmendment(
            incident=incident_id, account=principal.account_id, field=field_name,
            old_value="" if old is None else str(old), new_value="" if value is None else str(value), reason=reason,
        )).run()
        await audit.record(principal, "amend", "incident", incident_id, {"field": field_name})


class _Form(dict):
    def getall(self, key):
        return []
