"""The work-environment dashboard: the analysis queries turned into run and control charts with
findings, for the viewer's scope (leaders: their units; AMR: their institution, never names;
HR: the region, with institutions compared by rate). A fixed number of queries per page."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta

from hr.auth.principal import Principal, Role
from hr.charts import findings, funnel, funnel_findings
from hr.db import now
from hr.forms import optional_int, parse_decimal
from hr.settings import TIMEZONE
from hr.workenv import analysis, spc
from hr.workenv.choices import KINDS

MAX_MONTHS = 120
DEFAULT_MONTHS = 24


def parse_month(value: str | None) -> date | None:
    """'2026-05' as the first day of that month; None if it is not one."""
    try:
        year, month = str(value or "").split("-")
        day = date(int(year), int(month), 1)
    except ValueError:
        return None
    # Within the years the data can span: a month in year 1 or 9999 would overflow the month steps.
    return day if 2000 <= day.year <= 2100 else None


@dataclass
class Query:
    filters: analysis.Filters
    params: dict
    errors: dict
    # Fixed centre lines (qicharts2's `cl`): a target for the rate per 100 FTE-years and for the
    # share followed up in time (per cent); the limits and runs are then judged against them.
    rate_target: float | None = None
    on_time_target: float | None = None


TARGETS = {  # query parameter: (highest sensible value, message)
    "maal": (10_000, "Skriv målet som et tal mellem 0 og 10.000 hændelser pr. 100 årsværk"),
    "maal_tid": (100, "Skriv målet som en procent mellem 0 og 100"),
}


def _target(params, name: str, errors: dict) -> float | None:
    if not params.get(name):
        return None
    highest, message = TARGETS[name]
    try:
        value = parse_decimal(params.get(name))
    except ValueError:
        value = None
    if value is None or not 0 < value <= highest:
        errors[name] = message
        return None
    return float(value)


def parse(params, principal: Principal) -> Query:
    """Filters from the query string; a bad value is reported and replaced by the default."""
    this_month = now().astimezone(TIMEZONE).date().replace(day=1)
    last_full = (this_month - timedelta(days=1)).replace(day=1)  # the running month is not complete
    errors: dict[str, str] = {}
    end = parse_month(params.get("til")) if params.get("til") else last_full
    if end is None:
        errors["til"] = "Skriv måneden som ÅÅÅÅ-MM"
        end = last_full
    start_default = (end - timedelta(days=31 * (DEFAULT_MONTHS - 1))).replace(day=1)
    start = parse_month(params.get("fra")) if params.get("fra") else start_default
    if start is None:
        errors["fra"] = "Skriv måneden som ÅÅÅÅ-MM"
        start = start_default
    if start > end:
        errors["fra"] = "Perioden begynder efter den slutter"
        start = start_default
    if (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_MONTHS:
        errors["fra"] = f"Højst {MAX_MONTHS} måneder ad gangen"
        start = (end - timedelta(days=31 * (MAX_MONTHS - 1))).replace(day=1)
    kind = str(params.get("type", ""))
    if kind and kind not in KINDS:
        errors["type"] = "Ukendt type"
        kind = ""
    severity = optional_int(params.get("alvor"))
    if severity is not None and not 1 <= severity <= 4:
        errors["alvor"] = "Alvorlighed er 1-4"
        severity = None
    pseudonym = str(params.get("borger", "")).strip()[:20]
    if pseudonym and not (principal.is_hr or Role.LEADER in principal.roles):
        pseudonym = ""
    filters = analysis.Filters(start=start, end=end, institution_id=optional_int(params.get("tilbud")),
                               unit_id=optional_int(params.get("afdeling")), kind=kind, severity=severity,
                               pseudonym=pseudonym)
    rate_target, on_time_target = _target(params, "maal", errors), _target(params, "maal_tid", errors)
    shown = {"fra": start.strftime("%Y-%m"), "til": end.strftime("%Y-%m"), "tilbud": filters.institution_id,
             "afdeling": filters.unit_id, "type": kind, "alvor": severity, "borger": pseudonym,
             "maal": _number(rate_target), "maal_tid": _number(on_time_target)}
    return Query(filters, shown, errors, rate_target, on_time_target)


def _number(value: float | None) -> str:
    """A target as it was typed back into the form: Danish decimal comma, no trailing zeros."""
    return "" if value is None else f"{value:g}".replace(".", ",")


async def _none() -> None:
    return None


async def build(principal: Principal, query: Query) -> dict:
    filters = await analysis.scope(principal, query.filters)
    # Independent queries run side by side: PostgreSQL works on one while Python renders another.
    (monthly, per_institution), fte, heat, factor_rows, repeat_rows, institution_fte = await asyncio.gather(
        analysis.monthly_and_institutions(filters), analysis.fte_years(filters), analysis.heatmap(filters),
        analysis.factors(filters), analysis.repeats(filters),
        analysis.fte_years(filters, by="institution") if principal.is_hr else _none())
    labels = [r["month"] for r in monthly]
    counts = [r["incidents"] for r in monthly]
    per_100 = [fte.get(m, 0.0) / 100 or None for m in labels]
    rate = spc.qic("u", counts, per_100, labels, cl=query.rate_target) if any(per_100) else None
    run = spc.qic("run", counts, x=labels)
    submitted = [r["submitted"] or None for r in monthly]
    on_time = spc.qic("p", [r["on_time"] for r in monthly], submitted, labels, multiply=100,
                      cl=query.on_time_target / 100 if query.on_time_target is not None else None) \
        if any(submitted) else None
    out = {"monthly": monthly, "quarters": analysis.quarters(monthly), "fte": fte, "run": run, "rate": rate,
           "on_time": on_time, "heatmap": heat, "factors": factor_rows, "repeats": repeat_rows,
           "institutions": None, "institution_chart": None}
    if principal.is_hr:
        rows = await analysis.by_institution(filters, per_institution, institution_fte)
        out["institutions"] = rows
        if rows:
            # Institutions are categories, not a time series: a funnel plot, not a u-chart's runs.
            out["institution_chart"] = funnel([(r["name"], r["incidents"], r["fte_years"]) for r in rows])
    found = []
    if rate:
        found += findings(rate, "Hændelser pr. 100 årsværk")
    found += findings(run, "Antal hændelser")
    if on_time:
        found += findings(on_time, "Andel fulgt op til tiden", " %")
    if out["institution_chart"]:
        found += funnel_findings(out["institution_chart"], "Sammenligning af tilbud")
    out["findings"] = found
    for r in monthly:
        r["fte_years"] = round(fte.get(r["month"], 0.0), 1)
        r["rate"] = round(100 * r["incidents"] / fte[r["month"]], 1) if fte.get(r["month"]) else None
        r["on_time_share"] = round(100 * r["on_time"] / r["submitted"]) if r["submitted"] else None
    return out
