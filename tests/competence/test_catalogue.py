"""The catalogue: module form rules, import from CSV/XLSX (dry run, row errors, idempotent), export."""

import io

from openpyxl import Workbook

from hr.competence.tables import CourseRun, Module, ModuleMethod
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form

CSV = """Kode;Titel;ECTS;Udbyder;Metoder;Semester;Start;Slut;Ansøgningsfrist;Eksamen;Pris
PÆD-KRAP;KRAP i praksis;10;Absalon;KRAP;F2027;2027-02-01;2027-06-15;2026-12-01;2027-06-10;12.500
PÆD-KRAP;KRAP i praksis;10;Absalon;KRAP;E2027;2027-09-01;2028-01-15;2027-06-01;2028-01-10;12.500
DIL-1;Ledelse og organisation;10;Absalon;;;;;;;
"""


async def upload(client, content: bytes, name: str, apply: bool):
    return await post_form(client, "/kompetence/moduler/import", {"apply": "1" if apply else "0"},
                           files={"file": (name, content, "text/csv")})


async def test_a_dry_run_shows_what_would_happen_and_writes_nothing(client, world):
    await login(client, World.HR)
    response = await upload(client, CSV.encode(), "katalog.csv", apply=False)
    assert response.status_code == 200 and "2 moduler ville blive oprettet" in response.text
    assert await Module.count() == 0 and await CourseRun.count() == 0


async def test_an_import_creates_modules_and_runs_and_a_second_changes_nothing(client, world):
    await login(client, World.HR)
    first = await upload(client, CSV.encode(), "katalog.csv", apply=True)
    report = await confirmed(client, first, "Importen er gennemført", in_place=True)
    assert "2 moduler er oprettet" in report and "2 hold er oprettet" in report
    assert await CourseRun.count() == 2 and await ModuleMethod.count() == 1
    again = await upload(client, CSV.encode(), "katalog.csv", apply=True)
    assert "0 moduler er oprettet, 2 er opdateret, 0 hold er oprettet" in again.text
    assert await Module.count() == 2 and await CourseRun.count() == 2


async def test_an_invalid_row_rejects_the_whole_file_with_row_numbers(client, world):
    await login(client, World.HR)
    bad = CSV + "X-1;Forkert;7;;Ukendt metode;F27;2027-02-01;2027-01-01;;;\n"
    response = await upload(client, bad.encode(), "katalog.csv", apply=True)
    assert response.status_code == 400
    for message in ("5, 10 eller 15 ECTS", "Ukendt metode: Ukendt metode", "F2027", "Slutdatoen ligger før"):
        assert message in response.text
    assert "<td>5</td>" in response.text  # the row number as the spreadsheet shows it
    assert await Module.count() == 0


async def test_xlsx_works_too_and_the_catalogue_exports(client, world):
    book = Workbook()
    sheet = book.active
    sheet.append(["Kode", "Titel", "ECTS", "Metoder"])
    sheet.append(["PÆD-LA", "Low Arousal", 5, "Low Arousal"])
    buffer = io.BytesIO()
    book.save(buffer)
    await login(client, World.HR)
    response = await post_form(client, "/kompetence/moduler/import", {"apply": "1"},
                               files={"file": ("katalog.xlsx", buffer.getvalue(), "application/octet-stream")})
    assert response.status_code == 200 and "1 moduler er oprettet" in response.text
    export = await client.get("/kompetence/moduler/eksport?format=csv")
    assert "PÆD-LA;Low Arousal;5" in export.content.decode("utf-8-sig")


async def test_the_module_form_validates_each_field(client, world):
    await login(client, World.HR)
    bad = await post_form(client, "/kompetence/moduler", {"code": "", "title": "", "ects": "7"})
    assert bad.status_code == 400
    for message in ("Skriv modulets kode", "Skriv modulets titel", "5, 10 eller 15 ECTS"):
        assert message in bad.text
    ok = await post_form(client, "/kompetence/moduler", {"code": "pæd-krap", "title": "KRAP", "ects": "10",
                                                         "methods": str(world.method_krap)})
    assert ok.status_code in (302, 303)
    row = await Module.select().first().run()
    assert row["code"] == "PÆD-KRAP" and await ModuleMethod.count() == 1
    twice = await post_form(client, "/kompetence/moduler", {"code": "PÆD-KRAP", "title": "KRAP", "ects": "10"})
    assert twice.status_code == 400 and "allerede et modul" in twice.text
    run = await post_form(client, f"/kompetence/moduler/{row['id']}/hold",
                          {"semester": "F2027", "starts_on": "2027-02-01", "ends_on": "2027-06-01",
                           "application_deadline": "2027-03-01", "price": "12.500"})
    assert run.status_code == 400 and "Ansøgningsfristen skal ligge før start" in run.text
    assert await CourseRun.count() == 0
