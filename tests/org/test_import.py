"""Payroll import: idempotent upsert keyed on employee number, dry run, row errors, nothing half-written."""

import io
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import Workbook

from hr.audit import AuditEvent
from hr.forms import local_today
from hr.org.importer import ImportFileError, run_import
from hr.org.tables import Employee, Unit
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form

HEADER = ("Medarbejdernummer;Navn;E-mail;Stilling;Beskæftigelsesgrad;Startdato;Slutdato;"
          "Afdelingskode;Afdeling;Tilbudskode;Leder")


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


VALID = csv_bytes(
    "2001;Karen Kjær;karen@test.example;Afdelingsleder;1;01-02-2015;;A3;Afdeling A3;A;",
    "2002;Ørjan Ås;orjan@test.example;Socialpædagog;0,8;2020-03-01;;A3;Afdeling A3;A;2001",
    "2003;Åse Bæk;;Pædagogisk assistent;75;15.08.2019;;B1;Afdeling B1;B;2001",
)


async def test_it_creates_units_and_employees_from_a_csv_export(world):
    result = await run_import("loen.csv", VALID, dry_run=False, principal=None)
    assert result.ok, result.errors
    assert result.created == ["2001", "2002", "2003"]
    assert result.units_created == ["A3"]
    orjan = await Employee.select(Employee.all_columns(), Employee.manager.employee_number.as_alias("boss"),
                                  Employee.unit.code.as_alias("unit_code")).where(
        Employee.employee_number == "2002").first().run()
    assert orjan["name"] == "Ørjan Ås"
    assert float(orjan["fte"]) == 0.8
    assert orjan["start_date"] == date(2020, 3, 1)
    assert orjan["boss"] == "2001"
    assert orjan["unit_code"] == "A3"
    ase = await Employee.select().where(Employee.employee_number == "2003").first().run()
    assert float(ase["fte"]) == 0.75
    assert ase["email"] is None


async def test_re_importing_the_same_file_changes_nothing(world):
    await run_import("loen.csv", VALID, dry_run=False, principal=None)
    before = await Employee.select().order_by(Employee.id).run()
    again = await run_import("loen.csv", VALID, dry_run=False, principal=None)
    assert again.ok
    assert (again.created, again.updated, again.deactivated, again.units_created) == ([], [], [], [])
    assert again.unchanged == 3
    assert await Employee.select().order_by(Employee.id).run() == before


async def test_it_updates_changed_fields_and_reports_them(world):
    await run_import("loen.csv", VALID, dry_run=False, principal=None)
    changed = csv_bytes(
        "2001;Karen Kjær;karen@test.example;Afdelingsleder;1;01-02-2015;;A3;Afdeling A3;A;",
        "2002;Ørjan Ås;orjan@test.example;Teamleder;1;2020-03-01;;A3;Afdeling A3;A;2001",
        "2003;Åse Bæk;;Pædagogisk assistent;75;15.08.2019;;B1;Afdeling B1;B;2001",
    )
    result = await run_import("loen.csv", changed, dry_run=False, principal=None)
    assert result.updated == [("2002", ["job_title", "fte"])]
    row = await Employee.select().where(Employee.employee_number == "2002").first().run()
    assert row["job_title"] == "Teamleder"


async def test_a_leaver_is_marked_inactive_and_kept(world):
    await run_import("loen.csv", VALID, dry_run=False, principal=None)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    left = csv_bytes(
        "2001;Karen Kjær;karen@test.example;Afdelingsleder;1;01-02-2015;;A3;Afdeling A3;A;",
        f"2002;Ørjan Ås;orjan@test.example;Socialpædagog;0,8;2020-03-01;{yesterday};A3;Afdeling A3;A;2001",
        "2003;Åse Bæk;;Pædagogisk assistent;75;15.08.2019;;B1;Afdeling B1;B;2001",
    )
    result = await run_import("loen.csv", left, dry_run=False, principal=None)
    assert result.deactivated == ["2002"]
    row = await Employee.select().where(Employee.employee_number == "2002").first().run()
    assert row["active"] is False
    assert row["end_date"].isoformat() == yesterday


