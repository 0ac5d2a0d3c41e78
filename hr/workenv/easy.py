"""An accident made ready for EASY, Arbejdstilsynet's reporting system: the fields of annex 1 to
BEK 799/2022 in EASY's order, from the report, the follow-up and the leader's EASY details (the
injured person's occupation and employment, the ESAW codes), each marked when missing; as a page
and a PDF the leader types from. When the accident is recorded as reported, the injured person
and the work-environment organisation get a copy by mail (BEK 799/2022: the employer gives them
a copy of the report)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hr import audit
from hr.auth.principal import Principal, Role
from hr.auth.tables import Account, RoleAssignment
from hr.db import now, transaction
from hr.duties import in_words
from hr.forms import ValidationError, local_today, optional_int, parse_date, text
from hr.notify.outbox import Mail, enqueue
from hr.org.tables import Employee, Institution, Unit
from hr.pdf import Document
from hr.settings import TIMEZONE
from hr.web import fmt_date
from hr.workenv import choices, esaw
from hr.workenv.deadlines import ABSENCE_KINDS, absence_days, deadlines
from hr.workenv.followup import incident_for_followup
from hr.workenv.services import load_rules
from hr.workenv.tables import Incident, IncidentStaff

EMPLOYMENT_TYPES = {"permanent": "Fastansat", "fixed_term": "Tidsbegrænset ansat", "substitute": "Vikar",
                    "trainee": "Elev, studerende eller i praktik", "other": "Andet"}
NOT_STORED = "Indtastes direkte i EASY (gemmes ikke i HR)"
MISSING = "Mangler"
MAIL_KIND = "workenv.easy_copy"


@dataclass(frozen=True)
class SheetField:
    section: str
    label: str
    value: str
    missing: bool = False


@dataclass(frozen=True)
class Sheet:
    incident: dict
    fields: list[SheetField]
    due: datetime | None
    required: bool  # the absence makes it a duty (otherwise a sheet may still be filled in)
    countdown: str = ""  # the deadline in words: "om 3 dage", "2 dage over"

    @property
    def missing(self) -> list[SheetField]:
        return [f for f in self.fields if f.missing]

    @property
    def sections(self) -> list[tuple[str, list[SheetField]]]:
        out: dict[str, list[SheetField]] = {}
        for f in self.fields:
            out.setdefault(f.section, []).append(f)
        return list(out.items())


def _field(section: str, label: str, value, *, optional: bool = False) -> SheetField:
    shown = fmt_date(value) if isinstance(value, (date, datetime)) else str(value or "").strip()
    return SheetField(section, label, shown or ("Ikke angivet" if optional else MISSING), not shown and not optional)


async def _context(incident: dict) -> dict:
    institution = await Institution.select(Institution.name).where(Institution.id == incident["institution"]).first(
        ).run() if incident["institution"] else None
    unit = await Unit.select(Unit.name).where(Unit.id == incident["unit"]).first().run() if incident["unit"] else None
    injured = await Employee.select(Employee.name, Employee.job_title, Employee.start_date).where(
        Employee.id == incident["injured_employee"]).first().run() if incident["injured_employee"] else None
    return {"institution": institution["name"] if institution else "", "unit": unit["name"] if unit else "",
            "injured": injured}


async def build(incident: dict, lists: dict | None = None) -> Sheet:
    """The fields of annex 1 in EASY's order (`lists`: the ESAW codes in force on the day, if the
    caller has them already)."""
    if lists is None:
        lists = await esaw.codes(incident["occurred_at"].astimezone(TIMEZONE).date())
    ctx = await _context(incident)
    today = local_today()
    absence = absence_days(incident, today)
    code = {name: esaw.shown(incident[column], lists[name]) for name, (column, _) in esaw.LISTS.items()}
    place = ", ".join(p for p in (choices.PLACE_TYPES.get(incident["place_type"], ""), incident["place_detail"]) if p)
    fields = [
        _field("Arbejdsgiver", "Arbejdssted (tilbud)", ctx["institution"]),
        _field("Arbejdsgiver", "Afdeling", ctx["unit"]),
        _field("Tilskadekomne", "Navn", ctx["injured"]["name"] if ctx["injured"] else ""),
        SheetField("Tilskadekomne", "CPR-nummer", NOT_STORED),
        _field("Tilskadekomne", "Stilling (beskæftigelse)", incident["occupation"]),
        _field("Tilskadekomne", "Ansættelsesforhold", EMPLOYMENT_TYPES.get(incident["employment_type"], "")),
        _field("Tilskadekomne", "Ansat siden", incident["employed_since"]),
        _field("Ulykken", "Dato og klokkeslæt", incident["occurred_at"]),
        _field("Ulykken", "Sted", place),
        _field("Ulykken", "Hændelsesforløb", incident["description"]),
        _field("Ulykken", esaw.LISTS["deviation"][1], code["deviation"]),
        _field("Ulykken", esaw.LISTS["contact"][1], code["contact"]),
        _field("Ulykken", esaw.LISTS["material_agent"][1], code["material_agent"]),
        _field("Skaden", esaw.LISTS["injury"][1], code["injury"]),
        _field("Skaden", esaw.LISTS["body_part"][1], code["body_part"]),
        _field("Fravær", "Første fraværsdag", incident["first_absence_date"]),
        _field("Fravær", "Fraværsdage ud over tilskadekomstdagen",
               "" if absence is None else f"{absence}{' (stadig fraværende)' if incident['absent_since'] else ''}"),
        _field("Fravær", "Forventet fravær", choices.EXPECTED_ABSENCE.get(incident["expected_absence"], "")),
        _field("Anmeldelse", "EASY-sagsnummer", incident["easy_reference"], optional=True),
    ]
    easy = next((d for d in deadlines(incident, await load_rules(), today) if d.kind == "accident_easy"), None)
    countdown = in_words(easy.due.astimezone(TIMEZONE).date(), today) if easy else ""
    return Sheet(incident, fields, easy.due if easy else None, easy is not None, countdown)


async def followup_context(incident: dict) -> dict:
    """What the leader's follow-up page shows of EASY: the code lists to pick from, the codes
    chosen, the staff who can be the injured person, and how many fields the sheet still lacks."""
    lists = await esaw.codes(incident["occurred_at"].astimezone(TIMEZONE).date())
    return {"esaw_lists": esaw.LISTS, "esaw_codes": lists,
            "esaw_shown": {name: esaw.shown(incident[column], lists[name]) for name, (column, _) in esaw.LISTS.items()},
            "easy_staff": await staff_choices(incident["id"]), "employment_types": EMPLOYMENT_TYPES,
            "easy_missing": len((await build(incident, lists)).missing)}


async def sheet_for(principal: Principal, incident_id: int) -> Sheet:
    incident = await incident_for_followup(principal, incident_id)
    if incident["kind"] not in ABSENCE_KINDS:
        raise ValidationError({"kind": "Kun arbejdsulykker og vold eller trusler anmeldes i EASY"})
    await audit.record(principal, "read", "incident_easy", incident_id)
    return await build(incident)


async def staff_choices(incident_id: int) -> dict[int, str]:
    rows = await IncidentStaff.select(IncidentStaff.employee, IncidentStaff.employee.name.as_alias("name")).where(
        IncidentStaff.incident == incident_id).run()
    return {r["employee"]: r["name"] for r in rows}


async def record_details(principal: Principal, incident_id: int, form) -> str:
    """The leader's EASY details: who was injured, their employment, the ESAW codes."""
    incident = await incident_for_followup(principal, incident_id)
    if incident["kind"] not in ABSENCE_KINDS:
        raise ValidationError({"kind": "Kun arbejdsulykker og vold eller trusler anmeldes i EASY"})
    errors: dict[str, str] = {}
    values: dict = {}
    injured = optional_int(form.get("injured_employee"))
    staff = await staff_choices(incident_id)
    if injured is not None and injured not in staff:
        errors["injured_employee"] = "Vælg en af de medarbejdere, der er med i hændelsen"
    values["injured_employee"] = injured
    values["occupation"] = text(form.get("occupation"), errors, "occupation", max_length=120)
    employment = str(form.get("employment_type") or "")
    if employment and employment not in EMPLOYMENT_TYPES:
        errors["employment_type"] = "Vælg ansættelsesforholdet"
    values["employment_type"] = employment
    since = parse_date(form.get("employed_since"), errors, "employed_since", latest=local_today())
    values["employed_since"] = since
    lists = await esaw.codes(incident["occurred_at"].astimezone(TIMEZONE).date())
    for name, (column, _) in esaw.LISTS.items():
        values[column] = esaw.parse(form.get(column), lists[name], errors, column) or ""
    if errors:
        raise ValidationError(errors)
    if injured is not None:  # what the employment record says fills what the leader left empty
        person = await Employee.select(Employee.job_title, Employee.start_date).where(Employee.id == injured).first(
            ).run()
        values["occupation"] = values["occupation"] or person["job_title"] or ""
        values["employed_since"] = values["employed_since"] or person["start_date"]
    async with transaction():
        await Incident.update({**values, "updated_at": now()}).where(Incident.id == incident_id).run()
        await audit.record(principal, "update", "incident_easy", incident_id, {"fields": sorted(values)})
    missing = len((await build({**incident, **values})).missing)
    return ("Oplysningerne til EASY er gemt." + (f" {missing} felt(er) mangler stadig." if missing else
                                                " Alle felter er udfyldt: anmeld i EASY."))


