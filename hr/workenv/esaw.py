"""The ESAW code lists (hr/workenv/reference/esaw.json, loaded as dated rows): what the leader
picks from, searchable, when an accident is made ready for EASY."""

from __future__ import annotations

from datetime import date

from hr.workenv.tables import EsawCode

# The lists in the order EASY asks them, with the incident's column and the Danish name.
LISTS = {
    "deviation": ("deviation_code", "Afvigelse: hvad gik galt"),
    "contact": ("contact_code", "Skademåde: hvordan personen kom til skade"),
    "material_agent": ("material_agent_code", "Materiel faktor: hvad skaden skete med"),
    "injury": ("injury_code", "Skadens art"),
    "body_part": ("body_part_code", "Skadet legemsdel"),
}
SEPARATOR = " – "


async def codes(on: date) -> dict[str, dict[str, str]]:
    """Each list's codes in force on the day: {list: {code: label}}, in code order."""
    rows = await EsawCode.select(EsawCode.code_list, EsawCode.code, EsawCode.label).where(
        (EsawCode.valid_from <= on) & (EsawCode.valid_to.is_null() | (EsawCode.valid_to >= on))).order_by(
        EsawCode.code_list).order_by(EsawCode.code).run()
    out: dict[str, dict[str, str]] = {name: {} for name in LISTS}
    for row in rows:
        out.setdefault(row["code_list"], {})[row["code"]] = row["label"]
    return out


def shown(code: str, options: dict[str, str]) -> str:
    """How a chosen code reads in the search field and on the EASY sheet."""
    return f"{code}{SEPARATOR}{options[code]}" if code in options else code


def parse(value, options: dict[str, str], errors: dict, field: str) -> str | None:
    """A code typed or picked from the list ('83', '83 – Slag, spark ...', or the words alone);
    empty: None. Anything else is a field error."""
    raw = " ".join(str(value or "").split())
    if not raw:
        return None
    code = raw.split(SEPARATOR.strip(), 1)[0].strip()
    if code in options:
        return code
    by_label = [c for c, label in options.items() if label.lower() == raw.lower()]
    if len(by_label) == 1:
        return by_label[0]
    errors[field] = "Vælg en kode fra listen (skriv et ord eller koden og vælg)"
    return None
