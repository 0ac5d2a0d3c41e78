"""Competence reminder hooks: application deadlines, exams, nomination deadline, offers, plan follow-up."""

from datetime import date, datetime, time, timedelta

from hr.auth.services import load_principal
from hr.competence import cohorts, enrolments, plans, reminders
from hr.competence.tables import Nomination
from hr.db import now
from hr.settings import TIMEZONE
from tests.competence.conftest import form, in_days, more_leaders


def kinds(items, kind):
    return {(r.subject, r.account_id) for r in items if r.kind == kind}


async def test_an_application_deadline_reminds_the_employee_and_leader_then_the_exam(world, catalogue):
    hr = await load_principal(world.accounts["hr"])
    enrolment = await enrolments.plan(hr, world.staff_employee, form(module=catalogue["krap"], run=catalogue["run"]))
    due = await reminders.due(now())
    assert kinds(due, "competence.application") == {(f"enrolment:{enrolment}", world.accounts["staff"]),
                                                    (f"enrolment:{enrolment}", world.accounts["leader"])}
    await enrolments.change_state(hr, enrolment, form(state="applied"))
    await enrolments.change_state(hr, enrolment, form(state="enrolled"))
    assert not kinds(await reminders.due(now()), "competence.application")
    exam_week = now() + timedelta(days=135)
    assert kinds(await reminders.due(exam_week), "competence.exam") == {
        (f"enrolment:{enrolment}", world.accounts["staff"])}


async def test_heads_hear_of_the_nomination_deadline_and_an_offer_reaches_the_leader(world, head):
    hr = await load_principal(world.accounts["hr"])
    cohort = await cohorts.open_cohort(hr, form(year=2027, capacity=1, nomination_deadline=in_days(5)))
    assert kinds(await reminders.due(now()), "competence.nomination") == {(f"cohort:{cohort}", head)}
    leaders = await more_leaders(world, 2)
    principal = await load_principal(head)
    ids = [await cohorts.nominate(principal, cohort, form(employee=e, motivation="En meget lovende leder her"))
           for e in leaders]
    await cohorts.select(hr, ids[0])
    await cohorts.confirm(hr, cohort)
    await cohorts.withdraw(hr, ids[0])
    offers = [r for r in await reminders.due(now()) if r.kind == "competence.offer"]
    assert [r.subject for r in offers] == [f"nomination:{ids[1]}"] and offers[0].link == "/kompetence/mit"


async def test_the_sweep_expires_offers_past_their_deadline(world, head):
    hr = await load_principal(world.accounts["hr"])
    cohort = await cohorts.open_cohort(hr, form(year=2027, capacity=1, nomination_deadline=in_days(5)))
    leaders = await more_leaders(world, 3)
    ids = [await cohorts.nominate(await load_principal(head), cohort, form(employee=e, motivation="x" * 25))
           for e in leaders]
    await cohorts.select(hr, ids[0])
    await cohorts.confirm(hr, cohort)
    await cohorts.withdraw(hr, ids[0])
    await reminders.due(now() + timedelta(days=20))
    statuses = [r["status"] for r in await Nomination.select(Nomination.status).order_by(Nomination.id).run()]
    assert statuses == ["withdrawn", "declined", "offered"]


async def test_plans_are_followed_up_twice_a_year(world, head):
    year = now().astimezone(TIMEZONE).year
    await plans.create_plan(await load_principal(head), form(year=year, institution=world.inst_a, title="Plan"))
    spring = datetime.combine(date(year, 3, 2), time(9), TIMEZONE)
    autumn = datetime.combine(date(year, 9, 2), time(9), TIMEZONE)
    assert [r.period for r in await reminders.due(spring) if r.kind == "competence.plan_followup"] == [f"{year}-03"]
    assert [r.period for r in await reminders.due(autumn) if r.kind == "competence.plan_followup"] == [f"{year}-09"]
    assert not [r for r in await reminders.due(datetime.combine(date(year, 1, 5), time(9), TIMEZONE))
                if r.kind == "competence.plan_followup"]
