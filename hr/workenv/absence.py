"""Absence after an incident, as periods: from, to (inclusive) or still absent.

An accident, and a violence or threat episode (BEK 799/2022, also outside working hours), that
keeps someone away at least the rule's threshold beyond the day of injury must be reported in
EASY within 14 days of the first day of absence; still absent at five weeks, it must be reported
to the insurer. The periods are the source; the incident keeps the ended periods' days, the
first day and the first day of the period still running, so the deadlines, the statistics and
the retention rules read one row and count a running period to whatever day they ask about
(hr.workenv.deadlines.absence_days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hr import audit
from hr.auth.principal import Principal
from hr.db import now, transaction
from hr.forms import ValidationError, add_days, local_today, parse_date
from hr.settings import TIMEZONE
from hr.workenv.deadlines import ABSENCE_KINDS
from hr.workenv.followup import incident_for_followup
from hr.workenv.tables import Incident, IncidentAbsence

# A sick note may run ahead; further than this is a typing error.
LONGEST_AHEAD = timedelta(days=366)


@dataclass(frozen=True)
class AbsencePeriod:
    starts_on: date
    ends_on: date | None  # None: still absent


@dataclass(frozen=True)
class AbsenceSummary:
    ended_days: int | None  # None: no period at all
    first_day: date | None
    absent_since: date | None  # the running period's first day


def days_in(period: AbsencePeriod, today: date) -> int:
    """Calendar days (weekends count), the last one included; a running period up to today."""
    last = period.ends_on if period.ends_on is not None else today
    return max(0, (last - period.starts_on).days + 1)


def summarise(periods: list[AbsencePeriod]) -> AbsenceSummary:
    if not periods:
        return AbsenceSummary(None, None, None)
    ended = sum(days_in(p, p.ends_on) for p in periods if p.ends_on is not None)
    running = next((p.starts_on for p in periods if p.ends_on is None), None)
    return AbsenceSummary(ended, min(p.starts_on for p in periods), running)


def parse_period(form, occurred_on: date) -> AbsencePeriod:
    """A period as typed: from (the day after the incident at the earliest, not in the future),
    and to, or "still absent"."""
    errors: dict[str, str] = {}
    today = local_today()
    starts = parse_date(form.get("starts_on"), errors, "starts_on", required="Skriv første fraværsdag")
    ongoing = str(form.get("still_absent", "")) == "1"
    ends = parse_date(form.get("ends_on"), errors, "ends_on")
    if starts is not None:
        if starts <= occurred_on:
            earliest = add_days(occurred_on, 1)
            errors["starts_on"] = (f"Fraværet regnes fra dagen efter hændelsen, tidligst {earliest:%d.%m.%Y}"
                                   " (tilskadekomstdagen tæller ikke med)")
        elif starts > today:
            errors["starts_on"] = "Første fraværsdag ligger i fremtiden"
    if ongoing and ends is not None:
        errors["ends_on"] = "Skriv enten sidste fraværsdag eller at medarbejderen stadig er fraværende"
    elif not ongoing and ends is None and "ends_on" not in errors:
        errors["ends_on"] = "Skriv sidste fraværsdag, eller markér at medarbejderen stadig er fraværende"
    elif ends is not None and starts is not None and ends < starts:
        errors["ends_on"] = "Sidste fraværsdag ligger før første fraværsdag"
    elif ends is not None and ends > today + LONGEST_AHEAD:
        errors["ends_on"] = "Sidste fraværsdag ligger mere end et år ude i fremtiden"
    if errors:
        raise ValidationError(errors)
    return AbsencePeriod(starts, None if ongoing else ends)


def parse_end(form, period: AbsencePeriod) -> date:
    errors: dict[str, str] = {}
    ends = parse_date(form.get("absence_end"), errors, "absence_end", required="Skriv sidste fraværsdag")
    if ends is not None and ends < period.starts_on:
        errors["absence_end"] = "Sidste fraværsdag ligger før første fraværsdag"
    elif ends is not None and ends > local_today() + LONGEST_AHEAD:
        errors["absence_end"] = "Sidste fraværsdag ligger mere end et år ude i fremtiden"
    if errors:
        raise ValidationError(errors)
    return ends


def _overlaps(a: AbsencePeriod, b: AbsencePeriod) -> bool:
    a_end = a.ends_on or date.max
    b_end = b.ends_on or date.max
    return a.starts_on <= b_end and b.starts_on <= a_end


async def periods_of(incident_id: int, today: date | None = None) -> list[dict]:
    """The periods, oldest first; given `today`, each with its days up to then."""
    rows = await IncidentAbsence.select(IncidentAbsence.id, IncidentAbsence.starts_on, IncidentAbsence.ends_on).where(
        IncidentAbsence.incident == incident_id).order_by(IncidentAbsence.starts_on).run()
    if today is not None:
        for row in rows:
            row["days"] = days_in(_period(row), today)
    return rows


def _period(row: dict) -> AbsencePeriod:
    return AbsencePeriod(row["starts_on"], row["ends_on"])


async def _incident(principal: Principal, incident_id: int) -> dict:
    incident = await incident_for_followup(principal, incident_id)
    if incident["kind"] not in ABSENCE_KINDS:
        raise ValidationError({"starts_on": "Fravær registreres ved arbejdsulykker og vold eller trusler"})
    return incident


async def _store(principal: Principal, incident_id: int, action: str, detail: dict) -> None:
    """Writes the incident's summary of its periods; inside the caller's transaction."""
    summary = summarise([_period(r) for r in await periods_of(incident_id)])
    await Incident.update({Incident.absence_days: summary.ended_days, Incident.first_absence_date: summary.first_day,
                           Incident.absent_since: summary.absent_since, Incident.updated_at: now()}).where(
        Incident.id == incident_id).run()
    await audit.record(principal, action, "incident_absence", incident_id, detail)


def _occurred_on(incident: dict) -> date:
    return incident["occurred_at"].astimezone(TIMEZONE).date()


async def add_period(principal: Principal, incident_id: int, form) -> None:
    incident = await _incident(principal, incident_id)
    period = parse_period(form, _occurred_on(incident))
    async with transaction():
        existing = [_period(r) for r in await periods_of(incident_id)]
        if any(_overlaps(period, other) for other in existing):
            raise ValidationError({"starts_on": "Perioden overlapper en fraværsperiode, der allerede er registreret"})
        if any(other.ends_on is None for other in existing) and period.ends_on is None:
            raise ValidationError({"still_absent": "Der er allerede en åben fraværsperiode: afslut den først"})
        await IncidentAbsence.insert(IncidentAbsence(incident=incident_id, starts_on=period.starts_on,
                                                     ends_on=period.ends_on, recorded_by=principal.account_id)).run()
        await _store(principal, incident_id, "create", {"still_absent": period.ends_on is None})


async def _own_period(incident_id: int, period_id: int) -> dict:
    row = await IncidentAbsence.select(IncidentAbsence.id, IncidentAbsence.starts_on, IncidentAbsence.ends_on).where(
        (IncidentAbsence.id == period_id) & (IncidentAbsence.incident == incident_id)).first().run()
    if row is None:
        raise ValidationError({"absence": "Fraværsperioden findes ikke (længere)"})
    return row


async def end_period(principal: Principal, incident_id: int, period_id: int, form) -> None:
    """The day an open period ended (the employee is back)."""
    await _incident(principal, incident_id)
    async with transaction():
        row = await _own_period(incident_id, period_id)
        if row["ends_on"] is not None:
            raise ValidationError({"absence": "Perioden er allerede afsluttet"})
        ends = parse_end(form, _period(row))
        later = [_period(r) for r in await periods_of(incident_id) if r["id"] != period_id]
        if any(_overlaps(AbsencePeriod(row["starts_on"], ends), other) for other in later):
            raise ValidationError({"absence_end": "Perioden vil overlappe en anden fraværsperiode"})
        await IncidentAbsence.update({IncidentAbsence.ends_on: ends}).where(IncidentAbsence.id == period_id).run()
        await _store(principal, incident_id, "update", {"still_absent": False})


async def delete_period(principal: Principal, incident_id: int, period_id: int) -> None:
    """A period registered by mistake."""
    await _incident(principal, incident_id)
    async with transaction():
        await _own_period(incident_id, period_id)
        await IncidentAbsence.delete().where(IncidentAbsence.id == period_id).run()
        await _store(principal, incident_id, "delete", {})
