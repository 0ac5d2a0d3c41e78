"""An accident made ready for EASY (BEK 799/2022, annex 1; issue 17): the ESAW code lists loaded
from the repository's file as dated rows, picked by code or words; the EASY sheet field by field
in EASY's order with what is missing marked, as a page and a PDF; and a copy by mail to the injured
person and the work-environment representative when the accident is recorded as reported."""

import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from pypdf import PdfReader

from hr.duties import in_words
from hr.forms import local_today
from hr.notify.tables import OutboxMessage
from hr.settings import TIMEZONE
from hr.workenv import easy, esaw
from hr.workenv.tables import EsawCode, Incident, IncidentStaff
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form

FILE = json.loads((Path(esaw.__file__).parent / "reference" / "esaw.json").read_text(encoding="utf-8"))


async def test_the_code_lists_are_the_repository_file_as_dated_rows():
    rows = await EsawCode.select().run()
    assert len(rows) == sum(len(entries) for entries in FILE["lists"].values())
    assert {r["valid_from"] for r in rows} == {date.fromisoformat(FILE["valid_from"])}
    assert all(r["source"].startswith("Eurostat: European Statistics on Accidents at Work") for r in rows)
    lists = await esaw.codes(date(2026, 12, 1))
    assert lists["deviation"]["83"].startswith("Vold, aggression eller trussel fra personer uden for")
    assert lists["material_agent"]["18.06"].startswith("Mennesker")
    assert await esaw.codes(date(2012, 12, 31)) == {name: {} for name in esaw.LISTS}  # before the edition
    errors: dict = {}
    assert esaw.parse("83", lists["deviation"], errors, "d") == "83"
    assert esaw.parse("83 – Vold, aggression", lists["deviation"], errors, "d") == "83"
    assert esaw.parse("bid", lists["contact"], errors, "c") == "81"
    assert esaw.parse("", lists["contact"], errors, "c") is None and errors == {}
    assert esaw.parse("84.5", lists["contact"], errors, "c") is None and "Vælg en kode fra listen" in errors["c"]


async def an_accident(world, **values) -> int:
    occurred = datetime(2026, 11, 20, 14, 30, tzinfo=TIMEZONE)
    fields = {"kind": "accident", "status": "submitted", "occurred_at": occurred, "submitted_at": occurred,
              "institution": world.inst_a, "unit": world.unit_a1, "reporter": world.accounts["staff"],
              "place_type": "common", "place_detail": "Ved spisebordet",
              "description": "Borgeren skubbede stolen ind i mit knæ.", "severity": 2,
              "expected_absence": "3_35", "absence_days": 4, "first_absence_date": date(2026, 11, 21), **values}
    rows = await Incident.insert(Incident(**fields)).returning(Incident.id).run()
    await IncidentStaff.insert(IncidentStaff(incident=rows[0]["id"], employee=world.staff_employee)).run()
    return rows[0]["id"]


async def test_the_easy_sheet_holds_annex_1_field_by_field_in_easys_order(world):
    complete = await an_accident(world, injured_employee=world.staff_employee, occupation="Socialpædagog",
                                 employment_type="permanent", employed_since=date(2019, 8, 1), deviation_code="83",
                                 contact_code="40", material_agent_code="18.06", injury_code="032",
                                 body_part_code="62", easy_reference="")
    sheet = await easy.build(await Incident.select().where(Incident.id == complete).first().run())
    assert [(f.section, f.label, f.value) for f in sheet.fields] == [
        ("Arbejdsgiver", "Arbejdssted (tilbud)", "Tilbud A"),
        ("Arbejdsgiver", "Afdeling", "Afdeling A1"),
        ("Tilskadekomne", "Navn", "Søren Ståbi"),
        ("Tilskadekomne", "CPR-nummer", "Indtastes direkte i EASY (gemmes ikke i HR)"),
        ("Tilskadekomne", "Stilling (beskæftigelse)", "Socialpædagog"),
        ("Tilskadekomne", "Ansættelsesforhold", "Fastansat"),
        ("Tilskadekomne", "Ansat siden", "01.08.2019"),
        ("Ulykken", "Dato og klokkeslæt", "20.11.2026 14:30"),
        ("Ulykken", "Sted", "Fællesareal, Ved spisebordet"),
        ("Ulykken", "Hændelsesforløb", "Borgeren skubbede stolen ind i mit knæ."),
        ("Ulykken", "Afvigelse: hvad gik galt",
         "83 – Vold, aggression eller trussel fra personer uden for virksomheden (borgere, pårørende m.fl.)"),
        ("Ulykken", "Skademåde: hvordan personen kom til skade", "40 – Ramt af genstand i bevægelse, kollision"),
        ("Ulykken", "Materiel faktor: hvad skaden skete med", "18.06 – Mennesker (fx borgere, pårørende, kolleger)"),
        ("Skaden", "Skadens art", "032 – Forstuvninger og forstrækninger"),
        ("Skaden", "Skadet legemsdel", "62 – Ben, også knæ"),
        ("Fravær", "Første fraværsdag", "21.11.2026"),
        ("Fravær", "Fraværsdage ud over tilskadekomstdagen", "4"),
        ("Fravær", "Forventet fravær", "3 dage til 5 uger"),
        ("Anmeldelse", "EASY-sagsnummer", "Ikke angivet"),
    ]
    assert sheet.missing == [] and sheet.required
    assert sheet.due == datetime(2026, 12, 5, 23, 59, 59, tzinfo=TIMEZONE)  # 14 days after the first day
    assert sheet.countdown == in_words(date(2026, 12, 5), local_today())

    bare = await easy.build(await Incident.select().where(Incident.id == await an_accident(world)).first().run())
    assert [f.label for f in bare.missing] == [
        "Navn", "Stilling (beskæftigelse)", "Ansættelsesforhold", "Ansat siden", "Afvigelse: hvad gik galt",
        "Skademåde: hvordan personen kom til skade", "Materiel faktor: hvad skaden skete med", "Skadens art",
        "Skadet legemsdel"]
    assert all(f.value == "Mangler" for f in bare.missing)


