"""The leadership cohort: nominations, selection within capacity (also concurrently), the
waiting list with automatic offers, and leaders answering."""

import asyncio
from datetime import timedelta

import pytest

from hr.auth.services import load_principal
from hr.competence import cohorts
from hr.competence.tables import Cohort, Nomination
from hr.db import now
from hr.forms import ValidationError
from tests.competence.conftest import form, in_days, more_leaders
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form

MOTIVATION = "Leder et stort team og vil styrke den faglige ledelse"


async def opened(world, capacity=2, **extra) -> int:
    hr = await load_principal(world.accounts["hr"])
    return await cohorts.open_cohort(hr, form(year=2027, capacity=capacity, nomination_deadline=in_days(30),
                                              **extra))


async def nominated(world, head, cohort_id, employees) -> list[int]:
    principal = await load_principal(head)
    return [await cohorts.nominate(principal, cohort_id, form(employee=e, motivation=MOTIVATION, priority=n + 1))
            for n, e in enumerate(employees)]


async def status(nomination_id) -> str:
    return (await Nomination.select(Nomination.status).where(Nomination.id == nomination_id).first().run())["status"]


async def test_opening_a_cohort_validates_and_defaults_to_twenty(world):
    hr = await load_principal(world.accounts["hr"])
    with pytest.raises(ValidationError) as bad:
        await cohorts.open_cohort(hr, form(year="tyve", capacity=0, nomination_deadline="2020-01-01"))
    assert set(bad.value.errors) == {"year", "capacity", "nomination_deadline"}
    cohort_id = await cohorts.open_cohort(hr, form(year=2027, capacity="", nomination_deadline=in_days(10)))
    assert (await Cohort.select().where(Cohort.id == cohort_id).first().run())["capacity"] == 20
    with pytest.raises(ValidationError, match="allerede et hold"):
        await cohorts.open_cohort(hr, form(year=2027, nomination_deadline=in_days(10)))


async def test_heads_nominate_their_own_leaders_with_staff_responsibility(world, head):
    cohort_id = await opened(world)
    principal = await load_principal(head)
    with pytest.raises(ValidationError) as short:
        await cohorts.nominate(principal, cohort_id, form(employee=world.leader_employee, motivation="God"))
    assert "motivation" in short.value.errors
    with pytest.raises(ValidationError, match="fra dit tilbud"):  # a leader in another institution
        await cohorts.nominate(principal, cohort_id, form(employee=world.other_employee, motivation=MOTIVATION))
    with pytest.raises(ValidationError, match="fra dit tilbud"):  # staff without a leader role
        await cohorts.nominate(principal, cohort_id, form(employee=world.staff_employee, motivation=MOTIVATION))
    await cohorts.nominate(principal, cohort_id, form(employee=world.leader_employee, motivation=MOTIVATION))
    with pytest.raises(ValidationError, match="allerede indstillet"):
        await cohorts.nominate(principal, cohort_id, form(employee=world.leader_employee, motivation=MOTIVATION))
    unit_leader = await load_principal(world.accounts["leader"])  # leads a unit, not the institution
    assert await cohorts.eligible_leaders(unit_leader) == []


async def test_after_the_deadline_only_hr_can_add_a_nomination(world, head):
    cohort_id = await opened(world)
    await Cohort.update({Cohort.nomination_deadline: (now() - timedelta(days=1)).date()}).where(
        Cohort.id == cohort_id).run()
    with pytest.raises(ValidationError, match="Fristen"):
        await nominated(world, head, cohort_id, [world.leader_employee])
    hr = await load_principal(world.accounts["hr"])
    await cohorts.nominate(hr, cohort_id, form(employee=world.leader_employee, motivation=MOTIVATION))


async def test_selection_stops_at_capacity_and_the_rest_wait_in_priority_order(world, head):
    leaders = await more_leaders(world, 4)
    cohort_id = await opened(world, capacity=2)
    ids = await nominated(world, head, cohort_id, leaders)
    hr = await load_principal(world.accounts["hr"])
    await cohorts.select(hr, ids[0])
    await cohorts.select(hr, ids[2])
    with pytest.raises(ValidationError, match=r"Holdet er fuldt \(2 af 2 pladser\)"):
        await cohorts.select(hr, ids[1])
    await cohorts.confirm(hr, cohort_id)
    assert [await status(i) for i in ids] == ["selected", "waitlisted", "selected", "waitlisted"]
    positions = {r["id"]: r["waitlist_position"] for r in await Nomination.select().run()}
    assert positions[ids[1]] == 1 and positions[ids[3]] == 2


