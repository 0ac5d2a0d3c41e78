"""One bad row never stops the reminders for everyone: the sweep, the digest and the outbox
handle each person and item on their own, report what failed to HR, and deliver the rest
(a real SMTP server on loopback receives them)."""

from datetime import date, timedelta

from hr.auth.tables import Account
from hr.db import now
from hr.notify import engine, outbox
from hr.notify.tables import JobRun, OutboxMessage, Preference, ReminderLog
from hr.org.tables import EmployeeLeave
from hr.workenv.tables import Incident
from tests.conftest import World, login


async def _incident(world, unit: int, institution: int, kind: str = "near_miss") -> int:
    rows = await Incident.insert(Incident(
        kind=kind, status="submitted", occurred_at=now() - timedelta(hours=2), submitted_at=now() - timedelta(hours=1),
        unit=unit, institution=institution, reporter=world.accounts["staff"], place_type="common",
        description="Planted", severity=1)).returning(Incident.id).run()
    return rows[0]["id"]


async def _plant_broken_rows(world) -> dict:
    """Rows no form accepts today but a database may hold: an episode of a kind the product no
    longer knows, a leave to 9999-12-31, an address that cannot head a mail."""
    retired = await _incident(world, world.unit_a1, world.inst_a, kind="retired_kind")
    await EmployeeLeave.insert(EmployeeLeave(employee=world.other_employee, starts_on=date(2026, 1, 1),
                                             ends_on=date(9999, 12, 31), kind="orlov")).run()
    await Account.update({Account.email: "bo@test.example\r\nBcc: alle@test.example"}).where(
        Account.id == world.accounts["other"]).run()
    return {"retired": retired}


async def test_a_broken_row_is_reported_and_every_other_reminder_is_delivered(client, world, smtp):
    # Everyone gets their reminders at once, so each one is a mail.
    await Preference.insert(*[Preference(account=a, mode="immediate") for a in world.accounts.values()]).run()
    good_a = await _incident(world, world.unit_a1, world.inst_a)
    good_b = await _incident(world, world.unit_b1, world.inst_b)  # its leader's address is broken
    planted = await _plant_broken_rows(world)

    result = await engine.sweep()
    assert result["status"] == "ok"
    problems = [(p["source"], p["item"]) for p in result["problems"]]
    assert problems == [("Arbejdsmiljø", f"incident:{planted['retired']}")]
    run = await JobRun.select().where(JobRun.job == "sweep").first().run()
    assert run["status"] == "ok" and run["problem_count"] == 1 and "1 kunne ikke behandles" in run["detail"]

    keys = {r["key"] for r in await ReminderLog.select(ReminderLog.key).run()}
    assert f"workenv.incident_submitted|incident:{good_a}|submitted|{world.accounts['leader']}" in keys
    assert f"workenv.incident_submitted|incident:{good_b}|submitted|{world.accounts['other']}" in keys
    # The leave to 9999 neither stops supervision nor hides the others' status.
    assert any(k.startswith("supervision.overdue|employee:") and k.endswith(f"|{world.accounts['staff']}")
               for k in keys)

    counts = await outbox.deliver_due()
    messages = await OutboxMessage.select().run()
    failed = [m for m in messages if m["status"] == "failed"]
    assert [m["account"] for m in failed] == [world.accounts["other"]] * len(failed) and failed
    assert all("kunne ikke dannes" in m["last_error"] for m in failed)
    sent = [m for m in messages if m["status"] == "sent"]
    assert counts["sent"] == len(sent) == len(messages) - len(failed) > 0
    received = sorted(m["To"] for m in smtp.messages())
    assert received == sorted(m["to_address"] for m in sent)
    assert World.LEADER in received and World.STAFF in received

    # HR sees what failed: the run with its item, the mail with its reason.
    await login(client, World.HR)
    jobs = await client.get("/admin/paamindelser")
    assert "1 kunne ikke behandles" in jobs.text
    assert f'<a href="/arbejdsmiljoe/haendelser/{planted["retired"]}">incident:{planted["retired"]}</a>' in jobs.text
    post = await client.get("/admin/post?status=failed")
    assert post.status_code == 200 and "Fejlet" in post.text


async def _ids_of(kind: str) -> set[str]:
    from hr.settings import get_settings

    rows = await OutboxMessage.select().where(OutboxMessage.kind == kind).run()
    return {outbox.build_message(r, get_settings())["Message-ID"] for r in rows if r["status"] == "sent"}


async def test_one_persons_broken_digest_leaves_everyone_elses(world, smtp):
    for persona in ("leader", "other"):
        await Preference.insert(Preference(account=world.accounts[persona], mode="digest")).run()
    await _incident(world, world.unit_a1, world.inst_a)
    await _incident(world, world.unit_b1, world.inst_b)
    await engine.sweep()
    waiting = await ReminderLog.select().where(ReminderLog.delivery == "digest").run()
    assert {r["account"] for r in waiting} >= {world.accounts["leader"], world.accounts["other"]}
    await Account.update({Account.email: "bo@test.example\r\nBcc: alle@test.example"}).where(
        Account.id == world.accounts["other"]).run()

    result = await engine.send_digests()
    assert result["status"] == "ok" and result["detail"].startswith("2 samlemails")
    counts = await outbox.deliver_due()
    assert counts["failed"] == 1
    digests = [m for m in smtp.messages() if m["Message-ID"] in await _ids_of("digest")]
    assert [m["To"] for m in digests] == [World.LEADER]
    failed = await OutboxMessage.select().where(OutboxMessage.status == "failed").run()
    assert [m["kind"] for m in failed] == ["digest"] and "kunne ikke dannes" in failed[0]["last_error"]
