"""The leader follows up: review, defusing/debriefing, absence and external reports, action items, closing."""

from datetime import date, timedelta

from hr.db import now
from hr.forms import local_today
from hr.org.tables import Employee
from hr.settings import TIMEZONE
from hr.workenv.tables import ActionItem, Incident
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form
from tests.workenv.test_reporting import new_draft, report, submit


async def filed(client, world, **overrides) -> int:
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    response = await submit(client, incident_id, report(world, **overrides))
    assert response.status_code == 302, response.text[:3000]
    return incident_id


async def test_the_leader_reviews_offers_defusing_and_closes(client, new_client, world):
    incident_id = await filed(client, world)
    leader = new_client()
    await login(leader, World.LEADER)
    base = f"/arbejdsmiljoe/haendelser/{incident_id}"
    empty = await post_form(leader, f"{base}/gennemgang", {"causes": "", "learning_point": ""}, token_from=base)
    assert empty.status_code == 400 and "Skriv hvad der var årsagerne" in empty.text
    reviewed = await post_form(leader, f"{base}/gennemgang", {"causes": "Forsinket aftensmad",
                                                               "learning_point": "Fast spisetid"})
    await confirmed(leader, reviewed, "Lederens gennemgang er gemt.")
    too_early = await post_form(leader, f"{base}/afslut")
    assert too_early.status_code == 400 and "Registrér at defusing er tilbudt" in too_early.text
    offered = await post_form(leader, f"{base}/stoette", {"step": "defusing", "outcome": "offered"})
    await confirmed(leader, offered, "Defusing: tilbudt er registreret.")
    declined = await post_form(leader, f"{base}/stoette", {"step": "debriefing", "outcome": "declined"})
    await confirmed(leader, declined, "Debriefing: afslået er registreret.")
    closed = await post_form(leader, f"{base}/afslut")
    await confirmed(leader, closed, "Hændelsen er afsluttet.")
    row = await Incident.select().where(Incident.id == incident_id).first().run()
    assert row["status"] == "closed" and row["reviewed_by"] == world.accounts["leader"]
    assert row["defusing_offered_at"] is not None
    page = await leader.get(base)
    assert "Klaret" in page.text and "Overskredet" not in page.text


async def test_support_in_the_future_or_before_the_episode_is_refused(client, new_client, world):
    incident_id = await filed(client, world)
    leader = new_client()
    await login(leader, World.LEADER)
    base = f"/arbejdsmiljoe/haendelser/{incident_id}"
    future = (now() + timedelta(days=2)).astimezone(TIMEZONE)
    response = await post_form(leader, f"{base}/stoette", {"step": "defusing", "outcome": "offered",
                                                            "support_at_date": future.date().isoformat(),
                                                            "support_at_time": "10:00"}, token_from=base)
    assert response.status_code == 400 and "Tidspunktet ligger i fremtiden" in response.text
    before = await post_form(leader, f"{base}/stoette", {"step": "defusing", "outcome": "offered",
                                                          "support_at_date": "2020-01-01", "support_at_time": "10:00"})
    assert "før hændelsen" in before.text
    assert (await Incident.select().where(Incident.id == incident_id).first().run())["defusing_offered_at"] is None


async def test_an_accident_expected_to_keep_someone_away_shows_its_easy_deadline(client, new_client, world):
    occurred = (now() - timedelta(hours=2)).astimezone(TIMEZONE)  # yesterday, in the first two hours of a day
    incident_id = await filed(client, world, kind="accident", injury_type="sprain", body_part="hand",
                              expected_absence="3_35", occurred_date=occurred.date().isoformat(),
                              occurred_time=occurred.strftime("%H:%M"))
    leader = new_client()
    await login(leader, World.LEADER)
    base = f"/arbejdsmiljoe/haendelser/{incident_id}"
    page = await leader.get(base)
    due = occurred.date() + timedelta(days=15)  # from the day after, until absence is recorded
    assert "Anmeldelse i EASY (Arbejdstilsynet)" in page.text and due.strftime("%d.%m.%Y") + " 23:59" in page.text
    assert "Anmeldelse i EASY" in (await leader.get("/arbejdsmiljoe/opfoelgning")).text
    reported = await post_form(leader, f"{base}/eksternt", {"easy_reference": "EASY-123", "insurer_reported": "1"},
                               token_from=base)
    await confirmed(leader, reported, "Anmeldelsen i EASY er registreret")
    row = await Incident.select().where(Incident.id == incident_id).first().run()
    assert row["easy_reported_at"] is not None and row["easy_reported_by"] == world.accounts["leader"]
    assert row["insurer_reported_at"] is not None


async def test_use_of_force_forwarding_is_recorded(client, new_client, world):
    incident_id = await filed(client, world, kind="use_of_force", legal_framework="child", force_category="13")
    leader = new_client()
    await login(leader, World.LEADER)
    base = f"/arbejdsmiljoe/haendelser/{incident_id}"
    page = await leader.get(base)
    assert "videresendt til kommunen" in page.text
    today = now().astimezone(TIMEZONE).date().isoformat()
    saved = await post_form(leader, f"{base}/eksternt", {"form_reference": "MAG-2026-17",
                                                          "forwarded_municipality_on": today}, token_from=base)
    assert saved.status_code == 302
    row = await Incident.select().where(Incident.id == incident_id).first().run()
    assert row["form_reference"] == "MAG-2026-17" and row["forwarded_municipality_on"] == date.fromisoformat(today)


