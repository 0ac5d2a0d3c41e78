"""Absence as periods after an accident or a violence/threat episode (issue 17): what the leader
registers and what is refused, the sums, EASY and the insurer following from the periods, and the
reminder when someone is still absent at five weeks. Dates at the edges: weekends, month ends and
daylight-saving changes."""

from datetime import date, datetime, timedelta

from hr.auth.services import load_principal
from hr.db import now
from hr.forms import local_today
from hr.settings import TIMEZONE
from hr.workenv import absence, reminders
from hr.workenv.deadlines import absence_days, deadlines
from hr.workenv.services import load_rules
from hr.workenv.tables import Incident, IncidentAbsence, ReportingRule
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form
from tests.workenv.test_followup import filed


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


async def _filed_days_ago(client, world, days: int, **overrides) -> int:
    when = (now() - timedelta(days=days)).astimezone(TIMEZONE).replace(hour=10, minute=0)
    return await filed(client, world, occurred_date=when.date().isoformat(), occurred_time="10:00", **overrides)


async def _row(incident_id: int) -> dict:
    return await Incident.select().where(Incident.id == incident_id).first().run()


async def test_violence_with_absence_gets_the_duties_of_an_accident(client, new_client, world):
    incident_id = await _filed_days_ago(client, world, 10)
    leader = new_client()
    await login(leader, World.LEADER)
    base = f"/arbejdsmiljoe/haendelser/{incident_id}"
    assert "Anmeldelse i EASY" not in (await leader.get(base)).text  # no absence, no EASY duty
    first = local_today() - timedelta(days=9)
    added = await post_form(leader, f"{base}/fravaer", {"starts_on": first.isoformat(), "still_absent": "1"},
                            token_from=base)
    page = await confirmed(leader, added, "Fraværsperioden er registreret, og fristerne er regnet om.")
    assert "Anmeldelse i EASY (Arbejdstilsynet)" in page and f"{_day(first + timedelta(days=14))} 23:59" in page
    assert "Stadig væk" in page
    row = await _row(incident_id)
    assert row["absent_since"] == first and row["first_absence_date"] == first and row["absence_days"] == 0
    assert "I alt 10 dage, og medarbejderen er stadig fraværende" in page
    assert "Anmeldelse i EASY" in (await leader.get("/arbejdsmiljoe/opfoelgning")).text

    reported = await post_form(leader, f"{base}/eksternt", {"easy_reference": "EASY-2026-991"})
    await confirmed(leader, reported, "Anmeldelsen i EASY er registreret")
    reviewed = await post_form(leader, f"{base}/gennemgang", {"causes": "Uro", "learning_point": "To på vagt"})
    assert reviewed.status_code == 302
    supported = await post_form(leader, f"{base}/stoette", {"step": "defusing", "outcome": "offered",
                                                            "support_at_date": local_today().isoformat(),
                                                            "support_at_time": "00:00"})
    assert supported.status_code == 302
    declined = await post_form(leader, f"{base}/stoette", {"step": "debriefing", "outcome": "declined"})
    assert declined.status_code == 302
    still_away = await post_form(leader, f"{base}/afslut", token_from=base)
    assert still_away.status_code == 400 and "Medarbejderen er stadig fraværende" in still_away.text
    assert (await _row(incident_id))["status"] == "reviewed"
    assert (await _row(incident_id))["easy_reported_by"] == world.accounts["leader"]

    period = (await absence.periods_of(incident_id))[0]["id"]
    ended = await post_form(leader, f"{base}/fravaer/{period}/afslut", {"absence_end": (first + timedelta(days=1))
                                                                            .isoformat()})
    await confirmed(leader, ended, "Fraværet er afsluttet, og fristerne er regnet om.")
    row = await _row(incident_id)
    assert row["absent_since"] is None and row["absence_days"] == 2

    deleted = await post_form(leader, f"{base}/fravaer/{period}/slet")
    page = await confirmed(leader, deleted, "Fraværsperioden er slettet, og fristerne er regnet om.")
    row = await _row(incident_id)
    assert row["absence_days"] is None and row["first_absence_date"] is None and "Intet fravær registreret" in page


