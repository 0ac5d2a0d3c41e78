"""The right of access as a PDF, for the person who wants to read it rather than process it: the
same content as the JSON (hr/org/personal_data.py), section by section, with Danish labels."""

from __future__ import annotations

import re
from datetime import date, datetime

from hr.auth.principal import Role
from hr.competence import cohorts, enrolments
from hr.org import leave
from hr.pdf import Document
from hr.settings import TIMEZONE
from hr.supervision.services import SESSION_TYPES
from hr.workenv import choices

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

SECTIONS = [
    ("employee", "Medarbejder"),
    ("account", "Brugerkonto"),
    ("roles", "Roller"),
    ("leave", "Orlov og fravær"),
    ("work_environment", "Arbejdsmiljø"),
    ("supervision", "Supervision"),
    ("competence", "Kompetenceudvikling"),
    ("notifications", "Påmindelser"),
    ("activity_log", "Din aktivitet i systemet (seneste 1.000 handlinger)"),
]
SUBSECTIONS = {
    "reported": "Indberetninger, du har lavet",
    "named_as_involved": "Hændelser, du er nævnt som involveret i",
    "enrolments": "Uddannelsesforløb",
    "leadership_nominations": "Indstillinger til lederuddannelsen",
    "preference": "Dine valg for påmindelser",
    "reminders": "Påmindelser sendt til dig",
}
LABELS = {
    "id": "Id", "employee_number": "Medarbejdernummer", "name": "Navn", "email": "E-mail",
    "job_title": "Stilling", "fte": "Normering", "start_date": "Ansat fra", "end_date": "Ansat til",
    "unit": "Afdeling", "unit_name": "Afdeling", "manager_name": "Leder", "active": "Aktiv",
    "updated_at": "Senest ændret", "created_at": "Oprettet", "last_login_at": "Seneste login", "role": "Rolle",
    "institution": "Tilbud", "staff_responsibility": "Personaleansvar", "starts_on": "Fra", "ends_on": "Til",
    "kind": "Type", "status": "Status", "occurred_at": "Tidspunkt", "description": "Beskrivelse",
    "severity": "Alvorlighed", "injury_type": "Skade", "absence_days": "Fraværsdage",
    "submitted_at": "Indsendt", "anonymised_at": "Anonymiseret", "starts_at": "Tidspunkt",
    "session_type": "Form", "supervisor": "Supervisor", "booking_status": "Sessionens status",
    "attended": "Deltog", "module": "Modul", "title": "Titel", "state": "Status", "applied_on": "Ansøgt",
    "enrolled_on": "Optaget", "completed_on": "Afsluttet", "grade": "Karakter", "cost": "Pris",
    "funding": "Finansiering", "year": "År", "motivation": "Begrundelse", "mode": "Levering",
    "muted_kinds": "Fravalgte påmindelser", "at": "Tidspunkt", "action": "Handling", "entity": "Område",
    "entity_id": "Post",
}

# Stored codes shown as their Danish names, per section (the same field name means different
# things in different sections).
VALUES = {
    ("roles", "role"): Role.LABELS,
    ("leave", "kind"): leave.KINDS,
    ("work_environment", "kind"): choices.KINDS,
    ("work_environment", "status"): choices.STATUSES,
    ("work_environment", "severity"): choices.SEVERITIES,
    ("work_environment", "injury_type"): choices.INJURY_TYPES,
    ("supervision", "session_type"): SESSION_TYPES,
    ("supervision", "booking_status"): {"booked": "Planlagt", "cancelled": "Aflyst"},
    ("supervision", "status"): {"active": "Tilmeldt", "cancelled": "Afmeldt"},
    ("competence", "state"): enrolments.STATES,
    ("competence", "status"): cohorts.STATUSES,
    ("notifications", "mode"): {"immediate": "Med det samme", "digest": "Samlet mail om mandagen"},
}
ACTIONS = {"create": "oprettede", "update": "ændrede", "read": "læste", "export": "hentede", "import": "importerede",
           "revoke": "tilbagekaldte", "delete": "slettede", "close": "lukkede", "upload": "uploadede",
           "switch": "slog til/fra", "state": "ændrede status på", "save": "gemte", "resend": "gensendte",
           "reschedule": "flyttede", "login": "loggede ind", "leave": "afmeldte", "confirm": "bekræftede",
           "cancel": "aflyste", "attendance": "registrerede fremmøde på", "anonymise": "anonymiserede",
           "amend": "rettede"}
# Ids the export carries beside their names; the PDF shows the names.
HIDDEN = {("employee", "unit")}


def _text(value) -> str:
    if value is None or value == "":
        return "-"
    if value is True:
        return "Ja"
    if value is False:
        return "Nej"
    if isinstance(value, str):
        if not ISO_DATE.match(value):
            return value
        try:  # the JSON form carries ISO timestamps; show them in Danish time
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if "T" in value and moment.tzinfo is not None:
            return moment.astimezone(TIMEZONE).strftime("%d.%m.%Y %H:%M")
        return moment.strftime("%d.%m.%Y") if len(value) == 10 else value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) or "-"
    return str(value)


class _Document(Document):
    def line_of(self, section: str, label: str, value) -> None:
        if (section, label) in HIDDEN:
            return
        value = VALUES.get((section, label), {}).get(value, value)
        self.set_font(self.family, "B", 9)
        self.cell(48, 5, self.clean(LABELS.get(label, label.replace("_", " ").capitalize())))
        self.set_font(self.family, "", 9)
        self.multi_cell(0, 5, self.clean(_text(value)), new_x="LMARGIN", new_y="NEXT")

    def activity(self, entries: list[dict]) -> None:
        """One line per entry: the log is long, and a line reads as a sentence."""
        self.set_font(self.family, "", 8)
        for e in entries:
            action = ACTIONS.get(e["action"], e["action"])
            self.multi_cell(0, 4, self.clean(f"{_text(e['at'])}  Du {action} {e['entity']} {e['entity_id'] or ''}"),
                            new_x="LMARGIN", new_y="NEXT")
        if not entries:
            self.multi_cell(0, 4, "Ingen.", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def block(self, section: str, value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self.line_of(section, key, item)
        elif isinstance(value, list):
            if not value:
                self.set_font(self.family, "", 9)
                self.multi_cell(0, 5, "Ingen.", new_x="LMARGIN", new_y="NEXT")
            for n, item in enumerate(value):
                if n:
                    self.ln(2)
                self.block(section, item)
        else:
            self.set_font(self.family, "", 9)
            self.multi_cell(0, 5, self.clean("Ingen." if value is None else _text(value)),
                            new_x="LMARGIN", new_y="NEXT")
        self.ln(3)


def render(data: dict) -> bytes:
    name = data["employee"]["name"]
    pdf = _Document(f"Indsigt i personoplysninger: {name}")
    pdf.add_page()
    pdf.heading(f"Indsigt i personoplysninger: {name}", 16)
    pdf.paragraph(f"Dannet {_text(data['generated_at'])}. Her er alt, hvad HR Socialområdet har registreret om dig. "
                  "Adgangskoder og andre personers oplysninger er ikke med. De samme oplysninger kan hentes som JSON.")
    pdf.ln(4)
    for key, title in SECTIONS:
        value = data.get(key)
        pdf.heading(title, 12)
        if key == "activity_log":
            pdf.activity(value)
        elif isinstance(value, dict) and set(value) <= set(SUBSECTIONS):
            for sub, item in value.items():
                pdf.heading(SUBSECTIONS[sub], 10)
                pdf.block(key, item)
        else:
            pdf.block(key, value)
    return bytes(pdf.output())
