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

# What people put between the digit groups of a number: dashes, dots, slashes, underscores,
# spaces (line breaks too), colons, commas, middle dots and brackets.
_SEP = r"[-./_ :,\u00b7()]"
# Digit groups joined by short runs of separators: "01.01.90 - 1234" is one run of four groups.
_RUN = re.compile(rf"(?<![0-9])[0-9]+(?:{_SEP}{{1,3}}[0-9]+)*")
_SPLIT = re.compile(rf"({_SEP}+)")
_LETTER_O = re.compile(r"(?<=[0-9])[Oo]|[Oo](?=[0-9])")

# Where a CPR number may be cut into groups, as positions in its digits. Ten digits (DDMMYY SSSS):
# whole, or cut between date and serial (6) and anywhere between pairs besides: DDMMYY-SSSS,
# DD.MM.YY-SSSS, 0101 90-1234, 010190-12 34, DD-MM-YY-SS-SS. Twelve (a four-digit year, DDMMYYYY
# SSSS): whole, or cut after the year (8) and between day, month and the serial's pairs.
_SHAPES_10 = {()} | {tuple(sorted({6} | set(extra))) for extra in
                     ((), (2,), (4,), (8,), (2, 4), (2, 8), (4, 8), (2, 4, 8))}
_SHAPES_12 = {()} | {tuple(sorted({8} | set(extra))) for extra in
                     ((), (2,), (4,), (10,), (2, 4), (2, 10), (4, 10), (2, 4, 10))}
# A number named by its context is that number, not a CPR number: a case, journal or production
# unit (P) number, a CVR or EAN number, an order or an invoice. The label must come right before it.
_NAMED = re.compile(
    r"(?:\b(?:sag|sagen|sagsnr|sagsnummer|sags-?id|j|jnr|journal|journalnr|journalnummer|p|p-nr|pnr|"
    r"p-nummer|produktionsenhed|cvr|cvr-nr|cvrnr|ean|ean-nr|se-nr|ordre|ordrenr|faktura|fakturanr|"
    r"bilag|bilagsnr|ref|reference|akt|aktnr|dok|dokumentnr|ansøgning|ansøgningsnr)"
    r"\.?\s?(?:nr\.?|nummer)?\s?[.:#]?\s*)$", re.IGNORECASE)


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


def _valid_date(day: int, month: int, year: int) -> bool:
    try:
        date(year, month, day)
        return True
    except ValueError:
        return False


def _is_time(hour: int, minute: int) -> bool:
    return hour < 24 and minute < 60


def _looks_like_cpr(digits: str, cuts: tuple[int, ...], separators: list[str], more_follows: bool) -> bool:
    """`more_follows`: the run goes on with more digit groups after these (a list or a range of
    dates, a list of phone numbers)."""
    if len(digits) == 10:
        if cuts not in _SHAPES_10:
            return False
        day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
        # 29 February exists in only one of the two centuries for some years.
        if not (_valid_date(day, month, 2000 + year) or _valid_date(day, month, 1900 + year)):
            return False
    else:
        year = int(digits[4:8])
        if cuts not in _SHAPES_12 or not 1858 <= year <= date.today().year:
            return False
        if not _valid_date(int(digits[0:2]), int(digits[2:4]), year):
            return False
    hour, minute = int(digits[-4:-2]), int(digits[-2:])
    if cuts and cuts[-1] == len(digits) - 2 and len(cuts) >= 2 and cuts[-2] == len(digits) - 4:
        # The serial written in two halves. A date and a time ("01.02.2026 12.30", "15-03-2026,
        # 11:30"): an hour and a minute joined by a colon, or by a dot after a space or a comma.
        # Pairs with one separator throughout ("01.01.90.12.34") are a CPR number all the same.
        # Nor is it one when more groups follow: the halves begin the next date or phone number
        # ("01.12.26, 02.12.26", "21 03 56 78, 22 33 44 55", "01-12-2026 - 05-12-2026").
        before, between = separators[-2].strip() or " ", separators[-1].strip() or " "
        if _is_time(hour, minute) and (between == ":" or (between == "." and before in (" ", ","))):
            return False
        if more_follows:
            return False
    elif len(digits) == 12 and int(digits[4:8]) >= date.today().year - 1 and _is_time(hour, minute):
        # "den 01.12.2026 1230": this or last year's date and a time; a CPR number that young is
        # a baby's, which this product's reports do not concern.
        return False
    return True


def _cpr_in_run(run: str) -> bool:
    parts = _SPLIT.split(run)
    groups, separators = parts[0::2], parts[1::2]
    for first in range(len(groups)):
        length, cuts = 0, []
        for last in range(first, len(groups)):
            length += len(groups[last])
            if length > 12:
                break
            # Twelve digits right after a four-digit group are an ISO date's tail and the next date
            # ("2026-12-01/2026-12-31"), not a CPR number with its year written out.
            if length == 10 or (length == 12 and not (first and len(groups[first - 1]) == 4)):
                digits = "".join(groups[first:last + 1])
                if _looks_like_cpr(digits, tuple(cuts), separators[first:last], last + 1 < len(groups)):
                    return True
            cuts.append(length)
    return False


def contains_cpr(text: str | None) -> bool:
    """True if the text holds something shaped like a CPR number with a real birth date.
    Modulus 11 is not checked: numbers issued since 2007 need not satisfy it."""
    if not text:
        return False
    normalised = normalise(text)
    return any(_cpr_in_run(match.group(0)) for match in _RUN.finditer(normalised)
               if not _NAMED.search(normalised[max(0, match.start() - 40):match.start()]))


_ENDS_IN_DIGITS = re.compile(rf"[0-9]{_SEP}*$")
_STARTS_WITH_DIGITS = re.compile(rf"^{_SEP}*[0-9]")


def split_cpr(values: list[str]) -> tuple[int, int] | None:
    """A CPR number split over two fields of one form ("010190" in one, "1234" in the next): the
    positions of the first two values whose joint (either way round) holds one that neither holds
    alone; None when there is none. Only a value that ends in digits can open such a number and
    only one that begins with them can close it, so each end is read once and only those pairs
    are joined (an import checks every row)."""
    tails, heads = {}, {}
    for index, value in enumerate(values):
        tail, head = (value or "")[-24:], (value or "")[:24]
        if _ENDS_IN_DIGITS.search(normalise(tail)) and not contains_cpr(tail):
            tails[index] = tail
        if _STARTS_WITH_DIGITS.match(normalise(head)) and not contains_cpr(head):
            heads[index] = head
    for i, tail in tails.items():
        for j, head in heads.items():
            if i != j and contains_cpr(f"{tail} {head}"):
                return (min(i, j), max(i, j))
    return None


SPLIT_MESSAGE = ("Dette felt og et andet felt, der også er markeret, ser tilsammen ud til at indeholde et "
                 "CPR-nummer. Fjern det, og omtal borgeren med pseudonymet, før du gemmer.")
CPR_MESSAGE = ("Feltet ser ud til at indeholde et CPR-nummer. Fjern det, og omtal borgeren med "
               "pseudonymet, før du gemmer.")


def fields_with_cpr(values: dict[str, str]) -> dict[str, str]:
    """The one guard over a set of text fields (a form, an imported row): {field: message} for
    each field that holds a CPR number, and for both fields of one split over two."""
    found = {name: CPR_MESSAGE for name, value in values.items() if value and contains_cpr(value)}
    rest = [name for name, value in values.items() if value and name not in found]
    split = split_cpr([values[name] for name in rest])
    if split:
        found.update({rest[index]: SPLIT_MESSAGE for index in split})
    return found
