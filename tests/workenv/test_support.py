"""Defusing and debriefing as two steps after violence or threats (issue 17): each offered,
declined or held and by whom; defusing due at once (24 hours), debriefing in its window from 24
hours to 3 days (dated rules), each with its own deadline, reminder and closing condition."""

from datetime import datetime, timedelta, timezone

from hr.db import now
from hr.settings import TIMEZONE
from hr.workenv import reminders
from hr.workenv.deadlines import deadlines
from hr.workenv.services import load_rules
from hr.workenv.tables import Incident
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form
from tests.workenv.test_followup import filed


async def _row(incident_id: int) -> dict:
    return await Incident.select().where(Incident.id == incident_id).first().run()


def _episode(occurred: datetime, **values) -> dict:
    return {"kind": "violence", "status": "submitted", "occurred_at": occurred, "submitted_at": occurred,
            "defusing_offered_at": None, "debriefing_held_at": None, "debriefing_declined_at": None, **values}


async def test_each_step_is_offered_declined_or_held_and_closing_waits_for_both(client, new_client, world):
    incident_id = await filed(client, world)
    leader = new_client()
    await login(leader, World.LEADER)
    base = f"/arbejdsmiljoe/haendelser/{incident_id}"
    await post_form(leader, f"{base}/gennemgang", {"causes": "Uro", "learning_point": "Struktur"}, token_from=base)
    # Offering debriefing is not defusing.
    offered = await post_form(leader, f"{base}/stoette", {"step": "debriefing", "outcome": "offered"})
    await confirmed(leader, offered, "Debriefing: tilbudt er registreret.")
    refused = await post_form(leader, f"{base}/afslut", token_from=base)
    assert refused.status_code == 400 and "Registrér at defusing er tilbudt" in refused.text
    held = await post_form(leader, f"{base}/stoette", {"step": "defusing", "outcome": "held",
                                                       "support_by": "Kollega på vagten"})
    page = await confirmed(leader, held, "Defusing: holdt er registreret.")
    assert "af Kollega på vagten" in page
    row = await _row(incident_id)
    assert row["defusing_offered_at"] == row["defusing_held_at"] and row["defusing_by"] == "Kollega på vagten"
    refused = await post_form(leader, f"{base}/afslut", token_from=base)
    assert refused.status_code == 400 and "Registrér at debriefing er holdt eller afslået" in refused.text
    declined = await post_form(leader, f"{base}/stoette", {"step": "debriefing", "outcome": "declined"})
    await confirmed(leader, declined, "Debriefing: afslået er registreret.")
    closed = await post_form(leader, f"{base}/afslut")
    await confirmed(leader, closed, "Hændelsen er afsluttet.")
    assert (await _row(incident_id))["status"] == "closed"


async def test_bad_steps_are_refused_at_the_field_and_nothing_is_written(client, new_client, world):
    incident_id = await filed(client, world)
    leader = new_client()
    await login(leader, World.LEADER)
    base = f"/arbejdsmiljoe/haendelser/{incident_id}"
    future = (now() + timedelta(days=1)).astimezone(TIMEZONE).date().isoformat()
    cases = [
        ({}, "Vælg defusing eller debriefing"),
        ({"step": "defusing"}, "Vælg om den er tilbudt, afslået eller holdt"),
        ({"step": "debriefing", "outcome": "held"}, "Skriv hvem der holdt den"),
        ({"step": "debriefing", "outcome": "held", "support_by": "Psykolog 010190-1234"}, "CPR"),
        ({"step": "defusing", "outcome": "offered", "support_at_date": future, "support_at_time": "10:00"},
         "Tidspunktet ligger i fremtiden"),
        ({"step": "defusing", "outcome": "offered", "support_at_date": "2020-01-01", "support_at_time": "10:00"},
         "Tidspunktet ligger før hændelsen"),
        ({"step": "mindfulness", "outcome": "held", "support_by": "x"}, "Vælg defusing eller debriefing"),
    ]
    before = await _row(incident_id)
    for data, message in cases:
        response = await post_form(leader, f"{base}/stoette", data, token_from=base)
        assert response.status_code == 400 and message in response.text, (data, response.text[:200])
        assert 'class="alert alert-error app-error-summary"' in response.text
    assert await _row(incident_id) == before
    held = await post_form(leader, f"{base}/stoette", {"step": "debriefing", "outcome": "held", "support_by": "AB"})
    assert held.status_code == 302
    declined = await post_form(leader, f"{base}/stoette", {"step": "debriefing", "outcome": "declined"},
                               token_from=base)
    assert declined.status_code == 400 and "Debriefing er allerede registreret som holdt" in declined.text
    assert (await _row(incident_id))["debriefing_declined_at"] is None