async def copy_recipients(incident: dict) -> list[dict]:
    """The injured person (their account) and the institution's work-environment representatives."""
    amr = RoleAssignment.select(RoleAssignment.account).where(
        (RoleAssignment.role == Role.AMR) & (RoleAssignment.institution == incident["institution"]))
    where = Account.id.is_in(amr)
    if incident["injured_employee"]:
        where |= Account.employee == incident["injured_employee"]
    return await Account.select(Account.id, Account.email, Account.name).where(
        Account.active.eq(True) & where).order_by(Account.id).run()


async def send_copies(incident: dict) -> int:
    """Inside the transaction that records the report; the key makes a second call send nothing."""
    sheet = await build(incident)
    people = await copy_recipients(incident)
    lines = [(f.section, f.label, f.value) for f in sheet.fields]
    return await enqueue(*[Mail(key=f"easy-copy|{incident['id']}|{incident['easy_reference']}|{p['id']}",
                                kind=MAIL_KIND, to_address=p["email"], account_id=p["id"], template="easy_copy",
                                context={"name": p["name"], "reference": incident["easy_reference"], "lines": lines,
                                         "occurred": fmt_date(incident["occurred_at"])})
                           for p in people])


def pdf(sheet: Sheet) -> bytes:
    document = Document("Anmeldelse af arbejdsulykke: oplysninger til EASY")
    document.add_page()
    document.heading("Anmeldelse af arbejdsulykke: oplysninger til EASY", 15)
    status = (f"Frist for anmeldelse: {fmt_date(sheet.due)} ({sheet.countdown})." if sheet.due
              else "Ingen anmeldepligt endnu.")
    status += f" {len(sheet.missing)} felt(er) mangler." if sheet.missing else " Alle felter er udfyldt."
    document.paragraph(f"{status} Felterne står i samme rækkefølge som i EASY (BEK 799/2022, bilag 1).")
    for section, fields in sheet.sections:
        document.ln(3)
        document.set_font(document.family, "B", 11)
        document.cell(0, 6, document.clean(section), new_x="LMARGIN", new_y="NEXT")
        for f in fields:  # the label above its value: long labels never run into the value
            document.set_font(document.family, "B", 8)
            document.multi_cell(0, 4.5, document.clean(f.label), new_x="LMARGIN", new_y="NEXT")
            document.set_font(document.family, "B" if f.missing else "", 10)
            document.multi_cell(0, 5, document.clean(f.value), new_x="LMARGIN", new_y="NEXT")
            document.ln(1)
    return bytes(document.output())
