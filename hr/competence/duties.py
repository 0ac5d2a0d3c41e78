"""What competence asks of a person now: application deadlines and exams of their own modules
and a seat offered on the leadership programme; for leaders those of their units' staff; for
institution heads (and HR) the cohort's nomination deadline. A fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from hr.auth.principal import Principal
from hr.auth.scope import led_unit_list
from hr.competence.tables import Cohort, Enrolment, Nomination
from hr.db import prepared
from hr.duties import Duty
from hr.settings import TIMEZONE

AHEAD = timedelta(days=30)


@prepared
def _coming(employee_id, units, first, last):
    """Planned modules whose application deadline, and taken ones whose exam, fall in [first, last]:
    the person's own, and their units' staff's (`units`)."""
    whose = Enrolment.employee == employee_id
    if units is not None:
        whose = whose | Enrolment.employee.unit.is_in(units)
    return Enrolment.select(
        Enrolment.id, Enrolment.employee, Enrolment.state, Enrolment.employee.name.as_alias("name"),
        Enrolment.employee.unit.institution.name.as_alias("institution_name"),
        Enrolment.module.title.as_alias("title"), Enrolment.run.application_deadline.as_alias("deadline"),
        Enrolment.run.exam_date.as_alias("exam")).where(whose & (
            ((Enrolment.state == "planned") & (Enrolment.run.application_deadline >= first)
             & (Enrolment.run.application_deadline <= last))
            | ((Enrolment.state == "enrolled") & (Enrolment.run.exam_date >= first)
               & (Enrolment.run.exam_date <= last)))).limit(200)


@prepared
def _offers(employee_id):
    return Nomination.select(Nomination.id, Nomination.offer_deadline, Nomination.cohort.year.as_alias("year")).where(
        (Nomination.employee == employee_id) & (Nomination.status == "offered"))


@prepared
def _open_cohorts(first):
    return Cohort.select(Cohort.id, Cohort.year, Cohort.nomination_deadline).where(
        (Cohort.status == "open") & (Cohort.nomination_deadline >= first))


async def duties(principal: Principal, moment: datetime) -> list[Duty]:
    today = moment.astimezone(TIMEZONE).date()
    out: list[Duty] = []
    soon = await _coming(principal.employee_id or -1, await led_unit_list(principal), today, today + AHEAD)
    for e in soon:
        own = e["employee"] == principal.employee_id
        who = "" if own else f" ({e['name']})"
        if e["state"] == "planned":
            out.append(Duty("competence.application", "Uddannelse", f"Ansøg om {e['title']}{who}",
                            f"/kompetence/medarbejdere/{e['employee']}", e["deadline"], e["institution_name"] or ""))
        elif own:
            out.append(Duty("competence.exam", "Uddannelse", f"Eksamen i {e['title']}",
                            f"/kompetence/medarbejdere/{e['employee']}", e["exam"], e["institution_name"] or ""))
    if principal.employee_id:
        for n in await _offers(principal.employee_id):
            out.append(Duty("competence.offer", "Lederuddannelsen",
                            f"Svar på tilbuddet om en plads på lederuddannelsen {n['year']}", "/kompetence/mit",
                            n["offer_deadline"]))
    if principal.leader_institution_ids or principal.is_hr:
        for cohort in await _open_cohorts(today):
            out.append(Duty("competence.nomination", "Indstilling til lederuddannelsen",
                            f"Indstil ledere til lederuddannelsen {cohort['year']}",
                            f"/kompetence/hold/{cohort['id']}", cohort["nomination_deadline"]))
    return out
