"""HR maintains the dated reporting rules and the list of contributing factors."""

from __future__ import annotations

from hr import audit
from hr.auth.principal import Principal
from hr.db import transaction
from hr.forms import ValidationError, integer
from hr.workenv.followup import _date, _text
from hr.workenv.tables import ContributingFactor, ReportingRule

RULE_KINDS = {
    "followup_review": "Lederens gennemgang",
    "violence_defusing": "Defusing efter vold",
    "violence_debriefing": "Debriefing efter vold",
    "accident_easy": "Anmeldelse af arbejdsulykke i EASY",
    "accident_insurer": "Anmeldelse til arbejdsskadeforsikring",
    "force_adult_municipality": "Magtanvendelse, voksne: til kommunen",
    "force_adult_supervisory": "Magtanvendelse, voksne: til socialtilsynet",
    "force_adult_preapproved": "Forhåndsgodkendte indgreb: samlet registrering efter godkendelsens udløb",
    "force_child_registration": "Magtanvendelse, børn: lederens registrering",
    "force_child_parents": "Magtanvendelse, børn: forældrene orienteret",
    "force_child_municipality": "Magtanvendelse, børn: til kommunen",
    "force_child_supervisory": "Magtanvendelse, børn: månedlig indberetning til socialtilsynet",
}


async def list_rules() -> list[dict]:
    return await ReportingRule.select().order_by(ReportingRule.kind, ReportingRule.valid_from).run()


def _number(form, name: str, errors: dict, limit: int) -> int:
    return integer(form.get(name), errors, name, low=0, high=limit, default=0,
                   message=f"Skriv et helt tal fra 0 til {limit}") or 0


async def add_rule(principal: Principal, form) -> int:
    errors: dict[str, str] = {}
    kind = str(form.get("kind", ""))
    if kind not in RULE_KINDS:
        errors["kind"] = "Vælg hvilken frist reglen gælder"
    valid_from = _date(form, "valid_from", errors)
    if valid_from is None and "valid_from" not in errors:
        errors["valid_from"] = "Skriv hvornår reglen gælder fra"
    values = {
        "threshold_days": _number(form, "threshold_days", errors, 365),
        "deadline_days": _number(form, "deadline_days", errors, 365),
        "deadline_hours": _number(form, "deadline_hours", errors, 24 * 30),
        "opens_after_hours": _number(form, "opens_after_hours", errors, 24 * 30),
        "working_days": form.get("working_days") == "1",
        "from_month_end": form.get("from_month_end") == "1",
        "source": _text(form, "source", 200, errors, "Skriv kilden (lov, bekendtgørelse eller retningslinje)"),
        "note": _text(form, "note", 2000, errors),
    }
    if not errors and not (values["deadline_days"] or values["deadline_hours"] or values["from_month_end"]) \
            and kind != "accident_insurer":
        errors["deadline_days"] = "Angiv fristen i dage eller timer"
    if not errors and values["opens_after_hours"] and values["opens_after_hours"] >= (
            values["deadline_hours"] or values["deadline_days"] * 24):
        errors["opens_after_hours"] = "Vinduet skal åbne før fristen"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await ReportingRule.insert(ReportingRule(kind=kind, valid_from=valid_from, active=True, **values)
                                          ).returning(ReportingRule.id).run()
        await audit.record(principal, "create", "reporting_rule", rows[0]["id"], {"kind": kind, **values})
    return rows[0]["id"]


async def set_rule_active(principal: Principal, rule_id: int, active: bool) -> bool:
    async with transaction():
        rows = await ReportingRule.update({ReportingRule.active: active}).where(
            ReportingRule.id == rule_id).returning(ReportingRule.id).run()
        if rows:
            await audit.record(principal, "update", "reporting_rule", rule_id, {"active": active})
    return bool(rows)


async def list_factors() -> list[dict]:
    return await ContributingFactor.select().order_by(ContributingFactor.name).run()


async def add_factor(principal: Principal, name: str) -> int:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Skriv faktorens navn"})
    if len(name) > 120:
        raise ValidationError({"name": "Navnet må højst være 120 tegn"})
    if await ContributingFactor.exists().where(ContributingFactor.name.ilike(name)).run():
        raise ValidationError({"name": "Faktoren findes allerede"})
    async with transaction():
        rows = await ContributingFactor.insert(ContributingFactor(name=name)).returning(ContributingFactor.id).run()
        await audit.record(principal, "create", "factor", rows[0]["id"], {"name": name})
    return rows[0]["id"]


async def set_factor_active(principal: Principal, factor_id: int, active: bool) -> bool:
    async with transaction():
        rows = await ContributingFactor.update({ContributingFactor.active: active}).where(
            ContributingFactor.id == factor_id).returning(ContributingFactor.id).run()
        if rows:
            await audit.record(principal, "update", "factor", factor_id, {"active": active})
    return bool(rows)
