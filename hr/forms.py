"""Field-level validation errors shared by services, pages and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil
from typing import Any, Generic, TypeVar


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