async def test_a_full_export_marks_missing_employees_inactive_only_when_asked(world):
    await run_import("loen.csv", VALID, dry_run=False, principal=None)
    partial = csv_bytes("2001;Karen Kjær;karen@test.example;Afdelingsleder;1;01-02-2015;;A3;Afdeling A3;A;")
    plain = await run_import("loen.csv", partial, dry_run=False, principal=None)
    assert plain.deactivated == []
    full = await run_import("loen.csv", partial, dry_run=False, mark_missing=True, principal=None)
    assert "2002" in full.deactivated and "2003" in full.deactivated
    assert await Employee.count().where(Employee.employee_number == "2002").run() == 1
    assert await Employee.count().where(Employee.active.eq(True)).run() == 1


async def test_a_dry_run_shows_changes_and_writes_nothing(world):
    employees = await Employee.count().run()
    result = await run_import("loen.csv", VALID, dry_run=True, principal=None)
    assert result.created == ["2001", "2002", "2003"]
    assert "ville blive oprettet" in result.describe()
    assert await Employee.count().run() == employees
    assert await Unit.count().where(Unit.code == "A3").run() == 0


async def test_an_invalid_file_is_refused_whole_with_row_numbers(world):
    employees = await Employee.count().run()
    bad = csv_bytes(
        "2001;Karen Kjær;karen@test.example;Afdelingsleder;1;01-02-2015;;A3;Afdeling A3;A;",
        "2002;;orjan@test.example;Socialpædagog;0,8;2020-13-45;;A3;Afdeling A3;A;",
        "2003;Åse Bæk;ikke-en-mail;Pædagog;abc;;;B1;Afdeling B1;X;9999",
        "2001;Dublet;;;;;;A3;Afdeling A3;A;",
    )
    result = await run_import("loen.csv", bad, dry_run=False, principal=None)
    assert not result.ok
    found = {(e.row, e.field) for e in result.errors}
    assert (3, "Navn") in found
    assert (3, "Startdato") in found
    assert (4, "E-mail") in found
    assert (4, "Beskæftigelsesgrad") in found
    assert (5, "Medarbejdernummer") in found
    assert await Employee.count().run() == employees
    assert await Unit.count().where(Unit.code == "A3").run() == 0


async def test_unknown_institution_and_manager_are_row_errors(world):
    bad = csv_bytes("2003;Åse Bæk;;Pædagog;1;;;B1;Afdeling B1;X;9999")
    result = await run_import("loen.csv", bad, dry_run=False, principal=None)
    messages = {(e.row, e.field): e.message for e in result.errors}
    assert messages[(2, "Tilbudskode")] == "Ukendt tilbud: X"
    assert messages[(2, "Leder")] == "Ukendt leder: 9999"


async def test_missing_columns_reject_the_file(world):
    import pytest

    with pytest.raises(ImportFileError, match="Kolonner mangler: Tilbudskode"):
        header = HEADER.rsplit(";", 2)[0]
        await run_import("loen.csv", csv_bytes("1;A;;;;;;A1;;", header=header), dry_run=True, principal=None)


async def test_it_reads_windows_1252_csv_with_commas(world):
    content = csv_bytes("2005,Søs Ærø,,Socialpædagog,1,2020-01-01,,A1,Afdeling A1,A,",
                        header=HEADER.replace(";", ","), encoding="cp1252")
    result = await run_import("loen.csv", content, dry_run=False, principal=None)
    assert result.ok, result.errors
    row = await Employee.select(Employee.name).where(Employee.employee_number == "2005").first().run()
    assert row["name"] == "Søs Ærø"


def xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


