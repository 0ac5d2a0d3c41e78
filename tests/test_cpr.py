"""The CPR guard, table-driven: every way people write a CPR number is caught, and the numbers
a report or a reason ordinarily holds are not."""

import pytest

from hr.cpr import contains_cpr

CPR_SHAPED = [
    "010190-1234",
    "0101901234",
    "Borger 010190-1234 slog ud",
    "cpr: 010190 1234",
    "010190.1234",
    "01.01.90-1234",
    "01.01.90 1234",
    "01-01-90-12-34",
    "01 01 90 12 34",
    "01.01.90.12.34",
    "010190 - 1234",
    "010190 -1234",
    "010190- 1234",
    "010190/1234",
    "010190_1234",
    "010190\u20131234",  # en dash
    "010190\u20141234",  # em dash
    "010190\u20101234",  # hyphen
    "010190\u22121234",  # minus sign
    "010190\ufe631234",  # small hyphen-minus
    "010190\uff0d1234",  # full-width hyphen-minus
    "0101\u200b90-1234",  # zero-width space
    "01\u200d0190-12\u200c34",  # zero-width joiner and non-joiner
    "0101\u00ad90\u00ad1234",  # soft hyphens
    "\u2060010190-1234",  # word joiner
    "010190\u00a01234",  # non-breaking space
    "\uff10\uff11\uff10\uff11\uff19\uff10-\uff11\uff12\uff13\uff14",  # full-width digits
    "O1O19O-1234",  # the letter O for zero
    "o1o19o-1234",
    "OlO190 1234".replace("l", "1"),
    "29.02.00-1234",  # a leap day (2000)
    "290296-1234",  # a leap day (1996)
    "311299-9999",
    "150575-0001",
    "Se 241264-4321 i journalen",
    "(010190-1234)",
    "nr.010190-1234.",
    "cpr=0101901234;",
    "10 12 14 16 18",  # five pairs with one separator read as a CPR number (10.12.14-1618)
    "ABC-010190-1234",
    "Pseudonym 280388 - 5566",
    "\u0661\u0660\u0661\u0660\u0669\u0660-\u0661\u0662\u0663\u0664".replace("\u0661\u0660\u0661\u0660", "0101"),
    # Found by trying (issue 29): a four-digit year, a separator inside a group, a line break,
    # brackets, a leading plus, other separators.
    "01011990-1234",
    "01.01.1990-1234",
    "01-01-1990-1234",
    "01/01/1990-1234",
    "01.01.1990 1234",
    "010119901234",
    "Født 24.12.2001-4321",
    "01.01.2020-1234",
    "0101 90-1234",
    "010190-12 34",
    "0101-90-1234",
    "0101.90-1234",
    "01 0190-1234",
    "01.0190-1234",
    "0101 90-12 34",
    "01-01-90-1234",
    "01.01.90-12.34",
    "0101\n90-1234",
    "0101\r\n90-1234",
    "010190\n1234",
    "01.01.90\n1234",
    "(010190)1234",
    "(010190) 1234",
    "(010190-1234)",
    "[010190-1234]",
    "+010190-1234",
    "+0101901234",
    "010190:1234",
    "010190,1234",
    "010190\u00b71234",
    "01:01:90-1234",
    "01,01,90-1234",
    "cpr-nr. 010190-1234",
    "CPR 010190-1234",
    "Borgerens cpr er 111111-1118",
    "310101-1234",
    "010100-0000",
    "31.12.1999-9999",
    "29.02.2000-1234",
    "280388 5566",
]

