"""Reading tabular files (CSV or XLSX) as exported by payroll and care-record systems."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable, Iterator

MAX_BYTES = 5 * 1024 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, too large, no header)."""


def norm_header(value: object) -> str:
    return re.sub(r"[\s._]", "", str(value or "")).lower()


def read_rows(filename: str, content: bytes) -> list[list[object]]:
    if len(content) > MAX_BYTES:
        raise ImportFileError("Filen er for stor (højst 5 MB)")
    if not content.strip():
        raise ImportFileError("Filen er tom")
    is_zip = content[:4] == b"PK\x03\x04"
    if filename.lower().endswith(".xlsx") or is_zip:
        if not is_zip:
            raise ImportFileError("Filen er ikke en gyldig XLSX-fil")
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for broken files
            raise ImportFileError("XLSX-filen kan ikke læses") from exc
        sheet = wb.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        wb.close()
        return rows
    if b"\x00" in content[:4096]:
        raise ImportFileError("Filen er hverken CSV eller XLSX")
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Danish Windows saves CSV as Windows-1252.
        decoded = content.decode("cp1252", errors="replace")
    first = decoded.splitlines()[0] if decoded else ""
    delimiter = max([";", ",", "\t"], key=first.count)
    return [row for row in csv.reader(io.StringIO(decoded), delimiter=delimiter)]


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError("Datoen skal skrives som ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ")




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

        yield number, cell
