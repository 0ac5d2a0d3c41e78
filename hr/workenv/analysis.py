"""Work-environment analysis computed in SQL, on SQLite and PostgreSQL alike: counts, rates per
100 FTE-years, absence, follow-up on time, time of day by weekday, contributing factors and
repeat episodes per citizen pseudonym. Each function issues one query whatever the amount of
data; months and hours are Danish local time, correct across daylight-saving changes (month
boundaries are computed in Python and joined as a small table; hours use the time-zone rules).

Scope: HR sees everything, leaders their units, AMR their institutions. Nothing here returns
a person's name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from hr.auth.principal import Principal, Role
from hr.auth.scope import leader_unit_ids
from hr.db import as_utc, is_postgres
from hr.settings import TIMEZONE
from hr.workenv.tables import Incident

REVIEW_DAYS = 7  # the leader's review deadline (see the rule table): "followed up on time"
PG_ON_TIME = f"i.reviewed_at <= i.submitted_at + interval '{REVIEW_DAYS} days'"
SQLITE_ON_TIME = f"julianday(i.reviewed_at) - julianday(i.submitted_at) <= {REVIEW_DAYS}"
KINDS = ("near_miss", "accident", "violence", "use_of_force")


@dataclass
class Filters:
    start: date  # first month (its first day)
    end: date  # last month (its first day)
    institution_id: int | None = None
    unit_id: int | None = None
    kind: str = ""
    severity: int | None = None
    pseudonym: str = ""
    # Filled from the viewer: None = all (HR).
    unit_ids: set[int] | None = field(default=None)
    institution_ids: set[int] | None = field(default=None)


def months(start: date, end: date) -> list[date]:
    out, current = [], start.replace(day=1)
    while current <= end:
        out.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return out


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time(0), TIMEZONE).astimezone(timezone.utc)


def _ts(moment: datetime):
    """A parameter comparable with stored timestamps on both engines."""
    return moment if is_postgres() else moment.strftime("%Y-%m-%d %H:%M:%S+00:00")


def _month_table(first: date, last: date) -> tuple[str, list]:
    rows, params = [], []
    cast = ("::text", "::timestamptz", "::timestamptz") if is_postgres() else ("", "", "")
    for month in months(first, last):
        following = (month + timedelta(days=32)).replace(day=1)
        rows.append(f"({{}}{cast[0]}, {{}}{cast[1]}, {{}}{cast[2]})")
        params += [month.strftime("%Y-%m"), _ts(_local_start(month)), _ts(_local_start(following))]
    return "b(label, start_at, stop_at) AS (VALUES " + ", ".join(rows) + ")", params


async def scope(principal: Principal, filters: Filters) -> Filters:
    if principal.is_hr:
        return filters
    units = await leader_unit_ids(principal) if Role.LEADER in principal.roles else set()
    filters.unit_ids = units
    filters.institution_ids = set(principal.amr_institution_ids)
    if not (Role.LEADER in principal.roles or principal.is_hr):
        filters.pseudonym = ""  # AMR do not filter by citizen
    return filters


def _scope(filters: Filters, unit: str, institution: str) -> tuple[list[str], list]:
    """The viewer's scope and the unit/institution filters as clauses on the given columns (the
    episodes' own, or an employee's unit and its institution)."""
    clauses: list[str] = []
    params: list = []
    if filters.unit_ids is not None or filters.institution_ids is not None:
        parts = []
        if filters.unit_ids:
            parts.append(f"{unit} IN ({', '.join('{}' for _ in filters.unit_ids)})")
            params += sorted(filters.unit_ids)
        if filters.institution_ids:
            parts.append(f"{institution} IN ({', '.join('{}' for _ in filters.institution_ids)})")
            params += sorted(filters.institution_ids)
        clauses.append("(" + (" OR ".join(parts) or "1 = 0") + ")")
    for column, value in ((institution, filters.institution_id), (unit, filters.unit_id)):
        if value is not None:
            clauses.append(f"{column} = {{}}")
            params.append(value)
    return clauses, params


def _where(filters: Filters, alias: str = "i") -> tuple[str, list]:
    scope, params = _scope(filters, f"{alias}.unit", f"{alias}.institution")
    clauses = [f"{alias}.status <> 'draft'", *scope]
    if filters.severity is not None:
        clauses.append(f"{alias}.severity = {{}}")
        params.append(filters.severity)
    if filters.kind:
        clauses.append(f"{alias}.kind = {{}}")
        params.append(filters.kind)
    if filters.pseudonym:
        clauses.append(f"{alias}.citizen_pseudonym = {{}}")
        params.append(filters.pseudonym)
    return " AND ".join(clauses), params


def _period(filters: Filters, alias: str = "i") -> tuple[str, list]:
    following = (filters.end + timedelta(days=32)).replace(day=1)
    return (f"{alias}.occurred_at >= {{}} AND {alias}.occurred_at < {{}}",
            [_ts(_local_start(filters.start)), _ts(_local_start(following))])


async def _raw(sql: str, params: list) -> list[dict]:
    return await Incident.raw(sql, *params).run()


async def monthly(filters: Filters) -> list[dict]:
    """Per month: incidents, absence days, submitted and reviewed within the deadline."""
    return (await monthly_and_institutions(filters))[0]


async def monthly_and_institutions(filters: Filters) -> tuple[list[dict], dict[int, int]]:
    """The monthly rows and, from the same pass over the data, incidents per institution."""
    where, where_params = _where(filters)
    sums = ("COUNT(i.id) AS incidents, COALESCE(SUM(i.absence_days), 0) AS absence_days, "
            "SUM(CASE WHEN i.submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS submitted, "
            "SUM(CASE WHEN i.reviewed_at IS NOT NULL AND {on_time} THEN 1 ELSE 0 END) AS on_time")
    labels = [m.strftime("%Y-%m") for m in months(filters.start, filters.end)]
    if is_postgres():
        # One pass: width_bucket finds each row's month by binary search over the boundaries.
        bounds = [_local_start(m) for m in months(filters.start, filters.end)]
        bounds.append(_local_start((filters.end + timedelta(days=32)).replace(day=1)))
        period, period_params = _period(filters)
        sql = (f"SELECT width_bucket(i.occurred_at, {{}}::timestamptz[]) AS bucket, "
               f"{sums.format(on_time=PG_ON_TIME)} "
               f", i.institution AS institution FROM workenv_incident i WHERE {where} AND {period} GROUP BY 1, "
               f"i.institution")
        grouped = await _raw(sql, [bounds, *where_params, *period_params])
        for r in grouped:
            r["month"] = labels[int(r["bucket"]) - 1]
        rows = _sum_by_month(labels, grouped)
    else:
        table, params = _month_table(filters.start, filters.end)
        sql = (f"WITH {table} SELECT b.label AS month, {sums.format(on_time=SQLITE_ON_TIME)} "
               f", i.institution AS institution "
               f"FROM b LEFT JOIN workenv_incident i ON i.occurred_at >= b.start_at AND i.occurred_at < b.stop_at "
               f"AND {where} GROUP BY b.label, i.institution ORDER BY b.label")
        grouped = await _raw(sql, params + where_params)
        rows = _sum_by_month(labels, grouped)
    institutions: dict[int, int] = {}
    for r in grouped:
        if r["institution"] is not None:
            institutions[r["institution"]] = institutions.get(r["institution"], 0) + int(r["incidents"] or 0)
    return rows, institutions


def _sum_by_month(labels: list[str], grouped: list[dict]) -> list[dict]:
    keys = ("incidents", "absence_days", "submitted", "on_time")
    rows = {label: {"month": label, **dict.fromkeys(keys, 0)} for label in labels}
    for r in grouped:
        for key in keys:
            rows[r["month"]][key] += int(r[key] or 0)
    return list(rows.values())


async def fte_years(filters: Filters, by: str = "month") -> dict[str, float]:
    """FTE-years at risk, from each employee's FTE and employment dates, per month (or per
    institution for the whole period). Employees count in their current unit."""
    cast = ("::text", "::date", "::date") if is_postgres() else ("", "", "")
    rows, params = [], []
    for month in months(filters.start, filters.end):
        stop = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        rows.append(f"({{}}{cast[0]}, {{}}{cast[1]}, {{}}{cast[2]})")
        params += [month.strftime("%Y-%m"), month if is_postgres() else month.isoformat(),
                   stop if is_postgres() else stop.isoformat()]
    lo = "GREATEST(COALESCE(e.start_date, m.first_day), m.first_day)" if is_postgres() else \
        "MAX(COALESCE(e.start_date, m.first_day), m.first_day)"
    hi = "LEAST(COALESCE(e.end_date, m.last_day), m.last_day)" if is_postgres() else \
        "MIN(COALESCE(e.end_date, m.last_day), m.last_day)"
    days = f"({hi} - {lo} + 1)" if is_postgres() else f"(julianday({hi}) - julianday({lo}) + 1)"
    scope, where_params = _scope(filters, "e.unit", "u.institution")
    clauses = ["e.unit IS NOT NULL", *scope]
    key = "m.label" if by == "month" else "u.institution"
    sql = (f"WITH m(label, first_day, last_day) AS (VALUES {', '.join(rows)}) "
           f"SELECT {key} AS k, SUM(e.fte * {days}) / 365.25 AS fte_years "
           f"FROM m JOIN org_employee e ON COALESCE(e.start_date, m.first_day) <= m.last_day "
           f"AND COALESCE(e.end_date, m.last_day) >= m.first_day JOIN org_unit u ON u.id = e.unit "
           f"WHERE {' AND '.join(clauses)} GROUP BY {key}")
    return {str(r["k"]): float(r["fte_years"] or 0) for r in await _raw(sql, params + where_params)}


async def by_institution(filters: Filters, counts: dict[int, int] | None = None,
                         fte: dict[str, float] | None = None) -> list[dict]:
    """Incidents per institution in the period (counted here, or taken from
    `monthly_and_institutions`), with FTE-years, for comparing rates."""
    if counts is None:
        counts = (await monthly_and_institutions(filters))[1]
    rows = [{"institution_id": r["id"], "name": r["name"], "incidents": counts.get(r["id"], 0)}
            for r in await _raw("SELECT id, name FROM org_institution ORDER BY name", [])]
    if fte is None:
        fte = await fte_years(filters, by="institution")
    visible = filters.institution_ids if filters.unit_ids is None else None
    out = []
    for r in rows:
        if visible is not None and r["institution_id"] not in visible:
            continue
        r["incidents"] = int(r["incidents"])
        r["fte_years"] = fte.get(str(r["institution_id"]), 0.0)
        if r["fte_years"]:
            out.append(r)
    return out


async def heatmap(filters: Filters) -> list[list[int]]:
    """Incidents by weekday (Monday first) and hour of day, in Danish local time."""
    where, params = _where(filters)
    period, period_params = _period(filters)
    grid = [[0] * 24 for _ in range(7)]
    if is_postgres():
        # Group by UTC hour of the week and by summer/winter time (width_bucket over the
        # changes: odd buckets are summer), then shift to local time here: far cheaper than a
        # time-zone conversion per row.
        changes = [datetime.fromisoformat(_transition(year, month))
                   for year in range(filters.start.year, filters.end.year + 1) for month in (3, 10)]
        sql = (f"SELECT (FLOOR(EXTRACT(EPOCH FROM i.occurred_at))::bigint / 3600) % 168 AS hour_of_week, "
               f"width_bucket(i.occurred_at, {{}}::timestamptz[]) % 2 AS summer, COUNT(*) AS n "
               f"FROM workenv_incident i WHERE {where} AND {period} GROUP BY 1, 2")
        for r in await _raw(sql, [changes, *params, *period_params]):
            local = (int(r["hour_of_week"]) + (2 if int(r["summer"]) else 1)) % 168
            # The epoch began on a Thursday (weekday 3 with Monday as 0).
            grid[(local // 24 + 3) % 7][local % 24] += int(r["n"])
        return grid
    shift = _sqlite_offset(filters)
    weekday = f"((CAST(strftime('%w', i.occurred_at, {shift}) AS INTEGER) + 6) % 7)"
    hour = f"CAST(strftime('%H', i.occurred_at, {shift}) AS INTEGER)"
    sql = (f"SELECT {weekday} AS weekday, {hour} AS hour, COUNT(*) AS n FROM workenv_incident i "
           f"WHERE {where} AND {period} GROUP BY 1, 2")
    for r in await _raw(sql, params + period_params):
        grid[int(r["weekday"])][int(r["hour"])] = int(r["n"])
    return grid


def _sqlite_offset(filters: Filters) -> str:
    """SQLite knows no time zones: a CASE over the summer-time periods of the years asked for."""
    whens = []
    for year in range(filters.start.year, filters.end.year + 1):
        begins = _transition(year, 3)
        ends = _transition(year, 10)
        whens.append(f"WHEN i.occurred_at >= '{begins}' AND i.occurred_at < '{ends}' THEN '+2 hours'")
    return "CASE " + " ".join(whens) + " ELSE '+1 hours' END"


def _transition(year: int, month: int) -> str:
    """The summer-time change in UTC: 01:00 UTC on the last Sunday of March or October."""
    day = date(year, month + 1, 1) - timedelta(days=1)
    day -= timedelta(days=(day.weekday() + 1) % 7)
    return f"{day.isoformat()} 01:00:00+00:00"


async def factors(filters: Filters) -> list[dict]:
    """Contributing factors, most frequent first, with the cumulative share (Pareto)."""
    where, params = _where(filters)
    period, period_params = _period(filters)
    # Counted per factor id first, named afterwards: grouping by a number is cheaper than by text.
    sql = (f"SELECT f.name AS name, c.n AS n FROM (SELECT x.factor AS factor, COUNT(*) AS n "
           f"FROM workenv_incident_factor x JOIN workenv_incident i ON i.id = x.incident "
           f"WHERE {where} AND {period} GROUP BY x.factor) c JOIN workenv_factor f ON f.id = c.factor "
           f"ORDER BY c.n DESC, f.name")
    rows = [{"name": r["name"], "n": int(r["n"])} for r in await _raw(sql, params + period_params)]
    total, running = sum(r["n"] for r in rows), 0
    for r in rows:
        running += r["n"]
        r["share"] = round(100 * r["n"] / total) if total else 0
        r["cumulative"] = round(100 * running / total) if total else 0
    return rows


async def repeats(filters: Filters, limit: int = 20) -> list[dict]:
    """Citizens (by pseudonym only) with repeated violence or use of force in the period."""
    where, params = _where(filters)
    period, period_params = _period(filters)
    sql = (f"SELECT i.citizen_pseudonym AS pseudonym, COUNT(*) AS episodes, "
           f"SUM(CASE WHEN i.kind = 'violence' THEN 1 ELSE 0 END) AS violence, "
           f"SUM(CASE WHEN i.kind = 'use_of_force' THEN 1 ELSE 0 END) AS use_of_force, "
           f"MAX(i.occurred_at) AS latest, COUNT(DISTINCT i.unit) AS units "
           f"FROM workenv_incident i WHERE {where} AND {period} AND i.kind IN ('violence', 'use_of_force') "
           f"AND i.citizen_pseudonym <> '' GROUP BY i.citizen_pseudonym HAVING COUNT(*) >= 2 "
           f"ORDER BY COUNT(*) DESC, i.citizen_pseudonym LIMIT {int(limit)}")
    out = []
    for r in await _raw(sql, params + period_params):
        latest = as_utc(r["latest"]) if r["latest"] is not None else None
        out.append({"pseudonym": r["pseudonym"], "episodes": int(r["episodes"]), "violence": int(r["violence"]),
                    "use_of_force": int(r["use_of_force"]), "latest": latest, "units": int(r["units"])})
    return out


def quarters(rows: list[dict]) -> list[dict]:
    """Monthly rows summed per quarter."""
    out: dict[str, dict] = {}
    for r in rows:
        year, month = r["month"].split("-")
        key = f"{year} K{(int(month) - 1) // 3 + 1}"
        entry = out.setdefault(key, {"quarter": key, "incidents": 0, "absence_days": 0, "submitted": 0,
                                     "on_time": 0})
        for name in ("incidents", "absence_days", "submitted", "on_time"):
            entry[name] += r[name]
    return list(out.values())

