"""The audit log in Danish: what was done, to what, and the details, as HR reads them. The
stored codes stay English (they are what filters and exports match on)."""

from __future__ import annotations

import json

ACTIONS = {
    "read": "Læst", "create": "Oprettet", "update": "Ændret", "delete": "Slettet", "export": "Eksporteret",
    "import": "Importeret", "login": "Logget ind", "refused": "Afvist", "grant": "Rolle givet",
    "revoke": "Tilbagekaldt", "send": "Sendt", "resend": "Sendt igen", "switch": "Slået til/fra",
    "amend": "Rettet", "anonymise": "Anonymiseret", "close": "Afsluttet", "confirm": "Bekræftet",
    "cancel": "Aflyst", "reschedule": "Flyttet", "leave": "Afmeldt", "attendance": "Fremmøde registreret",
    "state": "Status ændret", "upload": "Uploadet", "save": "Gemt", "link": "Knyttet til arbejdskonto",
    "restore": "Gendannet fra backup", "decide": "Afgjort",
}
ENTITIES = {
    "account": "Bruger", "account_active": "Brugerens adgang", "account_password": "Adgangskode",
    "password_link": "Link til adgangskode", "api_token": "API-nøgle", "role": "Rolle", "sign_in": "Log-ind",
    "employee": "Medarbejder", "employees": "Medarbejdere", "employee_leave": "Orlov", "unit_employees":
    "Afdelingens medarbejdere", "personal_data": "Persondata (indsigt)", "institution_methods": "Tilbuddets metoder",
    "method": "Metode", "incident": "Hændelse", "incidents": "Hændelser", "incident_review": "Lederens gennemgang",
    "incident_support": "Defusing/debriefing", "incident_external": "Anmeldelse",
    "incident_absence": "Fravær", "action_item": "Handling",
    "action_items": "Handlinger", "order": "Påbud", "apv": "APV", "discussion": "Arbejdsmiljødrøftelse",
    "factor": "Medvirkende faktor", "reporting_rule": "Anmeldelsesregel", "use_of_force": "Magtanvendelser",
    "workenv_analysis": "Arbejdsmiljøanalyse", "management_information": "Ledelsesinformation",
    "booking": "Supervision", "bookings": "Supervisionssessioner", "availability": "Tilgængelighed",
    "availability_exception": "Fridag",
    "match_exception": "Undtagelse fra metodekrav", "supervision_requirement": "Supervisionskrav",
    "supervision_compliance": "Supervisionsoverblik", "calendar_feed": "Kalenderlink",
    "cohort": "Lederuddannelsens hold", "nomination": "Indstilling", "enrolment": "Uddannelsesforløb",
    "certificate": "Bevis", "course_run": "Hold på modul",
    "module": "Modul", "module_catalogue": "Modulkatalog", "competence": "Kompetence",
    "competence_goal": "Mål i kompetenceplan",
    "competence_plan": "Kompetenceplan", "competence_profile": "Kompetenceprofil", "outbox_message": "Mail i udbakken",
    "reminder_kind": "Type påmindelse", "notification_preference": "Valg af påmindelser",
    "database": "Databasen", "work_change": "Ændret arbejde (APV)",
    "order_document": "Dokument på påbud",
    "incident_easy": "Oplysninger til EASY", "sign_in_conflict": "Arbejdskonto, der ventede på HR",
    "payroll_file": "Afvist lønfil", "supervision_request": "Anmodning om supervision",
}
DETAIL_KEYS = {
    "method": "måde", "reason": "årsag", "leaders": "ledere", "employee": "medarbejder", "account": "bruger",
    "role": "rolle",
    "source": "kilde", "purpose": "formål", "format": "format", "rows": "rækker", "file": "fil", "created": "oprettet",
    "updated": "ændret", "deactivated": "fratrådt", "units_created": "afdelinger oprettet",
    "roles_granted": "roller givet", "roles_removed": "roller fjernet", "enabled": "slået til",
    "at_most_once": "højst én gang", "name": "navn", "scopes": "scopes", "email": "e-mail", "active": "aktiv",
    "field": "felt", "fields": "felter", "kind": "type", "state": "status", "count": "antal", "via": "via",
    "institution": "tilbud", "unit": "afdeling", "staff_responsibility": "personaleansvar",
    "waitlisted": "på venteliste", "error": "fejl", "employee_number": "medarbejdernummer", "year": "år",
    "month": "måned", "decision": "afgørelse", "decided_by": "afgjort af",
    "participants": "deltagere", "added": "tilføjet", "waiting": "på venteliste", "attended": "mødt",
    "seated_from_waiting_list": "fik plads fra ventelisten", "supervisor": "supervisor", "capacity": "pladser",
    "case": "sag", "code": "kode", "cohort": "hold", "day": "dag", "ends_on": "slutter", "enrolment": "tilmelding",
    "from": "fra", "to": "til", "module": "modul", "order": "påbud", "outcome": "udfald", "plan": "plan",
    "step": "trin",
}
SOURCES = {"organisation": "lønsystemet", "directory": "arbejdskontoen", "hr": "HR"}
BOOLEANS = {True: "ja", False: "nej"}


def action_label(code: str) -> str:
    return ACTIONS.get(code, code)


def entity_label(code: str) -> str:
    return ENTITIES.get(code, code)


def detail_text(detail: str) -> str:
    """A stored detail (JSON) as "nøgle: værdi; ..."; anything else as it is."""
    if not detail or not detail.startswith("{"):
        return detail
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    parts = []
    for key, value in data.items():
        if isinstance(value, bool):
            value = BOOLEANS[value]
        elif value is None or value == [] or value == "":
            value = "ingen"  # never the code word "None"
        elif key == "source":
            value = SOURCES.get(value, value)
        elif isinstance(value, list):
            value = ", ".join("ingen" if v is None else str(v) for v in value)
        parts.append(f"{DETAIL_KEYS.get(key, key)}: {value}")
    return "; ".join(parts)
