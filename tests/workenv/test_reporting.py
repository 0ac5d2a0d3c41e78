"""Staff report incidents: drafts, validation, CPR refusal, immutability, scope and anonymity."""

import re
from datetime import timedelta

from hr.audit import AuditEvent
from hr.db import now
from hr.settings import TIMEZONE
from hr.workenv.tables import ContributingFactor, Incident, IncidentAmendment, IncidentStaff
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form


async def new_draft(client) -> int:
    response = await post_form(client, "/arbejdsmiljoe/haendelser", token_from="/arbejdsmiljoe")
    assert response.status_code == 302
    return int(re.search(r"/haendelser/(\d+)/rediger", response.headers["location"]).group(1))


def report(world, **overrides) -> dict:
    when = (now() - timedelta(hours=2)).astimezone(TIMEZONE)
    data = {
        "kind": "violence", "occurred_date": when.date().isoformat(), "occurred_time": when.strftime("%H:%M"),
        "unit": str(world.unit_a1), "place_type": "common", "citizen_pseudonym": "BO-7",
        "description": "Borgeren slog ud efter mig i fællesrummet.",
        "antecedents": "Der var larm, og aftensmaden var forsinket.", "escalation": "Afstand dæmpede.",
        "immediate_action": "Gik ud af rummet.", "severity": "2", "violence_type": "physical",
        "staff": [str(world.staff_employee)], "action": "submit",
    }
    data.update(overrides)
    return data


async def submit(client, incident_id, data):
    path = f"/arbejdsmiljoe/haendelser/{incident_id}/rediger"
    return await post_form(client, path, data, token_from=path)


