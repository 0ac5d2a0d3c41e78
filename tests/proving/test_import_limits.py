"""File imports (payroll, catalogue, use of force) cannot tie up the service: sizes, zip members,
rows and columns are checked before and while reading, with a Danish refusal, and parsing runs
off the event loop, so everyone else is answered while a large file is read."""

import asyncio
import io
import random
import string
import zipfile

import pytest
from openpyxl import Workbook

from hr.tabular import MAX_BYTES, MAX_ROWS, ImportFileError, read_rows_now, text
from tests.conftest import World, login, post_form
from tests.org.test_import import HEADER

COLUMNS = HEADER.split(";")


def _small_xlsx() -> bytes:
    wb = Workbook()
    wb.active.append(COLUMNS)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def payroll_xlsx(target_bytes: int) -> bytes:
    """A payroll export of random (poorly compressible) text, just under target_bytes."""
    rng = random.Random(20261201)
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet()
    sheet.append(COLUMNS)
    rows = 0
    buffer = io.BytesIO()
    while True:
        for _ in range(500):
            rows += 1
            sheet.append([str(10000 + rows), "".join(rng.choices(string.ascii_letters, k=40)),
                          *["".join(rng.choices(string.ascii_letters + string.digits, k=40)) for _ in COLUMNS[2:]]])
        if rows * len(COLUMNS) * 31 > target_bytes:  # about what a cell of random text costs compressed
            break
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def large_file() -> bytes:
    content = payroll_xlsx(int(MAX_BYTES * 0.9))
    assert MAX_BYTES * 0.6 < len(content) <= MAX_BYTES, len(content)
    return content


def test_a_zip_that_unpacks_far_beyond_its_size_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO(_small_xlsx())
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 200 * 1024  # 60 MB unpacked from a fraction of a megabyte
    with pytest.raises(ImportFileError, match="for stor til at blive indlæst"):
        read_rows_now("bomb.xlsx", bomb)


def test_too_many_rows_or_columns_are_refused_while_reading():
    many_rows = ("a;b\n" + "1;2\n" * (MAX_ROWS + 5)).encode()
    with pytest.raises(ImportFileError, match="højst 20.000 rækker"):
        read_rows_now("rows.csv", many_rows)
    wide = (";".join(f"k{i}" for i in range(100)) + "\n").encode()
    with pytest.raises(ImportFileError, match="60 kolonner"):
        read_rows_now("wide.csv", wide)
    wb = Workbook()
    wb.active.cell(row=1, column=1, value="x")
    wb.active.cell(row=1, column=5000, value="far out")
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(ImportFileError, match="60 kolonner"):
        read_rows_now("wide.xlsx", buffer.getvalue())


async def test_a_refused_file_gets_a_danish_field_error_on_each_import_page(client, world):
    buffer = io.BytesIO(_small_xlsx())
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))
    await login(client, World.HR)
    for page in ("/admin/import", "/kompetence/moduler/import", "/arbejdsmiljoe/magtanvendelser/import"):
        response = await post_form(client, page, files={"file": ("bomb.xlsx", buffer.getvalue())},
                                   token_from=page)
        assert response.status_code == 400, (page, response.status_code)
        assert "for stor til at blive indlæst" in response.text, page


async def test_others_are_answered_while_a_large_import_is_parsed(client, new_client, world, large_file):
    await login(client, World.HR)
    other = new_client()
    await login(other, World.STAFF)
    upload = asyncio.create_task(post_form(client, "/admin/import", files={"file": ("loen.xlsx", large_file)},
                                           token_from="/admin/import"))
    answered_during = 0
    while not upload.done():
        page = await other.get("/arbejdsmiljoe")
        assert page.status_code == 200
        if not upload.done():
            answered_during += 1
        await asyncio.sleep(0.01)
    response = await upload
    assert response.status_code in (200, 400) and "Der skete en fejl" not in response.text
    # While the file was read, the staff member's pages kept coming (parsing blocked nobody).
    assert answered_during >= 3, answered_during


def test_a_csv_the_csv_module_cannot_read_is_refused_with_a_reason_and_control_characters_are_dropped():
    with pytest.raises(ImportFileError, match="CSV-filen kan ikke læses"):
        read_rows_now("odd.csv", ("a;b\n1;" + "x" * 200_000 + "\n").encode())
    rows = read_rows_now("nul.csv", ("a;b\n" + "1;2\n" * 2000 + "3;\x004\x07\n").encode())
    assert text(rows[-1][1]) == "4"
