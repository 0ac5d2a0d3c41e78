"""Detects Danish CPR numbers in free text, so they are never stored."""

from __future__ import annotations

import re
from datetime import date

# DDMMYY-SSSS, with or without the dash, a space or a dot; not part of a longer number.
_CPR = re.compile(r"(?<![\d])(\d{2})(\d{2})(\d{2})[-\s.]?(\d{4})(?![\d])")


def _valid_date(day: str, month: str, year: str) -> bool:
    try:
        date(2000 + int(year), int(month), int(day))
    except ValueError:
        # 29 February in a year 19xx/20xx that is a leap year only in the other century
        try:
            date(1900 + int(year), int(month), int(day))
        except ValueError:
            return False
    return True


def contains_cpr(text: str | None) -> bool:
    """True if the text holds something shaped like a CPR number with a real birth date.
    Modulus 11 is not checked: numbers issued since 2007 need not satisfy it."""
    if not text:
        return False
    return any(_valid_date(d, m, y) for d, m, y, _ in _CPR.findall(text))


CPR_MESSAGE = ("Feltet ser ud til at indeholde et CPR-nummer. Fjern det, og omtal borgeren med "
               "pseudonymet, før du gemmer.")
