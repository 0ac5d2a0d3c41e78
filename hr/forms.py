"""Field-level validation errors shared by services, pages and the API."""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from math import ceil
from typing import Any, Generic, TypeVar

from hr.settings import TIMEZONE


class NotFound(LookupError):
    """Raised by services when a record does not exist or lies outside the person's scope; the
    web answers 404 (hr/web.py), so controllers need not translate it."""


class ValidationError(Exception):
    """Raised by services; `errors` maps a field name to a Danish message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: list[T], page: int, per_page: int, params: dict[str, Any] | None = None) -> "Page[T]":
        """One page of rows already in memory (short lists filtered in Python); a page past the
        end shows the last one."""
        page = min(max(1, page), max(1, ceil(len(rows) / per_page)))
        return cls(items=rows[(page - 1) * per_page: page * per_page], page=page, per_page=per_page,
                   total=len(rows), params=params or {})

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# Database ids are 32-bit (serial): a larger number can name nothing, and would make the
# database driver fail instead of finding nothing.
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000


def optional_int(value: Any) -> int | None:
    """A form or query value as an int; empty, not a number or out of range gives None."""
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is None or -MAX_ID <= number <= MAX_ID else None


def page_number(value: Any) -> int:
    try:
        return min(max(1, int(value)), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def parse_year(value: Any, errors: dict, field: str = "year") -> int | None:
    """A year from a form, 2000-2100; otherwise a field error."""
    try:
        year = int(str(value or "").strip())
        if 2000 <= year <= 2100:
            return year
    except ValueError:
        pass
    errors[field] = "Skriv et årstal, fx 2027"
    return None


# --- one parser per kind of input ---------------------------------------------------------------
# Every form, API parameter and import goes through these, so a value outside what the
# database and the computations can hold is refused at the edge with a Danish field error.

# Control characters (tab, newline and carriage return aside) and lone surrogates: PostgreSQL
# refuses NUL, spreadsheets refuse the rest, and none belongs in anything a person types.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# No field in the product takes more; a longer value is refused for the whole request.
MAX_FIELD_LENGTH = 20_000
# Dates a person may type, unless a field says otherwise: payroll history and plans, not year 1
# or 9999 (which would overflow every computation that adds a day).
YEARS_BACK, YEARS_AHEAD = 60, 10


def clean_text(value: str) -> str:
    return CONTROL_CHARS.sub("", value)


def local_today() -> date:
    return datetime.now(TIMEZONE).date()


def years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_days(day: date, days: int) -> date:
    """day + days, saturating at the calendar's ends instead of overflowing on odd stored values."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def text(value: Any, errors: dict, field: str, *, max_length: int, required: str | None = None,
         cpr: bool = True) -> str:
    """Free text: cleaned, trimmed, at most max_length characters and, unless cpr=False, no CPR
    number. `required` is the message for an empty value."""
    from hr.cpr import CPR_MESSAGE, contains_cpr

    value = clean_text(str(value or "")).strip()
    if not value:
        if required:
            errors[field] = required
    elif len(value) > max_length:
        errors[field] = f"Teksten må højst være {max_length} tegn (den er {len(value)})"
    elif cpr and contains_cpr(value):
        errors[field] = CPR_MESSAGE
    elif cpr:
        _no_cpr_across_fields(errors, field, value)
    return value


# The free-text values one form's parser has read so far (keyed by its errors dict, which every
# field of one parse shares): a CPR number split over two fields is refused like one in a field.
_FORM_TEXTS: ContextVar[tuple[dict, list[tuple[str, str]]] | None] = ContextVar("form_texts", default=None)


def _no_cpr_across_fields(errors: dict, field: str, value: str) -> None:
    from hr.cpr import SPLIT_MESSAGE, split_cpr

    current = _FORM_TEXTS.get()
    if current is None or current[0] is not errors:
        current = (errors, [])
        _FORM_TEXTS.set(current)
    for other_field, other in current[1]:
        if other_field != field and other_field not in errors and split_cpr([other, value]):
            errors[field] = errors[other_field] = SPLIT_MESSAGE
            return
    current[1].append((field, value))


def one_line(value: Any, errors: dict, field: str, *, max_length: int, required: str | None = None) -> str:
    """A name or a title: `text` with runs of whitespace (newlines too) made one space."""
    return " ".join(text(value, errors, field, max_length=max_length, required=required).split())