async def test_action_items_are_tracked_to_closure_by_their_owner(client, new_client, world):
    incident_id = await filed(client, world)
    leader = new_client()
    await login(leader, World.LEADER)
    base = f"/arbejdsmiljoe/haendelser/{incident_id}"
    deadline = (local_today() + timedelta(days=14)).isoformat()
    bad = await post_form(leader, f"{base}/handlinger", {"problem": "", "owner": str(world.accounts["other"])},
                          token_from=base)
    assert bad.status_code == 400
    assert "Beskriv problemet" in bad.text and "Den ansvarlige skal være ansat i tilbuddet" in bad.text
    assert await ActionItem.count().run() == 0
    ok = await post_form(leader, f"{base}/handlinger", {
        "problem": "Uro ved aftensmaden", "measure": "Fast spisetid og skærmet bord",
        "owner": str(world.accounts["staff"]),
        "deadline": deadline, "priority": "1", "effect_check": "Færre episoder i næste måned"})
    await confirmed(leader, ok, "Handlingen er oprettet")
    await post_form(leader, f"{base}/gennemgang", {"causes": "Uro", "learning_point": "Struktur"})
    await post_form(leader, f"{base}/stoette", {"step": "defusing", "outcome": "offered"})
    await post_form(leader, f"{base}/stoette", {"step": "debriefing", "outcome": "declined"})
    # An open action whose owner has left stops the closing, and the page says so next to the button.
    await post_form(leader, f"{base}/handlinger", {"problem": "Ny lampe i gangen", "measure": "Bestil",
                                                  "owner": str(world.accounts["amr"]), "priority": "2",
                                                  "deadline": deadline, "effect_check": "Lys om aftenen"})
    await Employee.update({Employee.active: False}).where(Employee.employee_number == "902").run()  # Åse left
    assert "Handlingen »Ny lampe i gangen« mangler en ansvarlig, der stadig er ansat" in (await leader.get(base)).text
    blocked = await post_form(leader, f"{base}/afslut")
    assert blocked.status_code == 400 and "der stadig er ansat" in blocked.text
    await Employee.update({Employee.active: True}).where(Employee.employee_number == "902").run()
    # The owner (the staff member) sees theirs among their actions and closes it.
    mine = await client.get("/arbejdsmiljoe/handlinger")
    assert "Uro ved aftensmaden" in mine.text
    action_id = (await ActionItem.select(ActionItem.id).where(ActionItem.problem == "Uro ved aftensmaden").first()
                 .run())["id"]
    no_note = await post_form(client, f"/arbejdsmiljoe/handlinger/{action_id}/luk", {"closing_note": ""})
    assert no_note.status_code == 400
    done = await post_form(client, f"/arbejdsmiljoe/handlinger/{action_id}/luk", {"closing_note": "Indført 1/12"})
    shown = await confirmed(client, done, "Handlingen er lukket.")
    assert 'href="/">Til dine opgaver' in shown
    assert "Handlingen er lukket." not in (await client.get("/arbejdsmiljoe/handlinger")).text  # once only
    # The lamp (an owner employed again, a deadline) may stay open: it is tracked on its own.
    await confirmed(leader, await post_form(leader, f"{base}/afslut"), "Hændelsen er afsluttet.")
    still = await ActionItem.select().where(ActionItem.problem == "Ny lampe i gangen").first().run()
    assert still["status"] == "open"


async def test_staff_and_amr_cannot_follow_up(client, new_client, world):
    incident_id = await filed(client, world)
    base = f"/arbejdsmiljoe/haendelser/{incident_id}"
    assert (await post_form(client, f"{base}/gennemgang", {"causes": "x", "learning_point": "y"})).status_code == 403
    amr = new_client()
    await login(amr, World.AMR)
    assert (await post_form(amr, f"{base}/afslut", token_from=base)).status_code == 403
    other = new_client()
    await login(other, World.OTHER)
    assert (await post_form(other, f"{base}/afslut", token_from="/")).status_code == 404


async def test_the_follow_up_is_steps_and_easy_is_asked_only_when_there_is_a_duty_to_report(client, new_client,
                                                                                           world):
    import re

    no_absence = await filed(client, world, kind="accident", injury_type="sprain", body_part="hand",
                             expected_absence="none")
    expected = await filed(client, world, kind="accident", injury_type="sprain", body_part="hand",
                           expected_absence="3_35")
    violence = await filed(client, world)
    leader = new_client()
    await login(leader, World.LEADER)

    def steps(page: str) -> list[str]:
        return re.findall(r'<details class="app-step" id="([a-z]+)"', page)

    def unfolded(page: str) -> list[str]:
        return re.findall(r'<details class="app-step" id="([a-z]+)" open>', page)

    plain = (await leader.get(f"/arbejdsmiljoe/haendelser/{no_absence}")).text
    assert steps(plain) == ["review", "absence", "external", "actions", "close"]  # no EASY fields without a duty
    assert unfolded(plain) == ["review"] and "Ingen anmeldelsespligt endnu" in plain
    reportable = (await leader.get(f"/arbejdsmiljoe/haendelser/{expected}")).text
    assert steps(reportable) == ["review", "absence", "easy", "external", "actions", "close"]
    # Violence: defusing first (the most harmful open step), unfolded; the overview gives each state.
    first = (await leader.get(f"/arbejdsmiljoe/haendelser/{violence}")).text
    assert steps(first)[:2] == ["support", "review"] and unfolded(first) == ["support"]
    assert '<a href="#support">Defusing og debriefing</a>: <span>Åben, frist' in first
    # A form that comes back with errors unfolds its own step.
    bad = await post_form(leader, f"/arbejdsmiljoe/haendelser/{violence}/gennemgang", {"causes": ""},
                          token_from=f"/arbejdsmiljoe/haendelser/{violence}")
    assert bad.status_code == 400 and unfolded(bad.text) == ["review"]