async def test_bad_periods_are_refused_at_the_field_and_nothing_is_written(client, new_client, world):
    incident_id = await _filed_days_ago(client, world, 5, kind="accident", injury_type="sprain", body_part="hand",
                                        expected_absence="none")
    leader = new_client()
    await login(leader, World.LEADER)
    base = f"/arbejdsmiljoe/haendelser/{incident_id}"
    occurred = local_today() - timedelta(days=5)
    cases = [
        ({"starts_on": occurred.isoformat(), "still_absent": "1"}, "Fraværet regnes fra dagen efter hændelsen"),
        ({"starts_on": (local_today() + timedelta(days=1)).isoformat(), "still_absent": "1"},
         "Første fraværsdag ligger i fremtiden"),
        ({"starts_on": (occurred + timedelta(days=1)).isoformat()}, "Skriv sidste fraværsdag, eller markér"),
        ({"starts_on": (occurred + timedelta(days=1)).isoformat(), "ends_on": occurred.isoformat()},
         "Sidste fraværsdag ligger før første fraværsdag"),
        ({"starts_on": (occurred + timedelta(days=1)).isoformat(), "ends_on": (occurred + timedelta(days=2))
          .isoformat(), "still_absent": "1"}, "Skriv enten sidste fraværsdag eller"),
        ({"starts_on": "31-02-2026", "still_absent": "1"}, "Skriv en gyldig dato"),
        ({}, "Skriv første fraværsdag"),
    ]
    for data, message in cases:
        response = await post_form(leader, f"{base}/fravaer", data, token_from=base)
        assert response.status_code == 400 and message in response.text, (data, response.status_code)
        assert 'class="alert alert-error app-error-summary"' in response.text
    assert await IncidentAbsence.count().run() == 0 and (await _row(incident_id))["absence_days"] is None

    first = occurred + timedelta(days=1)
    ok = await post_form(leader, f"{base}/fravaer", {"starts_on": first.isoformat(),
                                                     "ends_on": (first + timedelta(days=2)).isoformat()})
    assert ok.status_code == 302
    overlap = await post_form(leader, f"{base}/fravaer", {"starts_on": (first + timedelta(days=2)).isoformat(),
                                                          "still_absent": "1"}, token_from=base)
    assert overlap.status_code == 400 and "overlapper en fraværsperiode" in overlap.text
    again = await post_form(leader, f"{base}/fravaer", {"starts_on": (first + timedelta(days=3)).isoformat(),
                                                        "still_absent": "1"})
    assert again.status_code == 302
    second_open = await post_form(leader, f"{base}/fravaer", {"starts_on": local_today().isoformat(),
                                                              "still_absent": "1"}, token_from=base)
    assert second_open.status_code == 400 and "overlapper" in second_open.text
    periods = await absence.periods_of(incident_id)
    closed = periods[0]["id"]
    refused = await post_form(leader, f"{base}/fravaer/{closed}/afslut", {"absence_end": first.isoformat()},
                              token_from=base)
    assert refused.status_code == 400 and "Perioden er allerede afsluttet" in refused.text
    before = await post_form(leader, f"{base}/fravaer/{periods[1]['id']}/afslut",
                             {"absence_end": first.isoformat()},
                             token_from=base)
    assert before.status_code == 400 and "Sidste fraværsdag ligger før første fraværsdag" in before.text
    row = await _row(incident_id)
    assert row["absent_since"] == first + timedelta(days=3) and row["absence_days"] == 3
    so_far = 3 + (local_today() - first).days - 2
    assert f"I alt {so_far} dage, og medarbejderen er stadig fraværende" in (await leader.get(base)).text


async def test_a_near_miss_has_no_absence(client, new_client, world):
    incident_id = await _filed_days_ago(client, world, 3, kind="near_miss")
    leader = new_client()
    await login(leader, World.LEADER)
    base = f"/arbejdsmiljoe/haendelser/{incident_id}"
    response = await post_form(leader, f"{base}/fravaer", {"starts_on": local_today().isoformat(),
                                                           "still_absent": "1"}, token_from=base)
    assert response.status_code == 400 and "Fravær registreres ved arbejdsulykker" in response.text
    assert await IncidentAbsence.count().run() == 0


def _episode(kind="violence", occurred=datetime(2026, 3, 2, 10, 0, tzinfo=TIMEZONE), **values) -> dict:
    return {"kind": kind, "status": "submitted", "occurred_at": occurred, "submitted_at": occurred,
            "absence_days": None, "first_absence_date": None, "absent_since": None, "expected_absence": "",
            **values}


async def test_easy_counts_weekends_and_does_not_move_off_a_saturday():
    rules = await load_rules()
    # Injured Friday 30 January, absent from Saturday 31 January (a month end): weekend days count,
    # and the deadline falls on a Saturday, where it stays.
    episode = _episode(occurred=datetime(2026, 1, 30, 21, 0, tzinfo=TIMEZONE), absence_days=1,
                       first_absence_date=date(2026, 1, 31))
    easy = {d.kind: d for d in deadlines(episode, rules)}["accident_easy"]
    assert easy.due == datetime(2026, 2, 14, 23, 59, 59, tzinfo=TIMEZONE) and easy.due.weekday() == 5
    assert "accident_easy" not in [d.kind for d in deadlines(_episode(absence_days=0), rules)]
    assert "accident_easy" not in [d.kind for d in deadlines(_episode(), rules)]  # violence: nothing expected