def integer(value: Any, errors: dict, field: str, *, low: int, high: int, message: str,
            default: int | None = None) -> int | None:
    """A whole number within [low, high]; empty gives `default` (an error if there is none)."""
    raw = clean_text(str(value if value is not None else "")).strip()
    if not raw and default is not None:
        return default
    try:
        number = int(raw)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        errors[field] = message
        return None
    return number


def parse_date(value: Any, errors: dict, field: str, *, required: str | None = None,
               earliest: date | None = None, latest: date | None = None,
               invalid: str = "Skriv en gyldig dato, fx 27-11-2026") -> date | None:
    """A date as the browser sends it (YYYY-MM-DD) or as people write it (DD-MM-YYYY, DD.MM.YYYY),
    within [earliest, latest] (by default 60 years back to 10 years ahead)."""
    raw = clean_text(str(value or "")).strip()
    if not raw:
        if required:
            errors[field] = required
        return None
    day = None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            day = datetime.strptime(raw, fmt).date()
            break
        except ValueError:
            continue
    if day is None:
        errors[field] = invalid
        return None
    today = local_today()
    earliest = earliest or years_from(today, -YEARS_BACK)
    latest = latest or years_from(today, YEARS_AHEAD)
    if not earliest <= day <= latest:
        errors[field] = f"Datoen skal ligge mellem {earliest:%d.%m.%Y} og {latest:%d.%m.%Y}"
        return None
    return day


@dataclass(frozen=True)
class Period:
    """A list filter's period, both ends included; either end may be open."""

    start: date | None = None
    end: date | None = None

    def params(self) -> dict:
        return {"fra": self.start.isoformat() if self.start else "", "til": self.end.isoformat() if self.end else ""}

    def holds(self, day: date | None) -> bool:
        if day is None:
            return self.start is None and self.end is None
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def parse_period(params: Any, errors: dict) -> Period:
    """The "fra" and "til" of a list's filter, each a date; a bad one is reported at its field and
    left open, so the list still shows (the error says what was not applied)."""
    start = parse_date(params.get("fra"), errors, "fra")
    end = parse_date(params.get("til"), errors, "til")
    if start and end and end < start:
        errors["til"] = "Slutdatoen ligger før startdatoen"
        end = None
    return Period(start, end)


def parse_time(value: Any, errors: dict, field: str, *, required: str | None = None) -> time | None:
    """A clock time TT:MM (seconds ignored)."""
    raw = clean_text(str(value or "")).strip()
    if not raw:
        if required:
            errors[field] = required
        return None
    try:
        return time.fromisoformat(raw).replace(second=0, microsecond=0, tzinfo=None)
    except ValueError:
        errors[field] = "Skriv klokkeslættet som TT:MM, fx 14:30"
        return None


def parse_moment(day: Any, clock: Any, errors: dict, field: str, *, required: str | None = None,
                 earliest: date | None = None, latest: date | None = None,
                 default_time: time | None = None) -> datetime | None:
    """A date and a time of day in Danish time, as a time-zone aware datetime."""
    parsed_day = parse_date(day, errors, field, required=required, earliest=earliest, latest=latest)
    parsed_time = parse_time(clock, errors, field, required=None if default_time else required)
    if parsed_day is None or field in errors:
        return None
    if parsed_time is None:
        if default_time is None:
            return None
        parsed_time = default_time
    return datetime.combine(parsed_day, parsed_time, TIMEZONE)


def parse_decimal(value: Any) -> Decimal | None:
    """A number as Danes write it (12.500,50) or as a spreadsheet holds it; empty gives None.
    Raises ValueError for anything else, NaN and infinity included (they would make every
    comparison with them raise)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet's 10.0 is 10
    raw = clean_text(str(value if value is not None else "")).strip().replace(" ", "")
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    if not raw:
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError("Skriv et tal") from exc
    if not number.is_finite():
        raise ValueError("Skriv et tal")
    return number


def ids(values: list[Any]) -> list[int] | None:
    """Ids from a multi-valued field (checkboxes, a multi-select); None if any is not an id."""
    out = [optional_int(v) for v in values]
    return None if any(v is None or v < 1 for v in out) else list(dict.fromkeys(out))


def field_ids(form, name: str) -> list[int] | None:
    """The ids a form or query sends under `name` (none sent: []); None if any is not an id."""
    return ids(form.getall(name)) if name in form else []
