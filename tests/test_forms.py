"""The shared parsers every form, API parameter and import goes through (hr/forms.py)."""

from datetime import date, time
from decimal import Decimal

import pytest

from hr.forms import (
    MAX_ID,
    add_days,
    clean_text,
    ids,
    integer,
    local_today,
    parse_date,
    parse_decimal,
    parse_moment,
    text,
    years_from,
)


def test_dates_outside_the_plausible_are_field_errors():
    errors: dict = {}
    assert parse_date("9999-12-31", errors, "ends_on") is None and "Datoen skal ligge mellem" in errors["ends_on"]
    assert parse_date("0001-01-01", errors, "starts_on") is None and "starts_on" in errors
    assert parse_date("2026-02-30", errors, "day") is None and errors["day"] == "Skriv en gyldig dato, fx 27-11-2026"
    today = local_today()
    assert parse_date(today.strftime("%d.%m.%Y"), {}, "x") == today
    assert parse_date(today.strftime("%d-%m-%Y"), {}, "x") == today
    assert parse_date("", {}, "x") is None
    required: dict = {}
    parse_date(" ", required, "x", required="Vælg en dato")
    assert required == {"x": "Vælg en dato"}


def test_a_moment_is_danish_time_and_bounded():
    errors: dict = {}
    moment = parse_moment("2026-07-01", "14:30", errors, "at")
    assert not errors and moment.utcoffset().total_seconds() == 7200 and moment.time() == time(14, 30)
    assert parse_moment("9999-12-31", "23:30", errors, "at") is None and "at" in errors
    assert parse_moment("2026-07-01", "25:00", {}, "at") is None


def test_numbers_ids_and_decimals():
    errors: dict = {}
    assert integer("7", errors, "n", low=1, high=10, message="1-10") == 7
    assert integer("2147483648", errors, "n", low=1, high=10, message="1-10") is None and errors == {"n": "1-10"}
    assert integer("", {}, "n", low=1, high=10, message="x", default=3) == 3
    assert ids(["1", "2", "2"]) == [1, 2] and ids(["1", str(MAX_ID + 1)]) is None and ids(["-1"]) is None
    assert parse_decimal("12.500,50") == Decimal("12500.50") and parse_decimal(10.0) == Decimal(10)
    for bad in ("NaN", "Infinity", "-inf", "sNaN", "1e", "abc"):
        with pytest.raises(ValueError):
            parse_decimal(bad)


def test_text_is_cleaned_limited_and_free_of_cpr_numbers():
    assert clean_text("a\x00b\x07c\td\ne\x1b") == "abc\td\ne"
    errors: dict = {}
    assert text("  hej\x00 ", errors, "t", max_length=10) == "hej" and not errors
    text("x" * 11, errors, "t", max_length=10)
    assert errors["t"].startswith("Teksten må højst være 10 tegn")
    text("borger 010190-1234", errors, "c", max_length=100)
    assert "CPR-nummer" in errors["c"]


def test_date_arithmetic_saturates_at_the_calendars_ends():
    assert add_days(date(9999, 12, 31), 1) == date.max and add_days(date(1, 1, 1), -1) == date.min
    assert years_from(date(2028, 2, 29), 1) == date(2029, 2, 28)


def test_a_page_of_rows_in_memory_is_clamped_to_the_rows_there_are():
    from hr.forms import Page

    rows = list(range(1, 124))
    first = Page.of(rows, 1, 50, {"status": "open"})
    assert (first.items[0], first.items[-1], first.pages, first.total, first.params) == (1, 50, 3, 123,
                                                                                         {"status": "open"})
    last = Page.of(rows, 3, 50)
    assert last.items == list(range(101, 124)) and not last.has_next and last.has_prev
    assert Page.of(rows, 99, 50).page == 3 and Page.of(rows, 0, 50).page == 1
    empty = Page.of([], 4, 50)
    assert (empty.items, empty.page, empty.pages) == ([], 1, 1)
