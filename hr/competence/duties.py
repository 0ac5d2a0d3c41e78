"""What competence asks of a person now: application deadlines and exams of their own modules
and a seat offered on the leadership programme; for leaders those of their units' staff; for
institution heads (and HR) the cohort's nomination deadline. A fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from hr.auth.principal import Principal, Role
from hr.auth.scope import leader_unit_ids
from hr.competence.tables import Cohort, Enrolment, Nomination
from hr.duties import Duty
from hr.settings import TIMEZONE

AHEAD = timedelta(days=30)


async def duties(principal: Principal, moment: datetime) -> list[Duty]:
    today = moment.astimezone(TIMEZONE).date()
    out: list[Duty] = []
    units = await leader_unit_ids(principal) if Role.LEADER in principal.roles else set()
    whose = Enrolment.employee == (principal.employee_id or -1)
    if units:
        whose = whose | Enrolment.employee.unit.is_in(list(units))
    soon = await Enrolment.select(
        Enrolment.id, Enrolment.employee, Enrolment.state, Enrolment.employee.name.as_alias("name"),
        Enrolment.employee.unit.institution.name.as_alias("institution_name"),
        Enrolment.module.title.as_alias("title"), Enrolment.run.application_deadline.as_alias("deadline"),
        Enrolment.run.exam_date.as_alias("exam")).where(whose & (
            ((Enrolment.state == "planned") & (Enrolment.run.application_deadline >= today)
             & (Enrolment.run.application_deadline <= today + AHEAD))
            | ((Enrolment.state == "enrolled") & (Enrolment.run.exam_date >= today)
               & (Enrolment.run.exam_date <= today + AHEAD)))).limit(200).run()
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
        for n in await Nomination.select(Nomination.id, Nomination.offer_deadline,
                                         Nomination.cohort.year.as_alias("year")).where(
                (Nomination.employee == principal.employee_id) & (Nomination.status == "offered")).run():
            out.append(Duty("competence.offer", "Lederuddannelsen",
                            f"Svar på tilbuddet om en plads på lederuddannelsen {n['year']}", "/kompetence/mit",
                            n["offer_deadline"]))
    if principal.leader_institution_ids or principal.is_hr:
        for cohort in await Cohort.select(Cohort.id, Cohort.year, Cohort.nomination_deadline).where(
                (Cohort.status == "open") & (Cohort.nomination_deadline >= today)).run():
            out.append(Duty("competence.nomination", "Lederuddannelsen",
                            f"Indstil ledere til lederuddannelsen {cohort['year']}",
                            f"/kompetence/hold/{cohort['id']}", cohort["nomination_deadline"]))
    return out
