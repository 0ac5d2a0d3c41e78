"""Supervision rules: the supervisor registry, the method-matching rule with HR-approved
exceptions, and supervision requirements resolved per unit, institution and region."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from hr import audit
from hr.auth.principal import Principal
from hr.db import prepared, transaction
from hr.forms import (
    NotFound,
    ValidationError,
    field_ids,
    integer,
    local_today,
    one_line,
    optional_int,
    parse_date,
    text,
    years_from,
)
from hr.org.tables import Institution, InstitutionMethod, Method, Unit
from hr.supervision.tables import MatchException, Requirement, Supervisor, SupervisorInstitution, SupervisorMethod

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
AUDIENCES = {"staff": "Medarbejdere", "leader": "Ledere"}
SESSION_TYPES = {"group": "Gruppesupervision", "individual": "Individuel supervision", "any": "Individuel eller gruppe"}


async def _links(table, column, supervisor_ids: list[int]) -> dict[int, list[dict]]:
    target = getattr(table, column)
    rows = await table.select(table.supervisor, target.as_alias("id"), target.name.as_alias("name")).where(
        table.supervisor.is_in(supervisor_ids or [-1])).run()
    out: dict[int, list[dict]] = {}
    for row in rows:
        out.setdefault(row["supervisor"], []).append({"id": row["id"], "name": row["name"]})
    return out


async def list_supervisors(include_inactive: bool = True) -> list[dict]:
    query = Supervisor.select().order_by(Supervisor.name)
    if not include_inactive:
        query = query.where(Supervisor.active.eq(True))
    rows = await query.run()
    ids = [r["id"] for r in rows]
    methods = await _links(SupervisorMethod, "method", ids)
    institutions = await _links(SupervisorInstitution, "institution", ids)
    for row in rows:
        row["methods"] = sorted(methods.get(row["id"], []), key=lambda m: m["name"])
        row["institutions"] = sorted(institutions.get(row["id"], []), key=lambda i: i["name"])
    return rows


async def get_supervisor(supervisor_id: int) -> dict | None:
    rows = [r for r in await list_supervisors() if r["id"] == supervisor_id]
    if not rows:
        return None
    row = rows[0]
    row["exceptions"] = await MatchException.select(
        MatchException.all_columns(), MatchException.institution.name.as_alias("institution_name"),
        MatchException.approved_by.name.as_alias("approved_by_name"),
    ).where(MatchException.supervisor == supervisor_id).order_by(MatchException.approved_at).run()
    return row


async def save_supervisor(principal: Principal, supervisor_id: int | None, form) -> int:
    errors: dict[str, str] = {}
    name = one_line(form.get("name"), errors, "name", max_length=200, required="Skriv supervisorens navn")
    email = str(form.get("email", "")).strip().lower()
    phone = str(form.get("phone", "")).strip()
    organisation = one_line(form.get("organisation"), errors, "organisation", max_length=200)
    external = form.get("external") == "1"
    if email and not EMAIL_RE.match(email):
        errors["email"] = "Skriv en gyldig e-mailadresse"
    if len(phone) > 40 or (phone and not re.fullmatch(r"[+0-9 ()-]{6,40}", phone)):
        errors["phone"] = "Skriv et gyldigt telefonnummer"
    fee = None
    raw_fee = str(form.get("fee_per_session", "")).strip().replace(".", "").replace(",", ".")
    if raw_fee:
        try:
            fee = Decimal(raw_fee)
            if fee < 0 or fee > 100000:
                raise InvalidOperation
        except InvalidOperation:
            errors["fee_per_session"] = "Skriv honoraret som et beløb i kroner, fx 2.400"
    if fee is not None and not external:
        errors["fee_per_session"] = "Kun eksterne supervisorer har honorar"
    methods = field_ids(form, "methods")
    institutions = field_ids(form, "institutions")
    if methods is None or (methods and await Method.count().where(Method.id.is_in(methods)).run() != len(set(methods))):
        errors["methods"] = "Ugyldigt valg af metode"
    if institutions is None or (institutions and await Institution.count().where(
            Institution.id.is_in(institutions)).run() != len(set(institutions))):
        errors["institutions"] = "Ugyldigt valg af tilbud"
    if not methods and "methods" not in errors:
        errors["methods"] = "Vælg mindst én metode, supervisoren kender"
    if supervisor_id and not await Supervisor.exists().where(Supervisor.id == supervisor_id).run():
        raise NotFound(supervisor_id)
    if errors:
        raise ValidationError(errors)
    values = {"name": name, "email": email, "phone": phone, "organisation": organisation, "external": external,
              "fee_per_session": fee, "active": ("1" in form.getall("active")) if "active" in form else True}
    creating = supervisor_id is None
    async with transaction():
        if creating:
            supervisor_id = (await Supervisor.insert(Supervisor(**values)).returning(Supervisor.id).run())[0]["id"]
        else:
            await Supervisor.update(values).where(Supervisor.id == supervisor_id).run()
        await SupervisorMethod.delete().where(SupervisorMethod.supervisor == supervisor_id).run()
        await SupervisorMethod.insert(*[SupervisorMethod(supervisor=supervisor_id, method=m)
                                        for m in sorted(set(methods))]).run()
        await SupervisorInstitution.delete().where(SupervisorInstitution.supervisor == supervisor_id).run()
        if institutions:
            await SupervisorInstitution.insert(*[SupervisorInstitution(supervisor=supervisor_id, institution=i)
                                                 for i in sorted(set(institutions))]).run()
        await audit.record(principal, "create" if creating else "update", "supervisor", supervisor_id,
                           {"methods": sorted(set(methods)), "institutions": sorted(set(institutions))})
    return supervisor_id


async def matching(institution_id: int) -> list[dict]:
    """Every active supervisor serving the institution, matching ones first, with the reason.

    The rule: a supervisor may supervise an institution's staff only if they know at least one
    of its methods, or HR has approved an exception with a reason."""
    institution_methods = {r["method"]: r["name"] for r in await InstitutionMethod.select(
        InstitutionMethod.method, InstitutionMethod.method.name.as_alias("name")).where(
        InstitutionMethod.institution == institution_id).run()}
    serving = {r["supervisor"] for r in await SupervisorInstitution.select(SupervisorInstitution.supervisor).where(
        SupervisorInstitution.institution == institution_id).run()}
    exceptions = {r["supervisor"]: r for r in await MatchException.select().where(
        MatchException.institution == institution_id).run()}
    out = []
    for supervisor in await list_supervisors(include_inactive=False):
        if supervisor["id"] not in serving and supervisor["id"] not in exceptions:
            continue
        shared = sorted(m["name"] for m in supervisor["methods"] if m["id"] in institution_methods)
        exception = exceptions.get(supervisor["id"])
        if shared:
            reason = "Kender " + _join(shared) + ", som tilbuddet arbejder med"
        elif exception:
            reason = f"Undtagelse godkendt af HR: {exception['reason']}"
        else:
            reason = "Kender ingen af tilbuddets metoder (" + _join(sorted(institution_methods.values())) + ")"
        out.append({**supervisor, "shared_methods": shared, "exception": exception,
                    "bookable": bool(shared or exception), "reason": reason})
    return sorted(out, key=lambda s: (not s["shared_methods"], not s["bookable"], -len(s["shared_methods"]),
                                      s["name"]))


def _join(names: list[str]) -> str:
    if not names:
        return "ingen"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


async def approve_exception(principal: Principal, supervisor_id: int, institution_id: int | None,
                            reason: str) -> int:
    errors = {}
    reason = reason.strip()
    if not await Supervisor.exists().where(Supervisor.id == supervisor_id).run():
        raise NotFound(supervisor_id)
    if institution_id is None or not await Institution.exists().where(Institution.id == institution_id).run():
        errors["institution"] = "Vælg tilbuddet"
    if not reason:
        errors["reason"] = "Skriv hvorfor undtagelsen godkendes"
    elif len(reason) > 1000:
        errors["reason"] = "Højst 1000 tegn"
    if not errors and await MatchException.exists().where(
            (MatchException.supervisor == supervisor_id) & (MatchException.institution == institution_id)).run():
        errors["institution"] = "Der er allerede en undtagelse for dette tilbud"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await MatchException.insert(MatchException(
            supervisor=supervisor_id, institution=institution_id, reason=reason, approved_by=principal.account_id,
        )).returning(MatchException.id).run()
        await audit.record(principal, "create", "match_exception", rows[0]["id"],
                           {"supervisor": supervisor_id, "institution": institution_id})
    return rows[0]["id"]


# --- requirements ---------------------------------------------------------------------------

@prepared
def _requirements():
    return Requirement.select(
        Requirement.all_columns(), Requirement.institution.name.as_alias("institution_name"),
        Requirement.unit.name.as_alias("unit_name"),
    ).order_by(Requirement.audience, Requirement.valid_from)


async def list_requirements() -> list[dict]:
    return await _requirements()


def resolve(requirements: list[dict], audience: str, institution_id: int | None, unit_id: int | None,
            on: date) -> dict | None:
    """The requirement in force: unit before institution before the region-wide default,
    and within each level the latest valid_from on or before the day."""
    in_force = [r for r in requirements if r["audience"] == audience and r["valid_from"] <= on]
    for level in (
        [r for r in in_force if unit_id and r["unit"] == unit_id],
        [r for r in in_force if not r["unit"] and institution_id and r["institution"] == institution_id],
        [r for r in in_force if not r["unit"] and not r["institution"]],
    ):
        if level:
            return max(level, key=lambda r: r["valid_from"])
    return None


async def add_requirement(principal: Principal, form) -> int:
    errors: dict[str, str] = {}
    audience = str(form.get("audience", ""))
    session_type = str(form.get("session_type", ""))
    if audience not in AUDIENCES:
        errors["audience"] = "Vælg om kravet gælder medarbejdere eller ledere"
    if session_type not in SESSION_TYPES:
        errors["session_type"] = "Vælg typen af supervision"
    numbers = {}
    for name, low, high, message in (("interval_days", 7, 730, "Skriv antal dage mellem sessioner (7-730)"),
                                     ("grace_days", 0, 365, "Skriv antal dages frist for nyansatte (0-365)")):
        numbers[name] = integer(form.get(name), errors, name, low=low, high=high, message=message)
    valid_from = parse_date(form.get("valid_from"), errors, "valid_from", required="Skriv hvornår kravet gælder fra")
    institution = optional_int(form.get("institution"))
    unit = optional_int(form.get("unit"))
    if unit:
        row = await Unit.select(Unit.institution).where(Unit.id == unit).first().run()
        if not row:
            errors["unit"] = "Afdelingen findes ikke"
        elif institution and row["institution"] != institution:
            errors["unit"] = "Afdelingen hører ikke til det valgte tilbud"
        elif row:
            institution = row["institution"]
    if institution and not await Institution.exists().where(Institution.id == institution).run():
        errors["institution"] = "Tilbuddet findes ikke"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await Requirement.insert(Requirement(
            audience=audience, session_type=session_type, institution=institution, unit=unit,
            valid_from=valid_from, **numbers)).returning(Requirement.id).run()
        await audit.record(principal, "create", "supervision_requirement", rows[0]["id"],
                           {"audience": audience, "institution": institution, "unit": unit, **numbers})
    return rows[0]["id"]



# --- availability --------------------------------------------------------------------------

WEEKDAYS = {0: "Mandag", 1: "Tirsdag", 2: "Onsdag", 3: "Torsdag", 4: "Fredag", 5: "Lørdag", 6: "Søndag"}


def _minutes(value: str) -> int | None:
    try:
        hours, minutes = (int(part) for part in value.strip().split(":"))
    except ValueError:
        return None
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        return None
    return hours * 60 + minutes


async def availability_of(supervisor_id: int) -> dict:
    from hr.supervision.tables import Availability, AvailabilityException

    windows = await Availability.select().where(Availability.supervisor == supervisor_id).order_by(
        Availability.weekday).order_by(Availability.start_minute).run()
    for window in windows:
        window["label"] = (f"{WEEKDAYS[window['weekday']]} {window['start_minute'] // 60:02d}:"
                           f"{window['start_minute'] % 60:02d}-{window['end_minute'] // 60:02d}:"
                           f"{window['end_minute'] % 60:02d}")
    days = await AvailabilityException.select().where(AvailabilityException.supervisor == supervisor_id).order_by(
        AvailabilityException.day).run()
    return {"windows": windows, "days": days}


async def add_window(principal: Principal, supervisor_id: int, form) -> int:
    from hr.supervision.tables import Availability

    if not await Supervisor.exists().where(Supervisor.id == supervisor_id).run():
        raise NotFound(supervisor_id)
    errors: dict[str, str] = {}
    weekday = optional_int(form.get("weekday"))
    if weekday not in WEEKDAYS:
        errors["weekday"] = "Vælg ugedag"
    start, end = _minutes(str(form.get("start", ""))), _minutes(str(form.get("end", "")))
    if start is None:
        errors["start"] = "Skriv starttid som TT:MM"
    if end is None:
        errors["end"] = "Skriv sluttid som TT:MM"
    if start is not None and end is not None and end - start < 30:
        errors["end"] = "Sluttiden skal ligge mindst 30 minutter efter starttiden"
    if not errors and await Availability.exists().where(
            (Availability.supervisor == supervisor_id) & (Availability.weekday == weekday)
            & (Availability.start_minute < end) & (Availability.end_minute > start)).run():
        errors["start"] = "Tidsrummet overlapper et andet tidsrum samme dag"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await Availability.insert(Availability(supervisor=supervisor_id, weekday=weekday, start_minute=start,
                                                      end_minute=end)).returning(Availability.id).run()
        await audit.record(principal, "create", "availability", rows[0]["id"], {"supervisor": supervisor_id})
    return rows[0]["id"]


async def remove_window(principal: Principal, supervisor_id: int, window_id: int) -> None:
    from hr.supervision.tables import Availability

    async with transaction():
        rows = await Availability.delete().where((Availability.id == window_id)
                                                 & (Availability.supervisor == supervisor_id)
                                                 ).returning(Availability.id).run()
        if not rows:
            raise NotFound(window_id)
        await audit.record(principal, "delete", "availability", window_id, {"supervisor": supervisor_id})


async def add_unavailable_day(principal: Principal, supervisor_id: int, form) -> None:
    from hr.supervision.tables import AvailabilityException

    if not await Supervisor.exists().where(Supervisor.id == supervisor_id).run():
        raise NotFound(supervisor_id)
    errors: dict[str, str] = {}
    day = parse_date(form.get("day"), errors, "day", required="Skriv datoen", earliest=local_today(),
                     latest=years_from(local_today(), 3))
    note = " ".join(text(form.get("note"), errors, "note", max_length=200).split())
    if errors:
        raise ValidationError(errors)
    if await AvailabilityException.exists().where((AvailabilityException.supervisor == supervisor_id)
                                                  & (AvailabilityException.day == day)).run():
        raise ValidationError({"day": "Dagen er allerede registreret"})
    async with transaction():
        await AvailabilityException.insert(AvailabilityException(supervisor=supervisor_id, day=day, note=note)).run()
        await audit.record(principal, "create", "availability_exception", supervisor_id, {"day": day})