async def test_the_leader_fills_in_the_easy_details_and_the_copies_go_out_on_reporting(client, world):
    incident_id = await an_accident(world, occurred_at=datetime.now(timezone.utc) - timedelta(days=2))
    await login(client, World.LEADER)
    path = f"/arbejdsmiljoe/haendelser/{incident_id}"
    page = (await client.get(path)).text
    assert "9 felt(er) mangler" in page and 'list="deviation_code-codes"' in page
    before = await Incident.select().where(Incident.id == incident_id).first().run()
    for form, field, message in (
            ({"injured_employee": str(world.other_employee)}, "injured_employee", "Vælg en af de medarbejdere"),
            ({"deviation_code": "slået"}, "deviation_code", "Vælg en kode fra listen"),
            ({"employment_type": "chef"}, "employment_type", "Vælg ansættelsesforholdet"),
            ({"employed_since": "2099-01-01"}, "employed_since", "Datoen skal ligge mellem")):
        refused = await post_form(client, f"{path}/easy-oplysninger", form, token_from=path)
        assert refused.status_code == 400 and message in refused.text and f'id="{field}-error"' in refused.text
        assert await Incident.select().where(Incident.id == incident_id).first().run() == before

    page = await confirmed(client, await post_form(client, f"{path}/easy-oplysninger", {
        "injured_employee": str(world.staff_employee), "employment_type": "permanent",
        "deviation_code": "83 – Vold", "contact_code": "slag, spark, skalle, kvælning", "material_agent_code": "18.06",
        "injury_code": "011", "body_part_code": "62"}), "Oplysningerne til EASY er gemt. 1 felt(er) mangler stadig.")
    row = await Incident.select().where(Incident.id == incident_id).first().run()
    # The occupation came from the employment record; the start date is not known there.
    assert (row["occupation"], row["deviation_code"], row["contact_code"]) == ("Socialpædagog", "83", "83")
    assert "1 felt(er) mangler" in page

    sheet = await client.get(f"{path}/easy")
    assert sheet.status_code == 200 and "Ansat siden" in sheet.text and "Mangler" in sheet.text
    tense = "er" if local_today() <= date(2026, 12, 5) else "var"
    assert f"Fristen for anmeldelse {tense} 05.12.2026 23:59 ({in_words(date(2026, 12, 5), local_today())})" \
        in sheet.text
    pdf = await client.get(f"{path}/easy?format=pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert pdf.headers["content-type"] == "application/pdf"
    for shown in ("oplysninger til EASY", "Søren Ståbi", "83 – Vold", "Mangler", "1 felt(er) mangler"):
        assert shown in text, shown

    reported = await post_form(client, f"{path}/eksternt", {"easy_reference": "20261234"})
    await confirmed(client, reported, "Anmeldelsen i EASY er registreret, og 2 kopier er sendt")
    mails = await OutboxMessage.select().where(OutboxMessage.kind == "workenv.easy_copy").order_by(
        OutboxMessage.to_address).run()
    assert [m["to_address"] for m in mails] == [World.AMR, World.STAFF]
    assert "EASY 20261234" in mails[0]["subject"] and "Søren Ståbi" in mails[0]["text_body"]
    assert "Skadet legemsdel: 62 – Ben, også knæ" in mails[0]["text_body"]
    assert "gemmes ikke i HR" in mails[0]["text_body"]  # the CPR number is never in the copy
    again = await post_form(client, f"{path}/eksternt", {"easy_reference": "20261234"})
    assert again.status_code == 302
    assert await OutboxMessage.count().where(OutboxMessage.kind == "workenv.easy_copy").run() == 2
