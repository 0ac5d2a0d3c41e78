"""Psychological first aid after violence or threats (and after use of force): defusing at once,
in the same shift, and debriefing between 24 hours and 3 days after the episode (both dated
rules), each offered, declined or held, and by whom it was held. Declining or holding a step
means it was offered; the deadlines read the incident's columns (hr.workenv.deadlines)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hr import audit
from hr.auth.principal import Principal
from hr.cpr import CPR_MESSAGE, contains_cpr
from hr.db import now, transaction
from hr.forms import ValidationError, text
from hr.workenv.deadlines import deadlines
from hr.workenv.followup import incident_for_followup, parse_moment_or_now
from hr.workenv.services import load_rules
from hr.workenv.tables import Incident

STEPS = {"defusing": "Defusing", "debriefing": "Debriefing"}
OUTCOMES = {"offered": "Tilbudt", "declined": "Afslået", "held": "Holdt"}
SUPPORT_KINDS = ("violence", "use_of_force")


@dataclass(frozen=True)
class SupportStep:
    step: str  # a key of STEPS
    outcome: str  # a key of OUTCOMES
    at: datetime
    by: str  # who held it: a name or a role


def parse_step(form) -> SupportStep:
    errors: dict[str, str] = {}
    step, outcome = str(form.get("step", "")), str(form.get("outcome", ""))
    if step not in STEPS:
        errors["step"] = "Vælg defusing eller debriefing"
    if outcome not in OUTCOMES:
        errors["outcome"] = "Vælg om den er tilbudt, afslået eller holdt"
    at = parse_moment_or_now(form, "support_at", errors)
    by = text(form.get("support_by"), errors, "support_by", max_length=120)
    if outcome == "held" and not by and "support_by" not in errors:
        errors["support_by"] = "Skriv hvem der holdt den (navn eller funktion)"
    elif by and contains_cpr(by):
        errors["support_by"] = CPR_MESSAGE
    if errors:
        raise ValidationError(errors)
    return SupportStep(step, outcome, at, by)


async def record(principal: Principal, incident_id: int, command: SupportStep) -> str:
    """Records the step and returns the confirmation, which says so when a debriefing was held
    outside its window."""
    incident = await incident_for_followup(principal, incident_id)
    if incident["kind"] not in SUPPORT_KINDS:
        raise ValidationError({"step": "Defusing og debriefing registreres ved vold, trusler og magtanvendelse"})
    step, outcome, name = command.step, command.outcome, STEPS[command.step]
    if incident["occurred_at"] and command.at < incident["occurred_at"]:
        raise ValidationError({"support_at": "Tidspunktet ligger før hændelsen"})
    if outcome == "declined" and incident[f"{step}_held_at"]:
        raise ValidationError({"outcome": f"{name} er allerede registreret som holdt"})
    values = {f"{step}_{outcome}_at": command.at, "updated_at": now()}
    if outcome != "offered" and not incident[f"{step}_offered_at"]:
        values[f"{step}_offered_at"] = command.at
    if outcome == "held":
        values.update({f"{step}_by": command.by, f"{step}_declined_at": None})  # changed their mind
    async with transaction():
        await Incident.update(values).where(Incident.id == incident_id).run()
        await audit.record(principal, "update", "incident_support", incident_id, {"step": step, "outcome": outcome})
    said = f"{name}: {OUTCOMES[outcome].lower()} er registreret."
    window = next((d for d in deadlines(incident, await load_rules()) if d.kind == f"violence_{step}"), None)
    if outcome == "held" and window and window.opens and not window.opens <= command.at <= window.due:
        said += " Bemærk: den blev holdt uden for vinduet på 24 timer til 3 dage efter episoden."
    return said
