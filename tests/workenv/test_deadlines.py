"""Deadline rules as dated data: thresholds, working days, rule changes by valid-from date."""

from datetime import date, datetime, timezone

from hr.cpr import contains_cpr
from hr.settings import TIMEZONE
from hr.workenv.deadlines import add_working_days, deadlines, rule_in_force
from hr.workenv.services import load_rules
from hr.workenv.tables import ReportingRule


def incident(**values):
    base = {"kind": "accident", "status": "submitted", "occurred_at": datetime(2026, 3, 2, 10, 0, tzinfo=TIMEZONE),
            "submitted_at": datetime(2026, 3, 2, 11, 0, tzinfo=TIMEZONE), "absence_days": None,
            "expected_absence": "none", "first_absence_date": None}
    base.update(values)
    return base


async def test_easy_is_due_fourteen_days_after_the_first_day_of_absence():
    rules = await load_rules()
    found = {d.kind: d for d in deadlines(incident(absence_days=2, first_absence_date=date(2026, 3, 3)), rules)}
    assert found["accident_easy"].due == datetime(2026, 3, 17, 23, 59, 59, tzinfo=TIMEZONE)
    assert "accident_insurer" not in found


async def test_no_easy_duty_without_absence_beyond_the_day_of_injury():
    rules = await load_rules()
    kinds = [d.kind for d in deadlines(incident(absence_days=0), rules)]
    assert "accident_easy" not in kinds


async def test_the_expected_absence_decides_until_absence_is_recorded():
    rules = await load_rules()
    assert "accident_easy" in [d.kind for d in deadlines(incident(expected_absence="3_35"), rules)]


async def test_absence_beyond_five_weeks_adds_the_insurer():
    rules = await load_rules()
    kinds = [d.kind for d in deadlines(incident(absence_days=40, first_absence_date=date(2026, 3, 3)), rules)]
    assert "accident_insurer" in kinds


async def test_a_new_threshold_applies_from_its_valid_from_date():
    """Activating the L 31 row (3 days from 1 July 2026) changes episodes from that day only."""
    await ReportingRule.update({ReportingRule.active: True}).where(
        (ReportingRule.kind == "accident_easy") & (ReportingRule.valid_from == date(2026, 7, 1))).run()
    rules = await load_rules()
    before = incident(absence_days=2)
    after = incident(absence_days=2, occurred_at=datetime(2026, 8, 3, 10, 0, tzinfo=TIMEZONE))
    assert "accident_easy" in [d.kind for d in deadlines(before, rules)]
    assert "accident_easy" not in [d.kind for d in deadlines(after, rules)]
    assert rule_in_force(rules, "accident_easy", date(2026, 8, 3))["threshold_days"] == 3


async def test_use_of_force_deadlines_follow_the_legal_framework():
    rules = await load_rules()
    friday = datetime(2026, 3, 6, 15, 0, tzinfo=TIMEZONE)
    child = {d.kind: d for d in deadlines(incident(kind="use_of_force", legal_framework="child",
                                                   occurred_at=friday), rules)}
    assert child["force_municipality"].due == datetime(2026, 3, 7, 15, 0, tzinfo=TIMEZONE).astimezone(timezone.utc)
    adult = {d.kind: d for d in deadlines(incident(kind="use_of_force", legal_framework="adult",
                                                   occurred_at=friday), rules)}
    # Three working days after a Friday: Wednesday.
    assert adult["force_municipality"].due == datetime(2026, 3, 11, 23, 59, 59, tzinfo=TIMEZONE)


def test_working_days_skip_weekends():
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    assert add_working_days(date(2026, 3, 2), 3) == date(2026, 3, 5)


async def test_deadlines_across_the_daylight_saving_change():
    rules = await load_rules()
    # 28 March 2026 23:30 local; clocks go forward that night, so 24 elapsed hours end at
    # 30 March 00:30 local time, not 29 March 23:30.
    occurred = datetime(2026, 3, 28, 23, 30, tzinfo=TIMEZONE)
    found = {d.kind: d for d in deadlines(incident(kind="violence", occurred_at=occurred, submitted_at=occurred),
                                          rules)}
    due = found["violence_defusing"].due
    assert (due.astimezone(timezone.utc) - occurred.astimezone(timezone.utc)).total_seconds() == 24 * 3600
    assert due.astimezone(TIMEZONE).replace(tzinfo=None) == datetime(2026, 3, 30, 0, 30)


def test_cpr_numbers_are_recognised_and_ordinary_numbers_are_not():
    assert contains_cpr("Borger 010190-1234 slog")
    assert contains_cpr("cpr 0101901234")
    assert contains_cpr("290200 1234")  # a leap day
    assert not contains_cpr("Telefon 12345678")
    assert not contains_cpr("Sag 2026-000123")
    assert not contains_cpr("Kl. 14.30 i stue 3")
    assert not contains_cpr("991399-1234")  # no such date
    assert not contains_cpr("12345678901")  # part of a longer number