async def test_a_debriefing_held_too_early_is_recorded_with_a_note(client, new_client, world):
    incident_id = await filed(client, world)  # a moment ago: the window opens in 24 hours
    leader = new_client()
    await login(leader, World.LEADER)
    base = f"/arbejdsmiljoe/haendelser/{incident_id}"
    held = await post_form(leader, f"{base}/stoette", {"step": "debriefing", "outcome": "held",
                                                       "support_by": "Psykolog"}, token_from=base)
    page = await confirmed(leader, held, "Debriefing: holdt er registreret. Bemærk: den blev holdt uden for "
                                         "vinduet på 24 timer til 3 dage efter episoden.")
    assert "Debriefing holdt eller afslået" in page


async def test_the_debriefing_window_counts_elapsed_hours_across_the_autumn_change_and_a_month_end():
    rules = await load_rules()
    # Saturday 24 October 2026 22:00; the clocks go back on Sunday: 72 elapsed hours end on
    # Tuesday at 21:00 local time, and the window opens on Sunday at 21:00.
    occurred = datetime(2026, 10, 24, 22, 0, tzinfo=TIMEZONE)
    found = {d.kind: d for d in deadlines(_episode(occurred), rules)}
    debriefing = found["violence_debriefing"]
    assert debriefing.due.astimezone(TIMEZONE).replace(tzinfo=None) == datetime(2026, 10, 27, 21, 0)
    assert debriefing.opens.astimezone(TIMEZONE).replace(tzinfo=None) == datetime(2026, 10, 25, 21, 0)
    assert (debriefing.due - occurred).total_seconds() == 72 * 3600
    assert found["violence_defusing"].due.astimezone(timezone.utc) == occurred.astimezone(timezone.utc) + timedelta(
        hours=24)
    # Friday 30 January at noon: the window runs over the weekend into February.
    late_january = {d.kind: d for d in deadlines(_episode(datetime(2026, 1, 30, 12, 0, tzinfo=TIMEZONE)), rules)}
    assert late_january["violence_debriefing"].due == datetime(2026, 2, 2, 12, 0, tzinfo=TIMEZONE)
    # Held or declined meets it; offered alone does not, and defusing offered does not either.
    held = _episode(occurred, debriefing_held_at=occurred + timedelta(hours=30))
    assert {d.kind: d for d in deadlines(held, rules)}["violence_debriefing"].done_at is not None
    offered = _episode(occurred, debriefing_offered_at=occurred, defusing_offered_at=occurred)
    assert {d.kind: d for d in deadlines(offered, rules)}["violence_debriefing"].done_at is None


async def test_each_step_has_its_own_reminder(world):
    moment = now()
    occurred = moment - timedelta(hours=30)
    rows = await Incident.insert(Incident(
        kind="violence", status="reviewed", occurred_at=occurred, submitted_at=occurred, reviewed_at=occurred,
        defusing_offered_at=occurred + timedelta(hours=1), unit=world.unit_a1, institution=world.inst_a,
        description="x", severity=2)).returning(Incident.id).run()
    subject = f"incident:{rows[0]['id']}"
    found = {r.kind: r for r in await reminders.due(moment) if r.subject == subject}
    assert set(found) == {"workenv.violence_debriefing.soon"}
    assert found["workenv.violence_debriefing.soon"].account_id == world.accounts["leader"]
    assert "Debriefing holdt eller afslået" in found["workenv.violence_debriefing.soon"].title
    await Incident.update({Incident.debriefing_declined_at: moment}).where(Incident.id == rows[0]["id"]).run()
    assert not [r for r in await reminders.due(moment) if r.subject == subject]