INNOCENT = [
    "Telefon 12345678",
    "Ring på 12 34 56 78",
    "+45 12 34 56 78",
    "+45 21 03 56 78",
    "+4521035678",
    "0045 21035678",
    "Sag 2026-000123",
    "Journalnr. 2026-123456",
    "j.nr. 26/12345",
    "Sagsnr. 25/0123-45",
    "Kl. 14.30 i stue 3",
    "kl. 23:30",
    "01.02.2026 12.30",
    "15.03.2026 kl. 11.30",
    "15-03-2026 11:30",
    "2026-03-15 11:30",
    "2026-03-15T11:30:00",
    "d. 01.02.26 kl. 12:30",
    "Medarbejdernr. 123456",
    "M-100234",
    "Lønnr. 00123456",
    "991399-1234",  # no such date
    "320190-1234",  # no 32nd
    "011390-1234",  # no 13th month
    "12345678901",  # part of a longer number
    "010190-12345",  # eleven digits
    "1010190-1234",
    "Beløb 1.234.567,89 kr.",
    "1.000.000 kr.",
    "CVR 12345678",
    "EAN 5790000123456",
    "Reg. 1234 konto 1234567890".replace("1234567890", "9876543210"),  # 98/76/54: no such date
    "Version 2.10.3",
    "IP 192.168.10.12",
    "Postnr. 8000 Aarhus C",
    "Stue 3, 2. sal, dør 12",
    "ISBN 978-87-02-12345-6",
    "Hændelse 2026-11-27 kl. 14:30 i afdeling B",
    "Oslo 2026",
    "Tog 0815 fra Odense",
    "Uge 48 2026",
    "Ring 70 10 20 30",
    # Numbers with their context stay (issue 29).
    "P-nr. 1003388394",
    "P-nummer 1003388394",
    "P-nr.: 1003388394",
    "Produktionsenhed 1003388394",
    "Sag 150324-0012",
    "Sagsnr. 150324-0012",
    "sag nr. 150324-0012",
    "Journalnr. 150324-0012",
    "J.nr. 150324-0012",
    "CVR 29190623",
    "CVR-nr. 2919062319",
    "EAN-nr. 5798000123456",
    "EAN 5798000557889",
    "Ordre 1503241234",
    "Faktura nr. 0102031234",
    "Ref. 010190-1234",
    "01.02.2026 12.30",
    "01.02.26 12.30",
    "15.03.2026 11:30",
    "10.12.26 14.30-15.30",
    "1.2.2026 kl. 8",
    "Mødet 12.12.2026 10:00-12:00",
    "Fra 01-12-2026 til 31-12-2026",
    "2026-12-01/2026-12-31",
    "Tlf. 21 03 56 78",
    "Mobil +45 21035678",
    "+45 12345678",
    "(+45) 21 03 56 78",
    "Vagttelefon 70 20 30 40",
    "Beløb 12.345,67 kr.",
    "kr. 1.234,50",
    "DKK 250.000,00",
    "Løn 31.450,00 kr. pr. måned",
    "Konto 1234-0001234567".replace("0001234567", "9876543210"),
    "10:00, 12:00, 14:00",
    "kl. 14:30-15:30",
    "Afdeling 12, stue 3, værelse 14",
    "Hændelse nr. 12345",
    "Medarbejdernummer 901",
    "2,5 timer, 3,75 km",
    # Lists and ranges of dates, a date with a time, lists of phone numbers.
    "Episoder 01.12.2026, 02.12.2026 og 03.12.2026",
    "den 01.12.2026-02.12.2026",
    "01-12-2026 - 05-12-2026",
    "Vagter 01.12.2026, 12:30",
    "den 01.12.2026 1230",
    "uge 49: 01.12.26, 02.12.26",
    "Tlf 21 03 56 78, 22 33 44 55",
    "01.12.2026 (12:30)",
]


def test_the_tables_are_big_enough():
    assert len(CPR_SHAPED) >= 80 and len(INNOCENT) >= 80


@pytest.mark.parametrize("text", CPR_SHAPED)
def test_it_catches_a_cpr_number_however_it_is_written(text):
    assert contains_cpr(text), text


@pytest.mark.parametrize("text", INNOCENT)
def test_it_lets_ordinary_numbers_pass(text):
    assert not contains_cpr(text), text
