"""CSV and XLSX downloads of table views, shared by every domain."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Sequence

from litestar.response import Response

from hr.forms import clean_text
from hr.settings import TIMEZONE

FORMATS = ("csv", "xlsx")
EXPORT_LIMIT = 50000  # the most rows one download holds
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plain(value: Any) -> Any:
    """Values as a spreadsheet should hold them: local time without zone, text guarded
    against formula injection (a cell starting with = + - @ would run in Excel)."""
    if isinstance(value, datetime):
        try:
            return value.astimezone(TIMEZONE).replace(tzinfo=None, microsecond=0)
        except OverflowError:  # an odd stored time at the calendar's end: shown as stored (UTC)
            return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        # Stored text from before input was cleaned may hold control characters, which a
        # spreadsheet refuses (and which would fail the export for everyone).
        value = clean_text(value)
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
    return value


def _text(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    # Semicolons and a byte-order mark: what Excel with Danish settings opens correctly.
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Data") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(headers))
    for row in rows:
        sheet.append([_plain(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    if fmt == "xlsx":
        body, media_type = to_xlsx(headers, rows, filename), XLSX_TYPE
    else:
        # Litestar adds "; charset=utf-8" to a text/ type itself.
        fmt, body, media_type = "csv", to_csv(headers, rows), "text/csv"
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'})
