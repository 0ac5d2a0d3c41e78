"""CSV and XLSX exports are scoped like the lists, anonymised for AMR, and safe to open."""

import io

from openpyxl import load_workbook

from hr.exports import to_csv
from tests.conftest import World, login
from tests.workenv.test_followup import filed


async def test_the_leader_exports_incidents_as_csv_and_xlsx(client, new_client, world):
    await filed(client, world)
    leader = new_client()
    await login(leader, World.LEADER)
    csv_response = await leader.get("/arbejdsmiljoe/haendelser/eksport?format=csv")
    assert csv_response.status_code == 200
    assert csv_response.headers["content-disposition"] == 'attachment; filename="haendelser.csv"'
    text = csv_response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Id;Type;Tidspunkt")
    assert "Vold eller trusler" in text and "Søren Ståbi" in text
    xlsx = await leader.get("/arbejdsmiljoe/haendelser/eksport?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Id" and len(rows) == 2
    assert rows[1][1] == "Vold eller trusler"


async def test_the_amr_export_has_no_reporter_names(client, new_client, world):
    await filed(client, world)
    amr = new_client()
    await login(amr, World.AMR)
    text = (await amr.get("/arbejdsmiljoe/haendelser/eksport")).content.decode("utf-8-sig")
    assert "Vold eller trusler" in text
    assert "Søren Ståbi" not in text and "Anonym" in text


async def test_others_export_nothing_of_ours(client, new_client, world):
    await filed(client, world)
    other = new_client()
    await login(other, World.OTHER)
    text = (await other.get("/arbejdsmiljoe/haendelser/eksport")).content.decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 1


def test_cells_that_look_like_formulas_are_neutralised():
    text = to_csv(["a"], [["=HYPERLINK(\"x\")"], ["+1"], ["ok"]]).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1" in text and "\nok" in text