async def test_still_absent_counts_to_today_and_meets_the_insurer_at_five_weeks_across_summer_time():
    rules = await load_rules()
    first = date(2026, 3, 3)  # the clocks go forward on 29 March, between the first day and the fifth week
    episode = _episode(absence_days=0, first_absence_date=first, absent_since=first)
    day_34 = first + timedelta(days=33)
    assert "accident_insurer" not in [d.kind for d in deadlines(episode, rules, day_34)]
    found = {d.kind: d for d in deadlines(episode, rules, day_34 + timedelta(days=1))}
    assert found["accident_insurer"].due == datetime(2026, 4, 7, 23, 59, 59, tzinfo=TIMEZONE)
    assert found["accident_insurer"].due.utcoffset() == timedelta(hours=2)
    assert found["accident_easy"].due == datetime(2026, 3, 17, 23, 59, 59, tzinfo=TIMEZONE)
    # Back after four weeks: no insurer duty, whatever day it is.
    back = _episode(absence_days=28, first_absence_date=first)
    assert "accident_insurer" not in [d.kind for d in deadlines(back, rules, date(2026, 12, 1))]


async def test_a_gap_between_periods_is_not_absence():
    rules = await load_rules()
    # Away 3-5 March, back at work for ten days, away again from 16 March: 3 + the running days.
    episode = _episode(absence_days=3, first_absence_date=date(2026, 3, 3), absent_since=date(2026, 3, 16))
    assert absence_days(episode, date(2026, 3, 20)) == 3 + 5
    # 35 days in all on 16 April (3 + 32), not on 6 April as counting from the first day would say.
    assert "accident_insurer" not in [d.kind for d in deadlines(episode, rules, date(2026, 4, 15))]
    insurer = {d.kind: d for d in deadlines(episode, rules, date(2026, 4, 16))}["accident_insurer"]
    assert insurer.due == datetime(2026, 4, 17, 23, 59, 59, tzinfo=TIMEZONE)
    assert absence_days(episode) == 3  # without a day to count to, the ended periods only
    assert absence.summarise([absence.AbsencePeriod(date(2026, 3, 3), date(2026, 3, 5)),
                              absence.AbsencePeriod(date(2026, 3, 16), None)]) == absence.AbsenceSummary(
        3, date(2026, 3, 3), date(2026, 3, 16))


async def test_a_three_day_threshold_waits_for_the_third_day_of_someone_still_absent():
    await ReportingRule.update({ReportingRule.active: True}).where(
        (ReportingRule.kind == "accident_easy") & (ReportingRule.valid_from == date(2026, 7, 1))).run()
    rules = await load_rules()
    episode = _episode(kind="accident", occurred=datetime(2026, 10, 23, 14, 0, tzinfo=TIMEZONE), absence_days=0,
                       first_absence_date=date(2026, 10, 24), absent_since=date(2026, 10, 24))
    # Summer time ends on Sunday 25 October: the third day of absence is Monday 26 October.
    assert "accident_easy" not in [d.kind for d in deadlines(episode, rules, date(2026, 10, 25))]
    easy = {d.kind: d for d in deadlines(episode, rules, date(2026, 10, 26))}["accident_easy"]
    assert easy.due == datetime(2026, 11, 7, 23, 59, 59, tzinfo=TIMEZONE)
    assert easy.due.utcoffset() == timedelta(hours=1)


async def test_the_leader_is_reminded_when_someone_is_still_absent_at_five_weeks(world):
    leader = await load_principal(world.accounts["leader"])
    moment = now()
    today = local_today()
    ids = []
    for weeks_absent in (33, 34):  # days of absence so far, not counting today: 34 and 35 with it
        occurred = moment - timedelta(days=weeks_absent + 2)
        rows = await Incident.insert(Incident(
            kind="violence", status="reviewed", occurred_at=occurred, submitted_at=occurred, reviewed_at=occurred,
            defusing_offered_at=occurred, unit=world.unit_a1, institution=world.inst_a, description="x",
            severity=3, easy_reference="EASY-1", easy_reported_at=occurred)).returning(Incident.id).run()
        ids.append(rows[0]["id"])
        await absence.add_period(leader, ids[-1], {"starts_on": (today - timedelta(days=weeks_absent)).isoformat(),
                                                   "still_absent": "1"})
    sent = {r.subject: r for r in await reminders.due(moment) if r.kind.startswith("workenv.accident_insurer")}
    assert f"incident:{ids[0]}" not in sent
    reminder = sent[f"incident:{ids[1]}"]
    assert reminder.account_id == world.accounts["leader"] and reminder.kind == "workenv.accident_insurer.soon"
    assert "arbejdsskadeforsikring" in reminder.title