async def test_it_reads_an_xlsx_export_with_date_cells(world):
    content = xlsx_bytes([
        HEADER.split(";"),
        [3001, "Xenia Xlsx", "x@test.example", "Sygeplejerske", 0.5, date(2018, 5, 1), None,
         "A1", "Afdeling A1", "A", None],
    ])
    result = await run_import("loen.xlsx", content, dry_run=False, principal=None)
    assert result.ok, result.errors
    row = await Employee.select().where(Employee.employee_number == "3001").first().run()
    assert row["start_date"] == date(2018, 5, 1)
    assert float(row["fte"]) == 0.5


async def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(world):
    import pytest

    with pytest.raises(ImportFileError):
        await run_import("loen.xlsx", b"PK\x03\x04garbage", dry_run=True, principal=None)
    with pytest.raises(ImportFileError):
        await run_import("loen.csv", b"\x00\x01\x02binary", dry_run=True, principal=None)


async def test_hr_imports_through_the_upload_page_with_dry_run_first(client, world):
    await login(client, World.HR)
    preview = await post_form(client, "/admin/import", {"apply": "0"},
                              files={"file": ("loen.csv", VALID, "text/csv")}, token_from="/admin/import")
    assert preview.status_code == 200
    assert "Prøvekørsel: intet er gemt" in preview.text
    assert await Employee.count().where(Employee.employee_number == "2001").run() == 0
    applied = await post_form(client, "/admin/import", {"apply": "1"},
                              files={"file": ("loen.csv", VALID, "text/csv")}, token_from="/admin/import")
    await confirmed(client, applied, "Importen er gennemført", in_place=True)
    assert await Employee.count().where(Employee.employee_number == "2001").run() == 1
    assert await AuditEvent.count().where(AuditEvent.action == "import").run() == 1


async def test_the_upload_page_lists_row_errors(client, world):
    await login(client, World.HR)
    bad = csv_bytes("2002;;x@test.example;;;;;A3;;A;")
    response = await post_form(client, "/admin/import", {"apply": "1"},
                               files={"file": ("loen.csv", bad, "text/csv")}, token_from="/admin/import")
    assert response.status_code == 400
    assert "Filen blev afvist" in response.text
    assert "<td>2</td><td>Navn</td><td>Skal udfyldes</td>" in response.text


async def test_the_upload_page_asks_for_a_file(client, world):
    await login(client, World.HR)
    response = await post_form(client, "/admin/import", {"apply": "1"}, token_from="/admin/import")
    assert response.status_code == 400
    assert "Vælg en CSV- eller XLSX-fil" in response.text


def test_the_cli_imports_with_dry_run(tmp_path, world):
    """Runs the real `hr import employees` command against the test database."""
    import os

    path = tmp_path / "loen.csv"
    path.write_bytes(VALID)
    env = dict(os.environ)
    dry = subprocess.run([sys.executable, "-m", "hr.cli", "import", "employees", str(path), "--dry-run"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "3 ville blive oprettet" in dry.stdout
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("2002;;;;;;;A3;;A;"))
    failed = subprocess.run([sys.executable, "-m", "hr.cli", "import", "employees", str(bad)],
                            capture_output=True, text=True, env=env, timeout=60)
    assert failed.returncode == 1
    assert "Række 2: Navn: Skal udfyldes" in failed.stderr


async def test_a_column_the_file_lacks_leaves_what_is_known_as_it_is(world):
    await run_import("loen.csv", VALID, dry_run=False, principal=None)
    slim = csv_bytes("2001;Karen Kjær;A3;Afdeling A3;A", "2002;Ørjan Ås;A3;Afdeling A3;A",
                     header="Medarbejdernummer;Navn;Afdelingskode;Afdeling;Tilbudskode")
    result = await run_import("loen.csv", slim, dry_run=False, principal=None)
    assert result.unchanged == 2 and not result.updated and not result.deactivated
    karen = await Employee.select().where(Employee.employee_number == "2001").first().run()
    orjan = await Employee.select().where(Employee.employee_number == "2002").first().run()
    assert karen["email"] == "karen@test.example" and karen["job_title"] == "Afdelingsleder"
    assert orjan["manager"] == karen["id"] and orjan["fte"] == Decimal("0.8")
