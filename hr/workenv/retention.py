"""Retention: episodes older than the retention period are anonymised, not deleted (public
authorities may not delete records without the national archives' approval). What stays is
what statistics need: kind, dates, unit, severity, absence days, legal category. What goes is
everything that could point to a person: free text, pseudonym, reporter, named staff, form and
EASY references, and the amendments' old and new values. A dry run counts without changing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hr import audit
from hr.auth.principal import Principal
from hr.db import now, transaction
from hr.settings import get_settings
from hr.workenv.tables import Incident, IncidentAmendment, IncidentStaff

CLEARED_TEXT = ("place_detail", "description", "antecedents", "escalation", "immediate_action", "causes",
                "learning_point", "citizen_pseudonym", "form_reference", "easy_reference", "body_part",
                "defusing_by", "debriefing_by")
CLEARED_LINKS = ("reporter", "reviewed_by", "easy_reported_by")
CHUNK = 500


@dataclass
class RetentionResult:
    cutoff: datetime
    dry_run: bool
    incidents: int
    staff_links: int

    def describe(self) -> str:
        verb = "ville blive" if self.dry_run else "er"
        return (f"{self.incidents} hændelser fra før {self.cutoff:%d.%m.%Y} {verb} anonymiseret "
                f"({self.staff_links} navngivne medarbejdere fjernet).")


def cutoff(years: int | None = None, moment: datetime | None = None) -> datetime:
    years = years or get_settings().retention_years
    moment = moment or now()
    return moment - timedelta(days=round(365.25 * years))


async def anonymise(principal: Principal | None, years: int | None = None, dry_run: bool = True,
                    moment: datetime | None = None) -> RetentionResult:
    before = cutoff(years, moment)
    due = Incident.occurred_at.is_not_null() & (Incident.occurred_at < before) & Incident.anonymised_at.is_null() \
        & (Incident.status != "draft")
    ids = [r["id"] for r in await Incident.select(Incident.id).where(due).run()]
    links = 0
    for start in range(0, len(ids), CHUNK):
        links += await IncidentStaff.count().where(IncidentStaff.incident.is_in(ids[start:start + CHUNK])).run()
    result = RetentionResult(cutoff=before, dry_run=dry_run, incidents=len(ids), staff_links=links)
    if dry_run or not ids:
        return result
    async with transaction():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            values = {getattr(Incident, name): "" for name in CLEARED_TEXT}
            values.update({getattr(Incident, name): None for name in CLEARED_LINKS})
            values[Incident.anonymised_at] = now()
            await Incident.update(values).where(Incident.id.is_in(chunk)).run()
            await IncidentStaff.delete().where(IncidentStaff.incident.is_in(chunk)).run()
            await IncidentAmendment.update({IncidentAmendment.old_value: "", IncidentAmendment.new_value: "",
                                            IncidentAmendment.reason: "", IncidentAmendment.account: None}).where(
                IncidentAmendment.incident.is_in(chunk)).run()
        await audit.record(principal, "anonymise", "incidents", "", {"count": len(ids),
                                                                     "before": before.isoformat()})
    return result
