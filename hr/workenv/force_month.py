"""The monthly list of use of force on children for the social supervisory authority
(voksenansvarsloven, BEK 980/2025): per institution and month, every episode with its category,
the leader's registration, the copy to the placing municipality and the parents told; the head
of the institution (or HR) records the month as reported, which meets each episode's deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hr import audit
from hr.auth.principal import Principal
from hr.auth.scope import visible_unit_ids
from hr.db import now, transaction
from hr.forms import ValidationError, local_today, parse_date
from hr.org.services import visible_institutions
from hr.org.tables import Institution
from hr.settings import TIMEZONE
from hr.web import MONTHS
from hr.workenv import choices
from hr.workenv.deadlines import last_of_month
from hr.workenv.followup import can_manage_area
from hr.workenv.tables import Incident

EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class MonthQuery:
    institution: int
    month: date  # the first day

    @property
    def label(self) -> str:
        return f"{MONTHS[self.month.month - 1]} {self.month.year}"

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass(frozen=True)
class MonthList:
    query: MonthQuery
    institution_name: str
    rows: list[dict]
    can_report: bool

    @property
    def reported_on(self) -> date | None:
        days = {r["forwarded_supervisory_on"] for r in self.rows}
        return days.pop() if len(days) == 1 else None

    @property
    def unreported(self) -> int:
        return sum(1 for r in self.rows if r["forwarded_supervisory_on"] is None)


def previous_month(today: date | None = None) -> date:
    first = (today or local_today()).replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def parse_month(value, errors: dict, field: str = "maaned") -> date | None:
    """A month as the month picker sends it (2026-11); empty: the month before this one."""
    raw = str(value or "").strip()
    if not raw:
        return previous_month()
    try:
        year, month = (int(part) for part in raw.split("-"))
        first = date(year, month, 1)
    except ValueError:
        errors[field] = "Vælg en måned, fx 2026-11"
        return None
    if first < EARLIEST or first > local_today():
        errors[field] = "Vælg en måned, der er begyndt"
        return None
    return first


async def parse_query(principal: Principal, params) -> tuple[MonthQuery | None, dict, list[dict]]:
    errors: dict[str, str] = {}
    institutions = await visible_institutions(principal)
    month = parse_month(params.get("maaned"), errors)
    raw = str(params.get("institution") or "").strip()
    ids = {i["id"] for i in institutions}
    institution = int(raw) if raw.isdigit() and int(raw) in ids else None
    if raw and institution is None:
        errors["institution"] = "Vælg et af dine tilbud"
    if institution is None and not raw and len(institutions) == 1:
        institution = institutions[0]["id"]
    if institution is None and "institution" not in errors:
        errors["institution"] = "Vælg tilbuddet"
    if errors or month is None:
        return None, errors, institutions
    return MonthQuery(institution, month), {}, institutions


def _bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime.combine(month, time(0), TIMEZONE)
    end = datetime.combine(last_of_month(month) + timedelta(days=1), time(0), TIMEZONE)
    return start, end


def _episodes_of(query: MonthQuery):
    """Use of force on children in the institution in the month (Danish time)."""
    start, end = _bounds(query.month)
    return ((Incident.kind == "use_of_force") & (Incident.legal_framework == "child")
            & (Incident.status != "draft") & (Incident.institution == query.institution)
            & (Incident.occurred_at >= start) & (Incident.occurred_at < end))


async def month_list(principal: Principal, query: MonthQuery) -> MonthList:
    where = _episodes_of(query)
    units = await visible_unit_ids(principal)
    if units is not None:
        where &= Incident.unit.is_in(list(units) or [-1])
    rows = await Incident.select(
        Incident.id, Incident.occurred_at, Incident.unit.name.as_alias("unit_name"), Incident.force_category,
        Incident.citizen_pseudonym, Incident.form_reference, Incident.form_registered_on,
        Incident.forwarded_municipality_on, Incident.parents_informed_at, Incident.parents_informed_by,
        Incident.forwarded_supervisory_on).where(where).order_by(Incident.occurred_at).run()
    for row in rows:
        row["category"] = choices.FORCE_CATEGORIES["child"].get(row["force_category"], row["force_category"])
        row["missing"] = [label for label, value in (
            ("lederens registrering", row["form_registered_on"]),
            ("kopi til kommunen", row["forwarded_municipality_on"]),
            ("forældrene orienteret", row["parents_informed_at"])) if value is None]
    name = await Institution.select(Institution.name).where(Institution.id == query.institution).first().run()
    await audit.record(principal, "read", "use_of_force", query.institution,
                       {"institution": query.institution, "month": query.key, "rows": len(rows)})
    return MonthList(query, name["name"] if name else "", rows,
                     await can_manage_area(principal, query.institution, None))


HEADERS = ["Tidspunkt", "Afdeling", "Kategori", "Borger (pseudonym)", "Blanket", "Registreret af lederen",
           "Kopi til kommunen", "Forældre orienteret", "Orienteret af", "Indberettet til socialtilsynet"]


def export_rows(listing: MonthList) -> list[list]:
    return [[r["occurred_at"], r["unit_name"], r["category"], r["citizen_pseudonym"], r["form_reference"],
             r["form_registered_on"], r["forwarded_municipality_on"], r["parents_informed_at"],
             r["parents_informed_by"], r["forwarded_supervisory_on"]] for r in listing.rows]


async def record_reported(principal: Principal, query: MonthQuery, reported_on_value) -> int:
    """The month's list was sent to the supervisory authority on that day: every episode of the
    month not yet reported is marked. Only the head of the institution and HR."""
    if not await can_manage_area(principal, query.institution, None):
        raise PermissionError(query.institution)
    errors: dict[str, str] = {}
    first_possible = last_of_month(query.month) + timedelta(days=1)
    if first_possible > local_today():
        raise ValidationError({"reported_on": "Måneden er ikke slut endnu: listen sendes, når den er"})
    reported_on = parse_date(reported_on_value, errors, "reported_on", required="Skriv hvornår listen blev sendt",
                             earliest=first_possible, latest=local_today())
    if errors:
        raise ValidationError(errors)
    async with transaction():
        marked = await Incident.update({Incident.forwarded_supervisory_on: reported_on, Incident.updated_at: now()}
                                       ).where(_episodes_of(query) & Incident.forwarded_supervisory_on.is_null()
                                               ).returning(Incident.id).run()
        await audit.record(principal, "update", "use_of_force", query.institution,
                           {"institution": query.institution, "month": query.key, "count": len(marked)})
    return len(marked)