async def test_a_withdrawal_offers_the_seat_to_the_first_waiting_and_a_no_moves_it_on(world, head):
    leaders = await more_leaders(world, 3)
    cohort_id = await opened(world, capacity=1, offer_days=7)
    ids = await nominated(world, head, cohort_id, leaders)
    hr = await load_principal(world.accounts["hr"])
    await cohorts.select(hr, ids[0])
    await cohorts.confirm(hr, cohort_id)
    await cohorts.withdraw(hr, ids[0])
    assert [await status(i) for i in ids] == ["withdrawn", "offered", "waitlisted"]
    offer = await Nomination.select().where(Nomination.id == ids[1]).first().run()
    assert timedelta(days=6, hours=23) < offer["offer_deadline"] - now() <= timedelta(days=7)
    second = await load_principal(await _account_of(leaders[1]))
    await cohorts.answer_offer(second, ids[1], accept=False)
    assert [await status(i) for i in ids] == ["withdrawn", "declined", "offered"]
    third = await load_principal(await _account_of(leaders[2]))
    with pytest.raises(LookupError):  # nobody answers for someone else
        await cohorts.answer_offer(second, ids[2], accept=True)
    await cohorts.answer_offer(third, ids[2], accept=True)
    assert await status(ids[2]) == "selected"


async def test_an_offer_that_runs_out_moves_on_by_itself(world, head):
    leaders = await more_leaders(world, 3)
    cohort_id = await opened(world, capacity=1)
    ids = await nominated(world, head, cohort_id, leaders)
    hr = await load_principal(world.accounts["hr"])
    await cohorts.select(hr, ids[0])
    await cohorts.confirm(hr, cohort_id)
    await cohorts.withdraw(hr, ids[0])
    assert await cohorts.expire_offers() == 0
    assert await cohorts.expire_offers(now() + timedelta(days=15)) == 1
    assert [await status(i) for i in ids] == ["withdrawn", "declined", "offered"]


async def test_simultaneous_selections_never_exceed_the_capacity(world, head):
    leaders = await more_leaders(world, 8)
    cohort_id = await opened(world, capacity=3)
    ids = await nominated(world, head, cohort_id, leaders)
    hr = await load_principal(world.accounts["hr"])

    async def attempt(nomination_id):
        try:
            await cohorts.select(hr, nomination_id)
            return True
        except ValidationError:
            return False

    results = await asyncio.gather(*[attempt(i) for i in ids])
    assert sum(results) == 3
    assert await Nomination.count().where(Nomination.status == "selected") == 3


async def test_simultaneous_withdrawals_offer_each_freed_seat_once(world, head):
    leaders = await more_leaders(world, 6)
    cohort_id = await opened(world, capacity=3)
    ids = await nominated(world, head, cohort_id, leaders)
    hr = await load_principal(world.accounts["hr"])
    for i in ids[:3]:
        await cohorts.select(hr, i)
    await cohorts.confirm(hr, cohort_id)
    await asyncio.gather(*[cohorts.withdraw(hr, i) for i in ids[:3]])
    taken = await Nomination.count().where(Nomination.status.is_in(["selected", "offered"]))
    assert taken == 3 and [await status(i) for i in ids[3:]] == ["offered"] * 3


async def test_hr_selects_in_the_browser_form_and_sees_the_balance(client, world, head):
    leaders = await more_leaders(world, 2)
    cohort_id = await opened(world, capacity=1)
    ids = await nominated(world, head, cohort_id, leaders)
    await login(client, World.HR)
    picked = await post_form(client, f"/kompetence/indstillinger/{ids[0]}/udvaelg")
    await confirmed(client, picked, "Lederen er udvalgt til holdet.")
    full = await post_form(client, f"/kompetence/indstillinger/{ids[1]}/udvaelg")
    assert full.status_code == 400 and "Holdet er fuldt (1 af 1 pladser)" in full.text
    page = await client.get(f"/kompetence/hold/{cohort_id}")
    assert "1 af 1 pladser er taget" in page.text and "Tilbud A" in page.text
    waiting = await post_form(client, f"/kompetence/indstillinger/{ids[1]}/venteliste")
    await confirmed(client, waiting, "Lederen står nu på ventelisten.")
    closed = await post_form(client, f"/kompetence/hold/{cohort_id}/bekraeft")
    await confirmed(client, closed, "Holdet er bekræftet")


async def _account_of(employee_id: int) -> int:
    from hr.auth.tables import Account

    return (await Account.select(Account.id).where(Account.employee == employee_id).first().run())["id"]
