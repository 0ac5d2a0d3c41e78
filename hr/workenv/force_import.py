"""Import of use-of-force registrations from the care-record system's CSV/XLSX export.

Only what the work environment needs is taken (reference, time, unit, pseudonym, legal
category, registration and forwarding dates), never free text: the official form stays in
the care-record system. Keyed on the form's reference, so re-importing changes nothing;
an invalid file writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from hr import audit
from hr.auth.principal import Principal
from hr.cpr import fields_with_cpr
from hr.db import now, transaction
from hr.org.tables import Unit
from hr.settings import TIMEZONE
from hr.tabular import ImportOutcome, RowError, blank, data_rows, norm_header, parse_date, read_rows, text
from hr.workenv import choices
from hr.workenv.followup import can_manage_area
from hr.workenv.services import PSEUDONYM_RE
from hr.workenv.tables import Incident

ALIASES = {
    "reference": ["blanketnummer", "blanket", "reference", "nummer", "blanketid"],
    "date": ["dato", "tidspunkt", "hændelsesdato"],
    "clock": ["klokkeslæt", "kl", "tid"],
    "unit_code": ["afdelingskode", "afdeling", "enhedskode"],
    "pseudonym": ["pseudonym", "borgerpseudonym", "borger"],
    "framework": ["lovgrundlag", "lov", "målgruppe"],
    "category": ["kategori", "paragraf", "type"],
    "registered": ["registreret", "registreringsdato"],
    "municipality": ["videresendtkommune", "sendttilkommune", "kommune"],
    "supervisory": ["videresendtsocialtilsyn", "sendttilsocialtilsyn", "socialtilsyn"],
}
LABELS = {"reference": "Blanketnummer", "date": "Dato", "clock": "Klokkeslæt", "unit_code": "Afdelingskode",
          "pseudonym": "Pseudonym", "framework": "Lovgrundlag", "category": "Kategori",
          "registered": "Registreret", "municipality": "Videresendt kommune",
          "supervisory": "Videresendt socialtilsyn"}
REQUIRED = ("reference", "date", "unit_code", "pseudonym", "framework", "category")
FRAMEWORKS = {"voksne": "adult", "voksen": "adult", "serviceloven": "adult", "adult": "adult",
              "børn": "child", "børnogunge": "child", "voksenansvarsloven": "child", "child": "child"}
DATE_FIELDS = {"registered": "form_registered_on", "municipality": "forwarded_municipality_on",
               "supervisory": "forwarded_supervisory_on"}


@dataclass
class ForceImportResult(ImportOutcome):
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self, verb: str) -> str:
        return (f"{self.rows} rækker læst: {len(self.created)} {verb} oprettet, {len(self.updated)} {verb} "
                f"opdateret, {self.unchanged} uændrede.")


def _category(value: str) -> str:
    return value.replace("§", "").replace(" ", "").lower()


async def run_force_import(principal: Principal, filename: str, content: bytes, *, dry_run: bool) -> ForceImportResult:
    rows = await read_rows(filename, content)
    result = ForceImportResult(dry_run=dry_run)
    units = {u["code"]: u for u in await Unit.select().run()}
    records, seen = [], {}
    for number, cell in data_rows(rows, ALIASES, REQUIRED, LABELS):
        result.rows += 1
        errors_before = len(result.errors)

        def error(key, message, number=number):
            result.errors.append(RowError(number, LABELS[key], message))

        reference = text(cell("reference"))
        if not reference:
            error("reference", "Skal udfyldes")
        elif reference in seen:
            error("reference", f"Blanketnummeret står også i række {seen[reference]}")
        seen.setdefault(reference, number)
        occurred = None
        try:
            day = parse_date(cell("date"))
            clock_raw = cell("clock")
            if isinstance(cell("date"), datetime) and clock_raw is None:
                clock = cell("date").time()
            else:
                clock = time.fromisoformat(text(clock_raw)) if not blank(clock_raw) else time(12, 0)
            occurred = datetime.combine(day, clock, TIMEZONE)
            if occurred > now():
                error("date", "Tidspunktet ligger i fremtiden")
        except ValueError:
            error("date", "Ugyldig dato eller klokkeslæt")
        unit = units.get(text(cell("unit_code")))
        if unit is None:
            error("unit_code", f"Ukendt afdeling: {text(cell('unit_code'))}")
        elif not await can_manage_area(principal, unit["institution"], unit["id"]):
            error("unit_code", "Du kan ikke importere for den afdeling")
        pseudonym = text(cell("pseudonym")).upper()
        cpr_found = fields_with_cpr({"reference": reference, "pseudonym": pseudonym})
        if "pseudonym" in cpr_found or not PSEUDONYM_RE.match(pseudonym):
            error("pseudonym", "Pseudonymet skal være 2-20 tegn: bogstaver, tal og bindestreg (aldrig navn eller CPR)")
        if "reference" in cpr_found:
            error("reference", cpr_found["reference"])
        framework = FRAMEWORKS.get(norm_header(cell("framework")))
        if framework is None:
            error("framework", "Skriv voksne (serviceloven) eller børn (voksenansvarsloven)")
        category = _category(text(cell("category")))
        if framework and category not in choices.FORCE_CATEGORIES[framework]:
            error("category", f"Ukendt kategori for lovgrundlaget: {text(cell('category'))}")
        dates = {}
        for key, column in DATE_FIELDS.items():
            if not blank(cell(key)):
                try:
                    dates[column] = parse_date(cell(key))
                except ValueError as exc:
                    error(key, str(exc))
        if len(result.errors) == errors_before:
            records.append({"reference": reference, "occurred": occurred, "unit": unit, "pseudonym": pseudonym,
                            "framework": framework, "category": category, "dates": dates})
    if result.errors:
        return result
    existing = {r["form_reference"]: r for r in await Incident.select().where(
        Incident.form_reference.is_in([r["reference"] for r in records] or ["-"])).run()}
    creates, updates = [], []
    for record in records:
        current = existing.get(record["reference"])
        if current is None:
            result.created.append(record["reference"])
            creates.append(record)
        elif any(current[k] != v for k, v in record["dates"].items()):
            result.updated.append(record["reference"])
            updates.append((current["id"], record["dates"]))
        else:
            result.unchanged += 1
    if dry_run:
        return result
    async with transaction():
        stamp = now()
        for record in creates:
            await Incident.insert(Incident(
                kind="use_of_force", status="submitted", source="care_record_import", occurred_at=record["occurred"],
                submitted_at=stamp, institution=record["unit"]["institution"], unit=record["unit"]["id"],
                reporter=principal.account_id, citizen_pseudonym=record["pseudonym"],
                legal_framework=record["framework"], force_category=record["category"],
                form_reference=record["reference"], description="Importeret fra omsorgssystemet.",
                created_at=stamp, updated_at=stamp, **record["dates"])).run()
        for incident_id, dates in updates:
            await Incident.update({**dates, "updated_at": stamp}).where(Incident.id == incident_id).run()
        await audit.record(principal, "import", "use_of_force", "", {
            "file": filename, "created": len(creates), "updated": len(updates)})
    return result
