"""External and internal deadlines of an incident, computed from the dated rule table.

Pure functions over plain dicts, so the pages, the API and the scheduler share them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from hr.forms import add_days
from hr.settings import TIMEZONE

LABELS = {
    "followup_review": "Lederens gennemgang",
    "violence_defusing": "Tilbud om defusing",
    "violence_debriefing": "Debriefing holdt eller afslået",
    "accident_easy": "Anmeldelse i EASY (Arbejdstilsynet)",
    "accident_insurer": "Anmeldelse til arbejdsskadeforsikring",
    "force_registration": "Lederens registrering af magtanvendelsen",
    "force_preapproved": "Samlet registrering af forhåndsgodkendt indgreb (anslået antal)",
    "force_parents": "Forældremyndighedens indehaver orienteret",
    "force_municipality": "Magtanvendelse videresendt til kommunen",
    "force_supervisory": "Magtanvendelse videresendt til socialtilsynet",
}


@dataclass(frozen=True)
class Deadline:
    kind: str
    due: datetime
    done_at: datetime | date | None
    opens: datetime | None = None  # a window's start: not to be done before

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    def status(self, now: datetime) -> str:
        """done | overdue | due_soon (within 48 hours) | open"""
        if self.done_at is not None:
            return "done"
        if now > self.due:
            return "overdue"
        if self.due - now <= timedelta(hours=48):
            return "due_soon"
        return "open"


def rule_in_force(rules: list[dict], kind: str, on: date) -> dict | None:
    """The active rule of that kind with the latest valid_from on or before the day."""
    candidates = [r for r in rules if r["kind"] == kind and r["active"] and r["valid_from"] <= on]
    return max(candidates, key=lambda r: r["valid_from"], default=None)


def end_of_day(day: date) -> datetime:
    """On time if registered by 23:59 on the deadline day (Danish time)."""
    return datetime.combine(min(day, LAST_DAY), time(23, 59, 59), TIMEZONE)


# Far enough for any deadline, near enough that converting to UTC cannot overflow.
LAST_DAY = date(9998, 12, 31)


def add_working_days(day: date, days: int) -> date:
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def last_of_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _shift(rule: dict, start: datetime) -> datetime:
    if rule.get("from_month_end"):
        # A monthly report: the days count from the last day of the episode's (Danish) month.
        return end_of_day(add_days(last_of_month(start.astimezone(TIMEZONE).date()), rule["deadline_days"]))
    if rule["deadline_hours"]:
        # Elapsed hours, in UTC: across a daylight-saving change 24 hours stay 24 hours.
        return start.astimezone(timezone.utc) + timedelta(hours=rule["deadline_hours"])
    local = start.astimezone(TIMEZONE).date()
    if rule["working_days"]:
        return end_of_day(add_working_days(local, rule["deadline_days"]))
    return end_of_day(add_days(local, rule["deadline_days"]))


PREAPPROVED = "forhaand"  # the adults' category of pre-approved measures (hr.workenv.choices)

# The kinds whose absence makes a work accident with external reports (EASY, the insurer).
ABSENCE_KINDS = ("accident", "violence")


def absence_days(incident: dict, today: date | None = None) -> int | None:
    """Days of absence beyond the day of injury (weekends count): the ended periods' days plus,
    while someone is still absent, the running period's days up to `today`. None: no absence
    recorded. The one count the page, the deadlines, the reminders and the exports use."""
    days = incident.get("absence_days")
    since = incident.get("absent_since")
    if since is not None and today is not None:
        days = (days or 0) + max(0, (today - since).days + 1)
    return days


def _day_absence_reached(incident: dict, days: int, day_after: date) -> date:
    """The day the count of absence reached `days`: in the running period when the ended ones
    fall short; otherwise counted from the first day (a gap between ended periods makes that
    day early, never late)."""
    ended = incident.get("absence_days") or 0
    since = incident.get("absent_since")
    if since is not None and ended < days:
        return add_days(since, days - ended - 1)
    return add_days(incident.get("first_absence_date") or day_after, days - 1)


def easy_required(incident: dict, rule: dict | None, today: date | None = None) -> bool:
    """An accident, or violence or threats, with absence of at least the threshold (BEK 799/2022:
    violence that causes absence is a work accident, also outside working hours)."""
    if incident["kind"] not in ABSENCE_KINDS or rule is None:
        return False
    days = absence_days(incident, today)
    if days is not None:
        return days >= rule["threshold_days"]
    if incident["kind"] == "violence":
        return False
    # Before the absence is known, the expected absence decides.
    return EXPECTED_ABSENCE_MIN_DAYS.get(incident.get("expected_absence") or "", 0) >= rule["threshold_days"]


# Lower bound of days of absence for each expected-absence choice on the form.
EXPECTED_ABSENCE_MIN_DAYS = {"none": 0, "under_1": 0, "1_2": 1, "3_35": 3, "over_35": 36, "unknown": 0}


def deadlines(incident: dict, rules: list[dict], today: date | None = None) -> list[Deadline]:
    """`today` (Danish date) counts the days of someone still absent; without it, the recorded sum."""
    if incident["status"] == "draft" or not incident.get("occurred_at"):
        return []
    occurred: datetime = incident["occurred_at"]
    on = occurred.astimezone(TIMEZONE).date()
    submitted: datetime = incident.get("submitted_at") or occurred
    out: list[Deadline] = []

    review = rule_in_force(rules, "followup_review", on)
    if review:
        out.append(Deadline("followup_review", _shift(review, submitted), incident.get("reviewed_at")))

    kind = incident["kind"]
    if kind == "violence":
        # Defusing at once: offering it meets the duty (declined or held, it was offered).
        rule = rule_in_force(rules, "violence_defusing", on)
        if rule:
            out.append(Deadline("violence_defusing", _shift(rule, occurred), incident.get("defusing_offered_at")))
        # Debriefing in its window (24 hours to 3 days): met when held, or declined when offered.
        rule = rule_in_force(rules, "violence_debriefing", on)
        if rule:
            done = incident.get("debriefing_held_at") or incident.get("debriefing_declined_at")
            opens = occurred.astimezone(timezone.utc) + timedelta(hours=rule["opens_after_hours"])
            out.append(Deadline("violence_debriefing", _shift(rule, occurred), done, opens))

    if kind in ABSENCE_KINDS:
        rule = rule_in_force(rules, "accident_easy", on)
        if easy_required(incident, rule, today):
            first = incident.get("first_absence_date") or add_days(on, 1)
            out.append(Deadline("accident_easy", end_of_day(add_days(first, rule["deadline_days"])),
                                incident.get("easy_reported_at")))
        # Still absent at five weeks (the rule's threshold): report to the insurer.
        insurer = rule_in_force(rules, "accident_insurer", on)
        days = absence_days(incident, today)
        if insurer and days is not None and days >= insurer["threshold_days"]:
            reached = _day_absence_reached(incident, insurer["threshold_days"], add_days(on, 1))
            due = end_of_day(add_days(reached, 1 + insurer["deadline_days"]))
            out.append(Deadline("accident_insurer", due, incident.get("insurer_reported_at")))

    if kind == "use_of_force":
        group = "child" if incident.get("legal_framework") == "child" else "adult"
        # Children (voksenansvarsloven): the leader registers and the parents are told, each
        # within its rule; the supervisory authority gets the month's episodes in one report.
        steps = [("registration", "form_registered_on"), ("parents", "parents_informed_at")] if group == "child" else []
        start = occurred
        if group == "adult" and incident.get("force_category") == PREAPPROVED:
            # One combined registration, due when the approval expires; it is forwarded like an
            # episode, counted from the day it was made.
            rule = rule_in_force(rules, "force_adult_preapproved", on)
            expires = incident.get("approval_expires_on")
            registered = incident.get("form_registered_on") if incident.get("estimated_count") is not None else None
            if rule and expires:
                out.append(Deadline("force_preapproved", end_of_day(add_days(expires, rule["deadline_days"])),
                                    registered))
            if registered is None:
                return sorted(out, key=lambda d: d.due)
            start = datetime.combine(registered, time(12), TIMEZONE)
        for target, done_field in (*steps, ("municipality", "forwarded_municipality_on"),
                                   ("supervisory", "forwarded_supervisory_on")):
            rule = rule_in_force(rules, f"force_{group}_{target}", on)
            if rule:
                out.append(Deadline(f"force_{target}", _shift(rule, start), incident.get(done_field)))
    return sorted(out, key=lambda d: d.due)
