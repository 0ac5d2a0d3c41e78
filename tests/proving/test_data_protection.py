"""Data protection: retention anonymises old episodes (with a dry run) and keeps statistics; an
employee's data can be exported (right of access) without other people's data or secrets."""

import json
from datetime import timedelta

from hr.auth.services import load_principal
from hr.db import now
from hr.workenv import retention
from hr.workenv.tables import Incident, IncidentAmendment, IncidentStaff
from tests.conftest import World, login


async def old_and_new(world) -> tuple[int, int]:
    ids = []
    for years in (12, 2):
        at = now() - timedelta(days=365 * years)
        rows = await Incident.insert(Incident(
            kind="violence", status="closed", occurred_at=at, submitted_at=at, unit=world.unit_a1,
            institution=world.inst_a, reporter=world.accounts["staff"], description="Borger B-7 slog ud",
            citizen_pseudonym="B-7", severity=3, place_detail="Stuen")).returning(Incident.id).run()
        ids.append(rows[0]["id"])
        await IncidentStaff.insert(IncidentStaff(incident=rows[0]["id"], employee=world.staff_employee)).run()
        await IncidentAmendment.insert(IncidentAmendment(incident=rows[0]["id"], account=world.accounts["leader"],
                                                         field="description", old_value="gammel tekst",
                                                         new_value="ny tekst", reason="rettelse")).run()
    return ids[0], ids[1]


async def test_a_dry_run_counts_and_changes_nothing(world):
    old, _ = await old_and_new(world)
    result = await retention.anonymise(None, years=10, dry_run=True)
    assert (result.incidents, result.staff_links) == (1, 1)
    row = await Incident.select().where(Incident.id == old).first().run()
    assert row["description"] == "Borger B-7 slog ud" and row["anonymised_at"] is None


async def test_old_episodes_are_anonymised_and_still_counted(world):
    old, new = await old_and_new(world)
    hr = await load_principal(world.accounts["hr"])
    result = await retention.anonymise(hr, years=10, dry_run=False)
    assert result.incidents == 1
    row = await Incident.select().where(Incident.id == old).first().run()
    assert (row["description"], row["citizen_pseudonym"], row["place_detail"], row["reporter"]) == ("", "", "", None)
    assert row["kind"] == "violence" and row["severity"] == 3 and row["anonymised_at"] is not None
    assert await IncidentStaff.count().where(IncidentStaff.incident == old) == 0
    amendment = await IncidentAmendment.select().where(IncidentAmendment.incident == old).first().run()
    assert (amendment["old_value"], amendment["new_value"], amendment["account"]) == ("", "", None)
    recent = await Incident.select().where(Incident.id == new).first().run()
    assert recent["description"] == "Borger B-7 slog ud" and await IncidentStaff.count() == 1
    assert (await retention.anonymise(hr, years=10, dry_run=False)).incidents == 0  # once only


async def test_an_employee_downloads_their_data_and_hr_can_for_anyone(client, new_client, world):
    await old_and_new(world)
    await login(client, World.STAFF)
    response = await client.get("/profil/mine-data")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    data = json.loads(response.content)
    assert data["employee"]["name"] == "Søren Ståbi"
    assert len(data["work_environment"]["reported"]) == 2 and len(data["work_environment"]["named_as_involved"]) == 2
    text = response.text
    assert "password_hash" not in text and "token_hash" not in text and "Ib Kollega" not in text
    hr = new_client()
    await login(hr, World.HR)
    other = await hr.get(f"/medarbejdere/{world.leader_employee}/indsigt")
    assert other.status_code == 200 and json.loads(other.content)["employee"]["name"] == "Lene Leder"
    assert (await client.get(f"/medarbejdere/{world.leader_employee}/indsigt")).status_code == 403


async def test_the_same_data_as_a_readable_pdf(client, new_client, world):
    import io

    from pypdf import PdfReader

    from hr.audit import AuditEvent

    await old_and_new(world)
    await login(client, World.STAFF)
    response = await client.get("/profil/mine-data", params={"format": "pdf"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert 'filename="persondata-' in response.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Indsigt i personoplysninger: Søren Ståbi" in text
    assert reader.metadata.title == "Indsigt i personoplysninger: Søren Ståbi"
    for section in ("Medarbejder", "Arbejdsmiljø", "Indberetninger, du har lavet", "Supervision",
                    "Kompetenceudvikling", "Din aktivitet i systemet"):
        assert section in text, section
    assert text.count("Borger B-7 slog ud") == 2 and "Ib Kollega" not in text and "password" not in text
    exports = await AuditEvent.select(AuditEvent.detail).where(AuditEvent.entity == "personal_data").run()
    assert any("pdf" in str(e["detail"]) for e in exports)
    hr = new_client()
    await login(hr, World.HR)
    theirs = await hr.get(f"/medarbejdere/{world.leader_employee}/indsigt", params={"format": "pdf"})
    assert theirs.status_code == 200 and "Lene Leder" in PdfReader(io.BytesIO(theirs.content)).pages[0].extract_text()
