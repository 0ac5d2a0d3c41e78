"""Every kind of reminder, grouped in families that HR can switch off and people can mute.
Mandatory families carry a legal or professional duty: nobody can mute them. Urgent families
have a deadline too close for a weekly digest: they always go out at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    prefix: str
    label: str
    mandatory: bool
    urgent: bool = True


FAMILIES = [
    Family("workenv.incident_submitted", "Ny indberetning i dit område", True),
    Family("workenv.action", "Handlinger med frist", True),
    Family("workenv.order", "Påbud: frister for svar og efterkommelse", True),
    Family("workenv.apv_due", "APV skal revideres", True, urgent=False),
    Family("workenv.discussion_due", "Den årlige arbejdsmiljødrøftelse mangler", True, urgent=False),
    Family("workenv.", "Frister for opfølgning og anmeldelse af hændelser", True),
    Family("supervision.overdue", "Supervision overskredet", True, urgent=False),
    Family("supervision.due_soon", "Supervision forfalder snart", False, urgent=False),
    Family("supervision.booking_soon", "Påmindelse dagen før supervision", False),
    Family("supervision.ask", "En medarbejder beder om en tid til supervision", True),
    Family("supervision.attendance_missing", "Fremmøde til supervision mangler", True, urgent=False),
    Family("competence.plan_followup", "Opfølgning på kompetenceplanen", True, urgent=False),
    Family("competence.nomination", "Frist for indstilling til lederuddannelsen", True, urgent=False),
    Family("competence.", "Kompetenceudvikling: ansøgningsfrister, eksamen og tilbud om plads", True),
]


def family(kind: str) -> Family:
    """The first family whose prefix matches (specific prefixes come before general ones)."""
    for item in FAMILIES:
        if kind == item.prefix or kind.startswith(item.prefix if item.prefix.endswith(".") else item.prefix + "."):
            return item
    return Family(kind, kind, True)
