"""Analysis in SQL: months and hours in Danish time across DST, rates per FTE-year, follow-up on
time, Pareto of factors and repeats per pseudonym; the same answers on SQLite and PostgreSQL."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from hr.auth.services import load_principal
from hr.org.tables import Employee
from hr.settings import TIMEZONE
from hr.workenv import analysis
from hr.workenv.tables import ContributingFactor, Incident, IncidentFactor


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TIMEZONE)


async def incident(world, at: datetime, kind="violence", unit=None, pseudonym="", reviewed_after=None,
                   absence=None, severity=2) -> int:
    rows = await Incident.insert(Incident(
        kind=kind, status="submitted", occurred_at=at, submitted_at=at + timedelta(hours=1),
        reviewed_at=at + reviewed_after if reviewed_after else None, unit=unit or world.unit_a1,
        institution=world.inst_b if unit == world.unit_b1 else world.inst_a, description="x",
        citizen_pseudonym=pseudonym, absence_days=absence, severity=severity)).returning(Incident.id).run()
    return rows[0]["id"]


def filters(**kw) -> analysis.Filters:
    return analysis.Filters(start=date(2026, 3, 1), end=date(2026, 11, 1), **kw)


async def test_months_follow_danish_time_across_daylight_saving(world):
    await incident(world, local(2026, 3, 31, 23, 30))  # 21:30 UTC: still March in Denmark
    await incident(world, local(2026, 4, 1, 0, 30))  # 22:30 UTC on 31 March: April in Denmark
    await incident(world, local(2026, 11, 1, 0, 30))  # 23:30 UTC on 31 October: November
    await incident(world, local(2026, 10, 25, 2, 30), absence=3)  # the repeated hour of the autumn change
    hr = await load_principal(world.accounts["hr"])
    rows = {r["month"]: r for r in await analysis.monthly(await analysis.scope(hr, filters()))}
    assert [rows[m]["incidents"] for m in ("2026-03", "2026-04", "2026-10", "2026-11")] == [1, 1, 1, 1]
    assert rows["2026-10"]["absence_days"] == 3 and len(rows) == 9


async def test_the_heat_map_uses_local_hours_in_summer_and_winter(world):
    await incident(world, local(2026, 7, 6, 10, 15))  # Monday 10:15 summer time (08:15 UTC)
    await incident(world, local(2026, 12, 6, 22, 45))  # Sunday 22:45 winter time (21:45 UTC)
    await incident(world, local(2026, 3, 29, 3, 30))  # Sunday, the first hour of summer time (01:30 UTC)
    await incident(world, datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc))  # the second 02:30 that night
    hr = await load_principal(world.accounts["hr"])
    grid = await analysis.heatmap(await analysis.scope(hr, analysis.Filters(start=date(2026, 1, 1),
                                                                            end=date(2026, 12, 1))))
    assert grid[0][10] == 1 and grid[6][22] == 1 and grid[6][3] == 1 and grid[6][2] == 1
    assert sum(map(sum, grid)) == 4


async def test_fte_years_are_prorated_by_employment_dates(world):
    await Employee.update({Employee.fte: Decimal("0"), Employee.start_date: None}, force=True).run()
    await Employee.update({Employee.fte: Decimal("0.5"), Employee.start_date: date(2026, 4, 16),
                           Employee.end_date: None}).where(Employee.id == world.staff_employee).run()
    hr = await load_principal(world.accounts["hr"])
    fte = await analysis.fte_years(await analysis.scope(hr, analysis.Filters(start=date(2026, 4, 1),
                                                                             end=date(2026, 5, 1))))
    assert fte["2026-04"] == pytest.approx(0.5 * 15 / 365.25)
    assert fte["2026-05"] == pytest.approx(0.5 * 31 / 365.25)


async def test_follow_up_on_time_counts_reviews_within_seven_days(world):
    await incident(world, local(2026, 5, 4, 9), reviewed_after=timedelta(days=2))
    await incident(world, local(2026, 5, 5, 9), reviewed_after=timedelta(days=9))
    await incident(world, local(2026, 5, 6, 9))
    hr = await load_principal(world.accounts["hr"])
    may = {r["month"]: r for r in await analysis.monthly(await analysis.scope(hr, filters()))}["2026-05"]
    assert (may["submitted"], may["on_time"]) == (3, 1)


async def test_factors_pareto_and_repeats_per_pseudonym_respect_scope(world):
    names = ["Testfaktor alene", "Testfaktor travlhed", "Testfaktor ukendt"]
    ids = []
    for n in names:
        rows = await ContributingFactor.insert(ContributingFactor(name=n)).returning(ContributingFactor.id).run()
        ids.append(rows[0]["id"])
    for k in range(3):
        first = await incident(world, local(2026, 6, 1 + k, 12), pseudonym="B-17")
        await IncidentFactor.insert(IncidentFactor(incident=first, factor=ids[0])).run()
    await IncidentFactor.insert(IncidentFactor(incident=first, factor=ids[1])).run()
    await incident(world, local(2026, 6, 9, 12), kind="use_of_force", pseudonym="B-17")
    await incident(world, local(2026, 6, 9, 13), pseudonym="C-2")
    await incident(world, local(2026, 6, 10, 12), unit=world.unit_b1, pseudonym="Z-9")
    await incident(world, local(2026, 6, 11, 12), unit=world.unit_b1, pseudonym="Z-9")
    hr = await load_principal(world.accounts["hr"])
    pareto = await analysis.factors(await analysis.scope(hr, filters()))
    assert [(f["name"], f["n"], f["cumulative"]) for f in pareto] == [
        ("Testfaktor alene", 3, 75), ("Testfaktor travlhed", 1, 100)]
    repeats = await analysis.repeats(await analysis.scope(hr, filters()))
    assert [(r["pseudonym"], r["episodes"], r["use_of_force"]) for r in repeats] == [("B-17", 4, 1), ("Z-9", 2, 0)]
    leader = await load_principal(world.accounts["leader"])
    assert [r["pseudonym"] for r in await analysis.repeats(await analysis.scope(leader, filters()))] == ["B-17"]
    amr = await load_principal(world.accounts["amr"])
    assert [r["pseudonym"] for r in await analysis.repeats(await analysis.scope(amr, filters()))] == ["B-17"]
    other = await load_principal(world.accounts["other"])
    assert [r["pseudonym"] for r in await analysis.repeats(await analysis.scope(other, filters()))] == ["Z-9"]
    by_inst = await analysis.by_institution(await analysis.scope(hr, filters()))
    assert {r["name"]: r["incidents"] for r in by_inst} == {"Tilbud A": 5, "Tilbud B": 2}


async def test_the_dashboard_page_shows_charts_with_text_and_exports(client, world):
    from tests.conftest import World, login

    for month in range(1, 13):  # a step change in the second half of the year: a signal
        for _ in range(2 if month <= 6 else 9):
            await incident(world, local(2025, month, 10, 14))
    await login(client, World.HR)
    page = await client.get("/arbejdsmiljoe/analyse", params={"fra": "2025-01", "til": "2025-12"})
    assert page.status_code == 200
    assert page.text.count('role="img"') >= 3 and "<desc" in page.text
    assert "usædvanligt lang serie" in page.text or "for få kryds" in page.text
    assert "Søren" not in page.text  # no names on the dashboard
    csv = await client.get("/arbejdsmiljoe/analyse/eksport",
                           params={"fra": "2025-01", "til": "2025-12", "tabel": "maaneder", "format": "csv"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Måned;Hændelser") and lines[1].startswith("2025-01;2;")
    bad = await client.get("/arbejdsmiljoe/analyse", params={"fra": "januar", "alvor": "9"})
    assert bad.status_code == 200 and "Skriv måneden som ÅÅÅÅ-MM" in bad.text and "Alvorlighed er 1-4" in bad.text
    # At the field too, and the field says so to a screen reader.
    assert 'id="fra-error"' in bad.text and 'id="alvor-error"' in bad.text and 'id="til-error"' not in bad.text
    assert 'id="alvor" name="alvor" aria-invalid="true" aria-describedby="alvor-error"' in bad.text


async def test_management_information_brings_the_three_domains_together(client, world):
    from tests.conftest import World, login

    await incident(world, local(2026, 5, 10, 14))
    await login(client, World.LEADER)
    page = await client.get("/ledelsesinformation", params={"maaned": "2026-05"})
    assert page.status_code == 200
    for heading in ("Arbejdsmiljø", "Supervision", "Kompetence"):
        assert f">{heading}</h2>" in page.text
    assert "Hændelser i måneden</dt><dd>1" in page.text
    # Supervision as it stood then: the trend ends with the chosen month.
    assert '<th scope="col">2026-05</th>' in page.text and "2026-06" not in page.text
    future = await client.get("/ledelsesinformation", params={"maaned": "2999-01"})
    assert future.status_code == 200 and "Vælg en måned, der er begyndt" in future.text


async def test_hr_narrows_management_information_to_an_institution_and_exports_it(client, world):
    import csv
    import io

    from tests.conftest import World, login

    await incident(world, local(2026, 5, 10, 14))  # in institution A
    await login(client, World.HR)
    region = (await client.get("/ledelsesinformation", params={"maaned": "2026-05"})).text
    assert "Hændelser i måneden</dt><dd>1" in region and "Hele regionen" in region
    b = (await client.get("/ledelsesinformation", params={"maaned": "2026-05", "tilbud": world.inst_b})).text
    assert "Hændelser i måneden</dt><dd>0" in b and "Tilbud B:" in b
    export = await client.get("/ledelsesinformation/eksport", params={"maaned": "2026-05", "tilbud": world.inst_a,
                                                                      "format": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Område", "Nøgletal 2026-05, Tilbud A", "Værdi"]
    assert ["Arbejdsmiljø", "Hændelser i måneden", "1"] in rows
    assert any(r[0] == "Kompetence" for r in rows) and any(r[0] == "Supervision" for r in rows)
    xlsx = await client.get("/ledelsesinformation/eksport", params={"maaned": "2026-05", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # A leader cannot ask for an institution outside their own.
    await login(client, World.LEADER)
    other = (await client.get("/ledelsesinformation", params={"maaned": "2026-05", "tilbud": world.inst_b})).text
    assert "Vælg et af dine tilbud" in other


async def test_a_target_becomes_the_fixed_centre_line_of_the_charts(client, world):
    from hr.workenv import dashboards
    from tests.conftest import World, login

    for month in range(1, 13):
        for _ in range(3):
            await incident(world, local(2025, month, 10, 14), reviewed_after=timedelta(days=2))
    hr = await load_principal(world.accounts["hr"])
    month_range = {"fra": "2025-01", "til": "2025-12"}
    plain = await dashboards.build(hr, dashboards.parse(month_range, hr))
    aimed = await dashboards.build(hr, dashboards.parse({**month_range, "maal": "0,5", "maal_tid": "90"}, hr))
    assert plain["on_time"].parts[0].CL == 100.0
    assert aimed["on_time"].parts[0].CL == 90.0 and all(p.cl == 90.0 for p in aimed["on_time"].points)
    assert plain["rate"].parts[0].CL != 0.5 and all(p.cl == 0.5 for p in aimed["rate"].points)
    await login(client, World.HR)
    page = await client.get("/arbejdsmiljoe/analyse", params={**month_range, "maal_tid": "90"})
    assert "mål 90 % som centerlinje" in page.text and 'value="90"' in page.text
    bad = await client.get("/arbejdsmiljoe/analyse", params={**month_range, "maal": "mange", "maal_tid": "140"})
    assert bad.status_code == 200
    assert "Skriv målet som et tal mellem 0 og 10.000" in bad.text and "Skriv målet som en procent" in bad.text
