"""Use of force on children (voksenansvarsloven, BEK 980/2025; issue 17): the leader's
registration and the parents told within 24 elapsed hours, the copy to the placing municipality,
and the month's episodes reported to the social supervisory authority together, by the 10th of
the following month; the monthly list per institution as a page, CSV and XLSX."""

import io
from datetime import date, datetime, timedelta, timezone

from openpyxl import load_workbook

from hr.forms import local_today
from hr.settings import TIMEZONE
from hr.workenv.deadlines import deadlines, last_of_month
from hr.workenv.force_month import previous_month
from hr.workenv.services import load_rules
from hr.workenv.tables import Incident
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form


def episode(occurred: datetime, **values) -> dict:
    return {"kind": "use_of_force", "legal_framework": "child", "status": "submitted", "occurred_at": occurred,
            "submitted_at": occurred, "form_registered_on": None, "parents_informed_at": None,
            "forwarded_municipality_on": None, "forwarded_supervisory_on": None, **values}


def local(*parts) -> datetime:
    return datetime(*parts, tzinfo=TIMEZONE)


async def test_the_leader_registers_and_the_parents_are_told_within_24_elapsed_hours():
    rules = await load_rules()
    friday = local(2026, 3, 6, 15, 0)
    found = {d.kind: d for d in deadlines(episode(friday), rules)}
    assert set(found) == {"followup_review", "force_registration", "force_parents", "force_municipality",
                          "force_supervisory"}
    for kind in ("force_registration", "force_parents", "force_municipality"):
        assert found[kind].due == local(2026, 3, 7, 15, 0).astimezone(timezone.utc)  # Saturday counts
    # The night the clocks go forward: 24 elapsed hours end at 00:30 on the Monday, local time.
    found = {d.kind: d for d in deadlines(episode(local(2026, 3, 28, 23, 30)), rules)}
    assert found["force_registration"].due.astimezone(TIMEZONE) == local(2026, 3, 30, 0, 30)
    # Done when registered and told.
    done = {d.kind: d for d in deadlines(episode(friday, form_registered_on=date(2026, 3, 6),
                                                 parents_informed_at=local(2026, 3, 6, 17, 0)), rules)}
    assert done["force_registration"].status(local(2026, 3, 9, 0, 0)) == "done"
    assert done["force_parents"].status(local(2026, 3, 9, 0, 0)) == "done"
    # Adults have neither step (serviceloven: the staff member registers, the leader forwards).
    adult = {d.kind for d in deadlines(episode(friday, legal_framework="adult"), rules)}
    assert not {"force_registration", "force_parents"} & adult


async def test_the_supervisory_authority_gets_the_month_by_the_tenth_of_the_next():
    rules = await load_rules()

    def due(occurred):
        return {d.kind: d for d in deadlines(episode(occurred), rules)}["force_supervisory"].due

    assert due(local(2026, 3, 6, 15, 0)) == local(2026, 4, 10, 23, 59, 59)
    assert due(local(2026, 3, 1, 0, 5)) == local(2026, 4, 10, 23, 59, 59)  # the whole month reports together
    # Late on the last day of a month is that month in Danish time, though it is the next in UTC
    # on 31 October (after the clocks went back) as on 31 March (after they went forward).
    assert due(local(2026, 10, 31, 23, 30)) == local(2026, 11, 10, 23, 59, 59)
    assert due(local(2026, 3, 31, 23, 30)) == local(2026, 4, 10, 23, 59, 59)
    assert due(local(2026, 12, 31, 23, 59)) == local(2027, 1, 10, 23, 59, 59)  # across the year
    assert due(local(2027, 2, 28, 12, 0)) == local(2027, 3, 10, 23, 59, 59)
    assert last_of_month(date(2028, 2, 3)) == date(2028, 2, 29)


async def child_incident(world, occurred: datetime, unit=None, institution=None, **values) -> int:
    fields = {"kind": "use_of_force", "legal_framework": "child", "force_category": "13", "status": "submitted",
              "occurred_at": occurred, "submitted_at": occurred, "institution": institution or world.inst_a,
              "unit": unit or world.unit_a1, "citizen_pseudonym": values.pop("pseudonym", "UNG-1"), **values}
    rows = await Incident.insert(Incident(**fields)).returning(Incident.id).run()
    return rows[0]["id"]


async def test_the_leader_records_when_and_by_whom_the_parents_were_told(client, world):
    occurred = datetime.now(timezone.utc) - timedelta(hours=5)
    incident_id = await child_incident(world, occurred)
    await login(client, World.LEADER)
    path = f"/arbejdsmiljoe/haendelser/{incident_id}"
    page = (await client.get(path)).text
    assert "Forældremyndighedens indehaver orienteret" in page and "Ikke registreret endnu" in page

    before = await Incident.select().where(Incident.id == incident_id).first().run()
    refusals = [({"parents_informed_by": "Afdelingsleder"}, "Skriv hvornår forældrene blev orienteret"),
                ({"parents_informed_date": occurred.astimezone(TIMEZONE).date().isoformat()},
                 "Skriv hvem der orienterede forældrene"),
                ({"parents_informed_date": (occurred - timedelta(days=1)).astimezone(TIMEZONE).date().isoformat(),
                  "parents_informed_time": "08:00", "parents_informed_by": "Lene"},
                 "Forældrene kan ikke være orienteret før episoden"),
                ({"parents_informed_date": (local_today() + timedelta(days=1)).isoformat(),
                  "parents_informed_by": "Lene"}, "Tidspunktet ligger i fremtiden")]
    for form, message in refusals:
        refused = await post_form(client, f"{path}/eksternt", {"form_reference": "NY-1", **form}, token_from=path)
        assert refused.status_code == 400 and message in refused.text, (form, refused.text[-500:])
        assert await Incident.select().where(Incident.id == incident_id).first().run() == before

    told = (occurred + timedelta(hours=1)).astimezone(TIMEZONE)
    page = await confirmed(client, await post_form(client, f"{path}/eksternt", {
        "parents_informed_date": told.date().isoformat(), "parents_informed_time": told.strftime("%H:%M"),
        "parents_informed_by": "Lene Leder", "form_registered_on": told.date().isoformat()}, token_from=path),
        "Anmeldelser og videresendelse er gemt.")
    row = await Incident.select().where(Incident.id == incident_id).first().run()
    assert row["parents_informed_by"] == "Lene Leder"
    assert row["parents_informed_at"].astimezone(TIMEZONE).strftime("%d.%m.%Y %H:%M") == told.strftime("%d.%m.%Y %H:%M")
    assert f"{told:%d.%m.%Y %H:%M} af Lene Leder" in page