async def test_staff_files_a_violence_report(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    factor = (await ContributingFactor.select().first().run())["id"]
    response = await submit(client, incident_id, report(world, factors=[str(factor)]))
    assert response.status_code == 302
    assert response.headers["location"] == f"/arbejdsmiljoe/haendelser/{incident_id}?indsendt=1"
    row = await Incident.select().where(Incident.id == incident_id).first().run()
    assert row["status"] == "submitted" and row["kind"] == "violence"
    assert row["institution"] == world.inst_a and row["citizen_pseudonym"] == "BO-7"
    assert row["occurred_at"].tzinfo is not None
    assert await IncidentStaff.count().where(IncidentStaff.incident == incident_id).run() == 1
    again = await submit(client, incident_id, report(world, description="En anden tekst"))  # a second tab
    assert again.status_code == 404
    assert (await Incident.select(Incident.description).where(Incident.id == incident_id).first().run()
            )["description"] == row["description"]
    page = await confirmed(client, response, "Tak. Indberetningen er sendt")
    assert "Tilbud om defusing" in page
    # The receipt says what happens now for the reporter, and the way on.
    assert "Lederen af Afdeling A1 har fået den" in page and "Det sker nu" in page
    assert "tilbyder dig defusing nu" in page and "debriefing" in page and "politiet" in page
    assert 'action="/arbejdsmiljoe/haendelser"' in page and "Indberet en hændelse mere" in page
    assert 'href="/" class="button button-secondary">Til forsiden' in page


async def test_each_kind_can_be_filed(client, world):
    await login(client, World.STAFF)
    extras = {
        "near_miss": {},
        "accident": {"injury_type": "sprain", "body_part": "hand", "expected_absence": "1_2"},
        "violence": {},
        "use_of_force": {"legal_framework": "adult", "force_category": "124d"},
    }
    said = {"near_miss": "så den ikke sker igen", "accident": "anmelder ulykken til Arbejdstilsynet",
            "violence": "tilbyder dig defusing nu", "use_of_force": "blanket i omsorgssystemet"}
    for kind, extra in extras.items():
        incident_id = await new_draft(client)
        response = await submit(client, incident_id, report(world, kind=kind, **extra))
        assert response.status_code == 302, (kind, response.text[:2000])
        receipt = (await client.get(response.headers["location"])).text
        assert said[kind] in receipt and all(said[k] not in receipt for k in said if k != kind), kind
    kinds = sorted(r["kind"] for r in await Incident.select(Incident.kind).run())
    assert kinds == sorted(extras)


async def test_missing_fields_are_listed_and_nothing_is_lost(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    response = await submit(client, incident_id, report(world, kind="accident", description="Faldt på trappen",
                                                        severity="", place_type=""))
    assert response.status_code == 400
    for message in ("Vælg skadens art", "Vælg den skadede legemsdel", "Vælg forventet fravær",
                    "Vælg alvorlighed", "Vælg hvor det skete"):
        assert message in response.text
    assert "Faldt på trappen" in response.text
    row = await Incident.select().where(Incident.id == incident_id).first().run()
    assert row["status"] == "draft"
    assert row["description"] == "Faldt på trappen"


async def test_a_report_with_a_cpr_number_is_refused_and_the_number_never_stored(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    response = await submit(client, incident_id, report(world, description="Borgeren 010190-1234 slog."))
    assert response.status_code == 400
    assert "ser ud til at indeholde et CPR-nummer" in response.text
    row = await Incident.select().where(Incident.id == incident_id).first().run()
    assert row["status"] == "draft"
    assert "1234" not in str(row)
    fixed = await submit(client, incident_id, report(world, description="Borgeren BO-7 slog."))
    assert fixed.status_code == 302


async def test_autosave_keeps_a_draft_and_reports_what_it_could_not_keep(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    path = f"/arbejdsmiljoe/haendelser/{incident_id}/kladde"
    token = client.cookies.get("csrftoken")
    response = await client.post(path, data={"description": "Halvt skrevet", "antecedents": "Se 2501851234",
                                             "kind": "near_miss"}, headers={"x-csrftoken": token})
    assert response.status_code == 200
    assert "Kladden er gemt, undtagen" in response.text
    row = await Incident.select().where(Incident.id == incident_id).first().run()
    assert row["description"] == "Halvt skrevet" and row["kind"] == "near_miss"
    assert row["antecedents"] == ""
    home = await client.get("/arbejdsmiljoe")
    assert f"/arbejdsmiljoe/haendelser/{incident_id}/rediger" in home.text


async def test_a_draft_belongs_to_its_reporter(client, new_client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    leader = new_client()
    await login(leader, World.LEADER)
    assert (await leader.get(f"/arbejdsmiljoe/haendelser/{incident_id}/rediger")).status_code == 404
    assert (await leader.get(f"/arbejdsmiljoe/haendelser/{incident_id}")).status_code == 404
    sneaky = await post_form(leader, f"/arbejdsmiljoe/haendelser/{incident_id}/rediger",
                             report(world), token_from="/arbejdsmiljoe")
    assert sneaky.status_code == 404
    assert (await Incident.select().where(Incident.id == incident_id).first().run())["status"] == "draft"


async def test_a_submitted_report_changes_only_through_a_logged_amendment(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    await submit(client, incident_id, report(world))
    again = await submit(client, incident_id, report(world, description="Omskrevet"))
    assert again.status_code == 404
    path = f"/arbejdsmiljoe/haendelser/{incident_id}"
    no_reason = await post_form(client, f"{path}/ret", {"field": "description", "value": "Ny tekst", "reason": ""},
                                token_from=path)
    assert no_reason.status_code == 400 and "Skriv hvorfor" in no_reason.text
    ok = await post_form(client, f"{path}/ret", {"field": "severity", "value": "3", "reason": "Skaden var værre"},
                         token_from=path)
    await confirmed(client, ok, "Rettelsen er gemt og logget med din begrundelse.")
    row = await Incident.select().where(Incident.id == incident_id).first().run()
    assert row["severity"] == 3
    amendment = await IncidentAmendment.select().first().run()
    assert (amendment["field"], amendment["old_value"], amendment["new_value"]) == ("severity", "2", "3")
    assert "Skaden var værre" in (await client.get(path)).text


async def test_the_leader_sees_it_on_the_worklist_with_deadlines(client, new_client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    await submit(client, incident_id, report(world))
    leader = new_client()
    await login(leader, World.LEADER)
    page = await leader.get("/arbejdsmiljoe/opfoelgning")
    assert f"/arbejdsmiljoe/haendelser/{incident_id}" in page.text
    assert "Lederens gennemgang" in page.text and "Tilbud om defusing" in page.text
    assert "Søren Ståbi" in page.text


async def test_the_amr_sees_it_without_the_reporters_identity(client, new_client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    await submit(client, incident_id, report(world))
    amr = new_client()
    await login(amr, World.AMR)
    worklist = await amr.get("/arbejdsmiljoe/opfoelgning")
    assert f"/arbejdsmiljoe/haendelser/{incident_id}" in worklist.text
    assert "Søren Ståbi" not in worklist.text
    detail = await amr.get(f"/arbejdsmiljoe/haendelser/{incident_id}")
    assert detail.status_code == 200
    assert "Søren Ståbi" not in detail.text
    assert "Anonym for arbejdsmiljørepræsentanten" in detail.text
    assert "Borgeren slog ud efter mig" in detail.text


async def test_the_amr_sees_the_reporter_when_the_reporter_allows_it(client, new_client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    await submit(client, incident_id, report(world, reporter_identity_shared="1"))
    amr = new_client()
    await login(amr, World.AMR)
    assert "Søren Ståbi" in (await amr.get(f"/arbejdsmiljoe/haendelser/{incident_id}")).text


async def test_people_outside_the_area_cannot_see_the_report(client, new_client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    await submit(client, incident_id, report(world))
    other = new_client()
    await login(other, World.OTHER)
    assert (await other.get(f"/arbejdsmiljoe/haendelser/{incident_id}")).status_code == 404
    assert f"/haendelser/{incident_id}" not in (await other.get("/arbejdsmiljoe/opfoelgning")).text
    assert f"/haendelser/{incident_id}" not in (await other.get("/arbejdsmiljoe/haendelser")).text
    denied = await post_form(other, f"/arbejdsmiljoe/haendelser/{incident_id}/ret",
                             {"field": "severity", "value": "1", "reason": "x"}, token_from="/arbejdsmiljoe")
    assert denied.status_code == 404


async def test_a_unit_of_another_institution_is_refused(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    response = await submit(client, incident_id, report(world, unit=str(world.unit_b1)))
    assert response.status_code == 400
    assert "Du kan ikke indberette for den afdeling" in response.text


async def test_reading_a_report_is_audited(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    await submit(client, incident_id, report(world))
    await client.get(f"/arbejdsmiljoe/haendelser/{incident_id}")
    assert await AuditEvent.count().where((AuditEvent.entity == "incident") & (AuditEvent.action == "read")).run() >= 1


async def test_harassment_is_a_type_of_violence_and_threats(client, world):
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    response = await submit(client, incident_id, report(world, violence_type="harassment",
                                                        description="Gentagne krænkende beskeder på telefonen."))
    await confirmed(client, response, "Tak. Indberetningen er sendt")
    row = await Incident.select(Incident.violence_type).where(Incident.id == incident_id).first().run()
    assert row["violence_type"] == "harassment"
    page = (await client.get(f"/arbejdsmiljoe/haendelser/{incident_id}")).text
    assert "Chikane (krænkende handlinger, også online)" in page


async def test_the_front_pages_button_opens_a_form_with_the_reporter_ticked_and_violences_fields_marked(
        client, world):
    """One tap: the front page's button starts the draft; the reporter, most often involved, is
    ticked (and can be unticked); what violence requires is marked before the first submit."""
    await login(client, World.STAFF)
    front = (await client.get("/")).text
    assert '<form method="post" action="/arbejdsmiljoe/haendelser"' in front
    started = await post_form(client, "/arbejdsmiljoe/haendelser")
    form = (await client.get(started.headers["location"])).text
    assert re.search(rf'id="staff-{world.staff_employee}"[^>]*checked', form)
    assert re.search(r'Type <span class="app-required">\(skal udfyldes\)', form)
    assert 'data-required-for="violence use_of_force">(skal udfyldes)' in form.split('for="antecedents"')[1][:200]
    incident_id = int(re.search(r"/haendelser/(\d+)/rediger", started.headers["location"]).group(1))
    unticked = report(world, staff=[])
    unticked.pop("staff")
    assert (await submit(client, incident_id, unticked)).status_code == 302
    assert not await IncidentStaff.count().where(IncidentStaff.incident == incident_id).run()
