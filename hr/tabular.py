"""Reading tabular files (CSV or XLSX) as exported by payroll and care-record systems."""

from __future__ import annotations

import asyncio
import csv
import io
import multiprocessing
import os
import re
import threading
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Iterator

from hr import forms

MAX_BYTES = 5 * 1024 * 1024
# What a payroll export of the whole region (about 1,800 rows) or a care-record export can hold,
# with room to spare; anything beyond is refused before it can tie up the service.
MAX_ROWS = 20_000
MAX_COLUMNS = 60
MAX_UNPACKED = 40 * 1024 * 1024
MAX_UNPACKED_MEMBER = 30 * 1024 * 1024
MAX_ZIP_MEMBERS = 200
TOO_BIG = (f"Filen er for stor til at blive indlæst: højst {MAX_ROWS:,} rækker og {MAX_COLUMNS} kolonner "
           "og højst 40 MB udpakket. Del filen op, eller fjern tomme kolonner og faner.").replace(",", ".")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, too large, no header)."""


def norm_header(value: object) -> str:
    return re.sub(r"[\s._]", "", str(value or "")).lower()


_parsers: list[ProcessPoolExecutor] = []


def _parser() -> ProcessPoolExecutor:
    # A separate process, not a thread: parsing XML holds the interpreter lock, and a thread
    # would still slow every other request of this worker several-fold. Started on first use
    # (spawned, not forked: the service's threads and connections stay behind).
    if not _parsers:
        _parsers.append(ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_follow_parent, initargs=(os.getpid(),)))
    return _parsers[0]


def _follow_parent(parent: int) -> None:
    """In the parsing process: exit when the service's process is gone, however it ended (a
    killed parent never tells its pool to stop)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def stop_parser() -> None:
    """Ends the parsing process with the service (it would otherwise outlive it)."""
    while _parsers:
        _parsers.pop().shutdown(wait=False, cancel_futures=True)


def _read_then(filename: str, content: bytes, then: Callable | None):
    rows = read_rows_now(filename, content)
    return then(rows) if then else rows


async def read_rows(filename: str, content: bytes, then: Callable | None = None):
    """The file's rows, read in a separate process, so the service goes on answering everyone
    else while a large file is parsed. `then` (a module-level function of the rows) runs there
    too: row-by-row checking of a large file is work for that process as well."""
    try:
        return await asyncio.get_running_loop().run_in_executor(_parser(), _read_then, filename, content, then)
    except BrokenProcessPool:  # the parser died (killed, out of memory): start a new one next time
        _parsers.clear()
        raise ImportFileError("Filen kunne ikke læses. Prøv igen, eller del filen op.") from None


def read_rows_now(filename: str, content: bytes) -> list[list[object]]:
    if len(content) > MAX_BYTES:
        raise ImportFileError("Filen er for stor (højst 5 MB)")
    if not content.strip():
        raise ImportFileError("Filen er tom")
    is_zip = content[:4] == b"PK\x03\x04"
    if filename.lower().endswith(".xlsx") or is_zip:
        if not is_zip:
            raise ImportFileError("Filen er ikke en gyldig XLSX-fil")
        return _xlsx_rows(content)
    if b"\x00" in content[:4096]:
        raise ImportFileError("Filen er hverken CSV eller XLSX")
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Danish Windows saves CSV as Windows-1252.
        decoded = content.decode("cp1252", errors="replace")
    first = decoded.splitlines()[0] if decoded else ""
    delimiter = max([";", ",", "\t"], key=first.count)
    try:
        return _bounded(csv.reader(io.StringIO(decoded), delimiter=delimiter))
    except csv.Error as exc:  # a NUL further in, a field beyond the csv module's limit
        raise ImportFileError(f"CSV-filen kan ikke læses: {exc}") from exc


def _xlsx_rows(content: bytes) -> list[list[object]]:
    """An XLSX file is a zip: its members' sizes are checked before anything is unpacked (a few
    kilobytes can unpack to gigabytes), and the rows and columns while they are read."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError("XLSX-filen kan ikke læses") from exc
    if len(members) > MAX_ZIP_MEMBERS or any(m.file_size > MAX_UNPACKED_MEMBER for m in members) \
            or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise ImportFileError(TOO_BIG)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = wb.worksheets[0]
            # The sheet's own dimension says how wide it is; read-only mode pads every row to it.
            if (sheet.max_column or 0) > MAX_COLUMNS or (sheet.max_row or 0) > MAX_ROWS + 1:
                raise ImportFileError(TOO_BIG)
            # max_col as well: the dimension may be missing or lie.
            return _bounded(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1))
        finally:
            wb.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many types for broken files (also on a member
        raise ImportFileError("XLSX-filen kan ikke læses") from exc  # larger than it declared)


def _bounded(rows) -> list[list[object]]:
    out = []
    for row in rows:
        row = list(row)
        if len(row) > MAX_COLUMNS and any(not blank(c) for c in row[MAX_COLUMNS:]):
            raise ImportFileError(TOO_BIG)
        out.append(row[:MAX_COLUMNS])
        if len(out) > MAX_ROWS:
            raise ImportFileError(TOO_BIG)
    return out


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return forms.clean_text(str(value)).strip()


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        value = value.isoformat()  # a spreadsheet's own date is held to the same range as typed ones
    errors: dict[str, str] = {}
    day = forms.parse_date(text(value), errors, "date", required="Datoen mangler")
    if day is None:
        raise ValueError(errors.get("date", "Datoen skal skrives som ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ"))
    return day




@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportOutcome:
    """What every import reports: rows read, errors by row (any error: nothing is written)."""

    dry_run: bool
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    LISTED = 200  # errors shown on the page; a file of 10,000 bad rows is refused, not listed whole

    @property
    def ok(self) -> bool:
        return not self.errors

    def describe(self) -> str:
        if self.errors:
            return f"{len(self.errors)} fejl i {self.rows} rækker: intet er gemt."
        return self.summary("ville blive" if self.dry_run else "er")

    def summary(self, verb: str) -> str:
        raise NotImplementedError



def data_rows(rows: list[list[object]], aliases: dict[str, list[str]], required: tuple[str, ...],
              labels: dict[str, str]) -> Iterator[tuple[int, Callable[[str], object]]]:
    """Finds the header row, maps columns by their known aliases and yields, for each
    non-blank data row, its row number as a spreadsheet shows it and a cell getter."""
    header_index = next((i for i, r in enumerate(rows) if any(not blank(c) for c in r)), None)
    if header_index is None:
        raise ImportFileError("Filen har ingen overskriftsrække")
    header = [norm_header(c) for c in rows[header_index]]
    columns: dict[str, int] = {}
    for key, names in aliases.items():
        for alias in names:
            if norm_header(alias) in header:
                columns[key] = header.index(norm_header(alias))
                break
    missing = [labels[k] for k in required if k not in columns]
    if missing:
        raise ImportFileError(f"Kolonner mangler: {', '.join(missing)}")
    for number, raw in enumerate(rows[header_index + 1:], start=header_index + 2):
        if all(blank(c) for c in raw):
            continue

        def cell(key: str, raw: list = raw) -> object:
            idx = columns.get(key)
            return raw[idx] if idx is not None and idx < len(raw) else None

        cell.columns = columns  # which keys the file has at all (an empty cell is not a missing column)
        yield number, cell
