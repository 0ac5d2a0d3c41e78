"""The region's employee list: filters by institution, unit, status and start date, and the same
list as CSV and XLSX (audited: it is personal data)."""

import csv
import io
from datetime import date

from openpyxl import load_workbook

from hr.audit import AuditEvent as AuditLog
from hr.org.tables import Employee
from tests.conftest import World, login


async def test_hr_filters_the_employees_and_exports_what_is_shown(client, world):
    await Employee.insert(
        Employee(employee_number="5001", name="Berit Boesen", unit=world.unit_b1, start_date=date(2024, 3, 1)),
        Employee(employee_number="5002", name="Bo Boesen", unit=world.unit_b1, start_date=date(2019, 1, 1)),
        Employee(employee_number="5003", name="Bent Boesen", unit=world.unit_b1, start_date=date(2024, 6, 1),
                 active=False),
        Employee(employee_number="5004", name="Birte Boesen", unit=world.unit_a1, start_date=date(2024, 5, 1)),
    ).run()
    await login(client, World.HR)
    wanted = {"q": "Boesen", "tilbud": world.inst_b, "fra": "2024-01-01", "til": "2024-12-31"}
    page = (await client.get("/medarbejdere", params=wanted)).text
    assert "1 medarbejder." in page and "Berit Boesen" in page
    assert "Bo Boesen" not in page and "Bent Boesen" not in page and "Birte Boesen" not in page
    everyone = (await client.get("/medarbejdere", params={**wanted, "status": "alle"})).text
    assert "2 medarbejdere" in everyone and "Bent Boesen" in everyone
    left = (await client.get("/medarbejdere", params={"q": "Boesen", "status": "fratraadte"})).text
    assert "1 medarbejder." in left and "Bent Boesen" in left
    unit = (await client.get("/medarbejdere", params={"q": "Boesen", "afdeling": world.unit_a1})).text
    assert "1 medarbejder." in unit and "Birte Boesen" in unit
    # A bad date is said at its field; the list still shows, without that limit.
    bad = (await client.get("/medarbejdere", params={"q": "Boesen", "fra": "31-13-2024"})).text
    assert "Skriv en gyldig dato" in bad and "3 medarbejdere" in bad
    backwards = (await client.get("/medarbejdere", params={"q": "Boesen", "fra": "2024-12-31", "til": "2024-01-01"}))
    assert "Slutdatoen ligger før startdatoen" in backwards.text

    link = 'href="/medarbejdere/eksport?q=Boesen&amp;tilbud=' + str(world.inst_b)
    assert link in page
    as_csv = await client.get("/medarbejdere/eksport", params={**wanted, "format": "csv"})
    rows = list(csv.reader(io.StringIO(as_csv.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:2] == ["Medarbejdernummer", "Navn"] and [r[1] for r in rows[1:]] == ["Berit Boesen"]
    as_xlsx = await client.get("/medarbejdere/eksport", params={**wanted, "status": "alle", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sorted(r[1] for r in sheet.iter_rows(min_row=2, values_only=True)) == ["Bent Boesen", "Berit Boesen"]
    assert await AuditLog.count().where((AuditLog.action == "export") & (AuditLog.entity == "employees")).run() == 2


async def test_a_leader_exports_only_their_own_units(client, world):
    await Employee.insert(Employee(employee_number="5101", name="Fremmed Person", unit=world.unit_b1)).run()
    await login(client, World.LEADER)
    as_csv = (await client.get("/medarbejdere/eksport", params={"format": "csv"})).text
    assert "Søren Ståbi" in as_csv and "Fremmed Person" not in as_csv
