"""The follow-up worklist holds the region: filters (institution, unit, kind, overdue) and 50
rows a page, whatever the number of open incidents."""

from datetime import timedelta

from hr.db import now
from hr.workenv.tables import Incident
from tests.conftest import World, login


async def _open(world, count: int, unit: int, institution: int, kind: str = "near_miss", days_ago: int = 0):
    moment = now() - timedelta(days=days_ago)
    await Incident.insert(*[Incident(kind=kind, status="submitted", occurred_at=moment, submitted_at=moment, unit=unit,
                                     institution=institution, reporter=world.accounts["staff"], place_type="common",
                                     description="x", severity=1) for _ in range(count)]).run()


async def test_hr_pages_and_filters_the_regions_worklist(client, world):
    await _open(world, 100, world.unit_a1, world.inst_a)
    await _open(world, 20, world.unit_b1, world.inst_b, kind="accident", days_ago=30)
    await login(client, World.HR)
    first = (await client.get("/arbejdsmiljoe/opfoelgning")).text
    assert first.count('href="/arbejdsmiljoe/haendelser/') == 50 and "120 åbne indberetninger, side 1 af 3" in first
    last = (await client.get("/arbejdsmiljoe/opfoelgning", params={"side": "3"})).text
    assert last.count('href="/arbejdsmiljoe/haendelser/') == 20
    only_b = (await client.get("/arbejdsmiljoe/opfoelgning", params={"tilbud": world.inst_b})).text
    assert "20 åbne indberetninger." in only_b and "Tilbud A" not in only_b.split("<tbody>")[1]
    accidents = (await client.get("/arbejdsmiljoe/opfoelgning", params={"type": "accident"})).text
    assert "20 åbne indberetninger." in accidents
    late = (await client.get("/arbejdsmiljoe/opfoelgning", params={"over": "1"})).text
    assert "20 åbne indberetninger." in late  # the month-old accidents have overdue deadlines
    nothing = (await client.get("/arbejdsmiljoe/opfoelgning", params={"afdeling": world.unit_a2})).text
    assert "Ingen åbne indberetninger passer til filteret" in nothing
    odd = await client.get("/arbejdsmiljoe/opfoelgning", params={"tilbud": "abc", "side": "-4", "type": "x"})
    assert odd.status_code in (200, 400)


async def test_the_worklist_filters_by_period_and_exports_what_it_shows(client, world):
    import csv
    import io
    from datetime import timedelta

    from hr.db import now
    from tests.conftest import World, login
    from tests.test_duties import _incident

    await _incident(world, when=now() - timedelta(days=40))
    recent = await _incident(world, when=now() - timedelta(days=2))
    await login(client, World.HR)
    wanted = {"fra": (now() - timedelta(days=10)).date().isoformat()}
    page = (await client.get("/arbejdsmiljoe/opfoelgning", params=wanted)).text
    assert "1 åben indberetning." in page
    as_csv = (await client.get("/arbejdsmiljoe/opfoelgning/eksport", params={**wanted, "format": "csv"})).text
    rows = list(csv.reader(io.StringIO(as_csv.lstrip("\ufeff")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == [str(recent)]
    everything = (await client.get("/arbejdsmiljoe/opfoelgning/eksport", params={"format": "csv"})).text
    assert len(list(csv.reader(io.StringIO(everything.lstrip("\ufeff")), delimiter=";"))) == 3
