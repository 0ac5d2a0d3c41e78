"""Detects Danish CPR numbers in free text, so they are never stored.

A CPR number is ten digits, DDMMYY-SSSS, with a real date of birth. People write it in many
ways, and some ways are meant to slip past a filter, so the text is normalised first: Unicode
compatibility forms folded (NFKC: full-width digits, non-breaking spaces), invisible format
characters removed (zero-width spaces and joiners, soft hyphens, direction marks), every kind
of dash, dot, slash, underscore and space treated alike as a separator, and the letter O next
to a digit read as a zero. Then the digit groups are matched against the shapes a CPR number
is written in, so that phone numbers, dates, times, case numbers and employee numbers pass.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_SEPARATORS = "-./_ "
# Digit groups joined by short runs of separators: "01.01.90 - 1234" is one run of four groups.
_RUN = re.compile(r"(?<![0-9+])[0-9]+(?:[-./_ ]{1,3}[0-9]+)*")
_SPLIT = re.compile(r"([-./_ ]+)")
_LETTER_O = re.compile(r"(?<=[0-9])[Oo]|[Oo](?=[0-9])")

# Where a CPR number may be split into groups, as positions in its ten digits: written whole,
# DDMMYY-SSSS, DD.MM.YY-SSSS, or in pairs with one separator throughout (DD-MM-YY-SS-SS).
_SHAPES = {(), (6,), (2, 4, 6), (2, 4, 6, 8)}


def normalise(text: str) -> str:
    """The text as the guard reads it (see the module's docstring)."""
    out = []
    for char in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(char)
        if category == "Cf":  # zero-width space/joiners, soft hyphen, bidi marks, BOM
            continue
        digit = unicodedata.decimal(char, None)
        if digit is not None:
            out.append(str(digit))
        elif category == "Pd" or char in "\u2212\u2043":  # hyphens, en/em dashes, minus sign
            out.append("-")
        elif char.isspace():
            out.append(" ")
        else:
            out.append(char)
    result = "".join(out)
    previous = None
    while previous != result:  # "1OO1": each pass reads the O's that touch a digit
        previous, result = result, _LETTER_O.sub("0", result)
    return result


def _valid_date(digits: str) -> bool:
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    for century in (2000, 1900):  # 29 February exists in only one of the two for some years
        try:
            date(century + year, month, day)
            return True
        except ValueError:
            continue
    return False


def _cpr_in_run(run: str) -> bool:
    parts = _SPLIT.split(run)
    groups, separators = parts[0::2], parts[1::2]
    for first in range(len(groups)):
        length, cuts = 0, []
        for last in range(first, len(groups)):
            length += len(groups[last])
            if length > 10:
                break
            if length == 10:
                shape = tuple(cuts)
                used = {s.strip() or " " for s in separators[first:last]}
                if shape in _SHAPES and (shape != (2, 4, 6, 8) or len(used) == 1):
                    if _valid_date("".join(groups[first:last + 1])):
                        return True
                break
            cuts.append(length)
    return False


def contains_cpr(text: str | None) -> bool:
    """True if the text holds something shaped like a CPR number with a real birth date.
    Modulus 11 is not checked: numbers issued since 2007 need not satisfy it."""
    if not text:
        return False
    return any(_cpr_in_run(match.group(0)) for match in _RUN.finditer(normalise(text)))


CPR_MESSAGE = ("Feltet ser ud til at indeholde et CPR-nummer. Fjern det, og omtal borgeren med "
               "pseudonymet, før du gemmer.")
