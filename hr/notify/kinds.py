"""Every kind of reminder, grouped in families that HR can switch off and people can mute.
Mandatory families carry a legal or professional duty: nobody can mute them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    prefix: str
    label: str
    mandatory: bool


FAMILIES = [
    Family("workenv.incident_submitted", "Ny indberetning i dit område", True),
    Family("workenv.action", "Handlinger med frist", True),
    Family("workenv.order", "Påbud: frister for svar og efterkommelse", True),
    Family("workenv.apv_due", "APV skal revideres", True),
    Family("workenv.", "Frister for opfølgning og anmeldelse af hændelser", True),
    Family("supervision.overdue", "Supervision overskredet", True),
    Family("supervision.due_soon", "Supervision forfalder snart", False),
    Family("supervision.booking_soon", "Påmindelse dagen før supervision", False),
    Family("supervision.attendance_missing", "Fremmøde til supervision mangler", True),
    Family("competence.", "Kompetenceudvikling: frister", True),
]


def family(kind: str) -> Family:
    """The first family whose prefix matches (specific prefixes come before general ones)."""
    for item in FAMILIES:
        if kind == item.prefix or kind.startswith(item.prefix if item.prefix.endswith(".") else item.prefix + "."):
            return item
    return Family(kind, kind, True)
