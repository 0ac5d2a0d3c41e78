"""What competence wants sent, as data: application deadlines and exams of planned and running
modules, the cohort's nomination deadline to institution heads, open seat offers to the leader
offered one, and a half-yearly follow-up of each institution's plan.

Before deciding, offers past their deadline are expired (the next on the waiting list is
offered the seat), so the sweep that sends reminders also keeps the waiting list moving."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hr.competence import cohorts
from hr.competence.tables import Cohort, Enrolment, Nomination, Plan
from hr.notify.reminder import Leaders, Problems, Reminder, employee_accounts
from hr.settings import TIMEZONE

SOURCE = "Kompetence"
APPLICATION_NOTICE = timedelta(days=14)
EXAM_NOTICE = timedelta(days=7)
NOMINATION_NOTICE = timedelta(days=14)


def _follow_up_period(today: date) -> str | None:
    if today >= date(today.year, 9, 1):
        return f"{today.year}-09"
    if today >= date(today.year, 3, 1):
        return f"{today.year}-03"
    return None


async def due(now: datetime, problems: Problems | None = None) -> list[Reminder]:
    problems = problems if problems is not None else Problems()
    with problems.item(SOURCE, "udløbne tilbud om plads"):
        await cohorts.expire_offers(now)
    today = now.astimezone(TIMEZONE).date()
    leaders = await Leaders.load()
    accounts = await employee_accounts()
    out: list[Reminder] = []

    soon = await Enrolment.select(
        Enrolment.id, Enrolment.employee, Enrolment.state, Enrolment.employee.unit.as_alias("unit"),
        Enrolment.employee.unit.institution.as_alias("institution"), Enrolment.employee.name.as_alias("name"),
        Enrolment.module.title.as_alias("title"), Enrolment.run.application_deadline.as_alias("deadline"),
        Enrolment.run.exam_date.as_alias("exam")).where(
        ((Enrolment.state == "planned") & (Enrolment.run.application_deadline >= today)
         & (Enrolment.run.application_deadline <= today + APPLICATION_NOTICE))
        | ((Enrolment.state == "enrolled") & (Enrolment.run.exam_date >= today)
           & (Enrolment.run.exam_date <= today + EXAM_NOTICE))).run()
    for e in soon:
        with problems.item(SOURCE, f"enrolment:{e['id']}"):
            out.extend(_enrolment(e, accounts, leaders))

    heads = leaders.heads  # leaders of a whole institution, per institution
    for cohort in await Cohort.select().where((Cohort.status == "open") & (Cohort.nomination_deadline >= today)
                                              & (Cohort.nomination_deadline <= today + NOMINATION_NOTICE)).run():
        for account in sorted(set().union(*heads.values()) if heads else set()):
            out.append(Reminder("competence.nomination", f"cohort:{cohort['id']}",
                                cohort["nomination_deadline"].isoformat(), account,
                                f"Indstil ledere til lederuddannelsen {cohort['year']}",
                                f"/kompetence/hold/{cohort['id']}", cohort["nomination_deadline"]))

    for n in await Nomination.select(Nomination.id, Nomination.employee, Nomination.offer_deadline,
                                     Nomination.cohort.year.as_alias("year")).where(
            Nomination.status == "offered").run():
        if accounts.get(n["employee"]) and n["offer_deadline"]:
            out.append(Reminder("competence.offer", f"nomination:{n['id']}", n["offer_deadline"].isoformat(),
                                accounts[n["employee"]], f"Du har fået tilbudt en plads på lederuddannelsen "
                                f"{n['year']}: svar inden fristen", "/kompetence/mit", n["offer_deadline"]))

    period = _follow_up_period(today)
    if period:
        for plan in await Plan.select(Plan.id, Plan.institution, Plan.title).where(
                (Plan.year == today.year) & Plan.institution.is_not_null()).run():
            for account in sorted(heads.get(plan["institution"], set())):
                out.append(Reminder("competence.plan_followup", f"plan:{plan['id']}", period, account,
                                    f"Følg op på kompetenceplanen: {plan['title']}",
                                    f"/kompetence/planer/{plan['id']}", None))
    return out


def _enrolment(e: dict, accounts: dict, leaders: Leaders) -> list[Reminder]:
    link = f"/kompetence/medarbejdere/{e['employee']}"
    if e["state"] == "planned":
        who = {accounts.get(e["employee"]), *leaders.of(e["unit"], e["institution"])}
        return [Reminder("competence.application", f"enrolment:{e['id']}", e["deadline"].isoformat(),
                         account, f"Ansøgningsfrist for {e['title']} ({e['name']})", link, e["deadline"])
                for account in sorted(a for a in who if a)]
    if accounts.get(e["employee"]):
        return [Reminder("competence.exam", f"enrolment:{e['id']}", e["exam"].isoformat(),
                         accounts[e["employee"]], f"Eksamen i {e['title']}", link, e["exam"])]
    return []