async def test_the_monthly_list_per_institution_and_its_report(client, new_client, world):
    month = previous_month()
    inside = local(month.year, month.month, 1, 0, 10)
    late = datetime.combine(last_of_month(month), datetime.min.time(), TIMEZONE).replace(hour=23, minute=50)
    complete = await child_incident(world, inside, pseudonym="UNG-1", form_registered_on=inside.date(),
                                    forwarded_municipality_on=inside.date(), parents_informed_at=inside,
                                    parents_informed_by="Lene Leder")
    missing = await child_incident(world, late, unit=world.unit_a2, pseudonym="UNG-2")
    this_month = await child_incident(world, local(local_today().year, local_today().month, 1, 0, 1), pseudonym="UNG-3")
    before = await child_incident(world, inside - timedelta(minutes=20), pseudonym="UNG-4")  # the month before
    other_institution = await child_incident(world, inside, unit=world.unit_b1, institution=world.inst_b,
                                             pseudonym="UNG-5")
    adult = await child_incident(world, inside, legal_framework="adult", force_category="124d", pseudonym="VOK-1")

    await login(client, World.HR)
    query = f"institution={world.inst_a}&maaned={month:%Y-%m}"
    page = (await client.get(f"/arbejdsmiljoe/magtanvendelser/maaned?{query}")).text
    assert "2 magtanvendelser, 2 endnu ikke indberettet" in page
    for shown in ("UNG-1", "UNG-2", "Fastholdelse (§ 13)", "af Lene Leder", "Mangler"):
        assert shown in page
    for hidden in ("UNG-3", "UNG-4", "UNG-5", "VOK-1"):
        assert hidden not in page

    csv = (await client.get(f"/arbejdsmiljoe/magtanvendelser/maaned/eksport?{query}&format=csv")).content.decode(
        "utf-8-sig")
    lines = csv.strip().splitlines()
    assert lines[0].startswith("Tidspunkt") and len(lines) == 3 and "UNG-1" in lines[1] and "UNG-2" in lines[2]
    xlsx = await client.get(f"/arbejdsmiljoe/magtanvendelser/maaned/eksport?{query}&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["UNG-1", "UNG-2"]

    report = f"/arbejdsmiljoe/magtanvendelser/maaned/indberettet?{query}"
    early = await post_form(client, report, {"reported_on": last_of_month(month).isoformat()}, token_from="/")
    assert early.status_code == 400 and "Datoen skal ligge mellem" in early.text
    assert await Incident.count().where(Incident.forwarded_supervisory_on.is_not_null()).run() == 0
    not_over = await post_form(client, f"/arbejdsmiljoe/magtanvendelser/maaned/indberettet?institution="
                                       f"{world.inst_a}&maaned={local_today():%Y-%m}", {"reported_on": ""})
    assert not_over.status_code == 400 and "Måneden er ikke slut endnu" in not_over.text

    sent = local_today()
    page = await confirmed(client, await post_form(client, report, {"reported_on": sent.isoformat()}),
                           "er registreret som indberettet til socialtilsynet (2 magtanvendelser)")
    assert f"alle indberettet {sent:%d.%m.%Y}" in page
    marked = {r["id"]: r["forwarded_supervisory_on"] for r in await Incident.select(
        Incident.id, Incident.forwarded_supervisory_on).run()}
    assert marked == {complete: sent, missing: sent, this_month: None, before: None, other_institution: None,
                      adult: None}

    # The unit leader sees the episodes of the units they lead; reporting is the head's (or HR's).
    leader = new_client()
    await login(leader, World.LEADER)
    page = (await leader.get(f"/arbejdsmiljoe/magtanvendelser/maaned?maaned={month:%Y-%m}")).text
    assert "UNG-1" in page and "UNG-2" not in page and "Registrér indberetningen" not in page
    refused = await post_form(leader, report, {"reported_on": sent.isoformat()})
    assert refused.status_code == 403


async def test_a_wrong_month_or_institution_is_a_field_error(client, world):
    await login(client, World.HR)
    for query, message in (("maaned=2026-13", "Vælg en måned, fx 2026-11"), ("maaned=1999-12", "der er begyndt"),
                           (f"maaned={local_today().year + 1}-01", "der er begyndt"),
                           ("institution=9999", "Vælg et af dine tilbud")):
        page = await client.get(f"/arbejdsmiljoe/magtanvendelser/maaned?{query}")
        assert page.status_code == 400 and message in page.text, query
    empty = await client.get("/arbejdsmiljoe/magtanvendelser/maaned")
    assert empty.status_code == 200 and "Vælg tilbud og måned." in empty.text
