"""Reminder hooks: what the work environment wants sent, with stable keys."""

from datetime import timedelta

from hr.db import now
from hr.forms import local_today
from hr.workenv import reminders
from hr.workenv.tables import ActionItem, Apv, Incident, Order


async def test_overdue_follow_up_and_defusing_remind_the_unit_leader(world):
    long_ago = now() - timedelta(days=10)
    rows = await Incident.insert(Incident(kind="violence", status="submitted", occurred_at=long_ago,
                                          submitted_at=long_ago, unit=world.unit_a1, institution=world.inst_a,
                                          reporter=world.accounts["staff"], description="x", severity=2)
                                 ).returning(Incident.id).run()
    found = [r for r in await reminders.due(now()) if r.subject == f"incident:{rows[0]['id']}"]
    assert {r.kind for r in found} == {"workenv.incident_submitted", "workenv.followup_review.overdue",
                                       "workenv.violence_defusing.overdue", "workenv.violence_debriefing.overdue"}
    assert {r.account_id for r in found} == {world.accounts["leader"]}
    assert len({r.key for r in found}) == len(found)
    again = [r for r in await reminders.due(now()) if r.subject == f"incident:{rows[0]['id']}"]
    assert {r.key for r in again} == {r.key for r in found}


async def test_a_reviewed_and_supported_incident_needs_no_reminder(world):
    long_ago = now() - timedelta(days=10)
    await Incident.insert(Incident(kind="violence", status="reviewed", occurred_at=long_ago, submitted_at=long_ago,
                                   reviewed_at=long_ago, defusing_offered_at=long_ago, debriefing_held_at=long_ago,
                                   unit=world.unit_a1,
                                   institution=world.inst_a, description="x", severity=2)).run()
    assert [r for r in await reminders.due(now()) if r.subject.startswith("incident:")] == []


async def test_actions_orders_and_apvs_remind_their_owners(world):
    today = local_today()
    await ActionItem.insert(ActionItem(source_type="incident", source_id=1, institution=world.inst_a,
                                       unit=world.unit_a1, problem="Uro", owner=world.accounts["staff"],
                                       deadline=today - timedelta(days=1))).run()
    await Order.insert(Order(case_number="AT-9", received_on=today - timedelta(days=20), order_type="frist",
                             institution=world.inst_a, unit=world.unit_a1, reply_deadline=today + timedelta(days=2),
                             responsible=world.accounts["leader"])).run()
    await Apv.insert(Apv(institution=world.inst_a, unit=world.unit_a1, started_on=today - timedelta(days=1200),
                         completed_on=today - timedelta(days=1100))).run()
    found = await reminders.due(now())
    kinds = {(r.kind, r.account_id) for r in found}
    assert ("workenv.action.overdue", world.accounts["staff"]) in kinds
    assert ("workenv.order.reply_deadline", world.accounts["leader"]) in kinds
    assert ("workenv.apv_due", world.accounts["leader"]) in kinds
