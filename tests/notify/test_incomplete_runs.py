"""A sweep or digest the database failed under is not recorded as OK: it is partly failed, HR is
warned, and it is done again at the next interval; the weekly digest waits for a complete sweep
and never sends part of the week as if it were whole. `hr sweep` says in Danish what went wrong
and exits with a code that says so. On PostgreSQL the connection is really dropped."""

import os
import subprocess
import sys

import pytest

from hr.notify import engine, scheduler
from hr.notify.outbox import deliver_due
from hr.notify.services import EXIT_DELIVERY_STOPPED, EXIT_SWEEP_UNFINISHED
from hr.notify.tables import JobRun, OutboxMessage, Preference, ReminderLog
from tests.conftest import ENGINE, World, login
from tests.faults import failing_database, unreadable

UNREAD = "supervision_booking_participant"  # read by supervision's reminders alone


async def _warnings(client) -> str:
    from hr.notify import health

    health._cache.clear()
    await login(client, World.HR)
    return (await client.get("/admin/paamindelser")).text


async def test_a_sweep_that_could_not_read_a_domain_is_partly_failed_warned_and_done_again(client, world):
    async with unreadable(UNREAD):
        result = await engine.sweep()
    assert result["status"] == "partial" and "Ikke fuldført: Supervision" in result["detail"]
    run = await JobRun.select().where(JobRun.job == "sweep").first().run()
    assert run["status"] == "partial" and await engine.last_success("sweep") is None
    reason = "forbindelsen til databasen blev afbrudt" if ENGINE == "postgres" else "kunne ikke læses"
    assert reason in run["detail"]
    page = await _warnings(client)
    assert "blev ikke fuldført" in page and "Delvist fejlet" in page
    # The next run (the scheduler's, a quarter of an hour later) reads it and is complete.
    assert (await scheduler.sweep_and_catch_up())["status"] == "ok"
    assert "blev ikke fuldført" not in await _warnings(client)


async def test_the_digest_waits_for_a_complete_sweep_and_then_has_the_whole_week(client, world, smtp):
    await Preference.insert(Preference(account=world.accounts["leader"], mode="digest")).run()
    async with unreadable(UNREAD):
        assert (await engine.sweep())["status"] == "partial"
        # Monday 07:00 (or the catch-up at start-up) comes after a sweep that missed supervision.
        waited = await engine.send_digests()
    assert waited["status"] == "waiting"
    assert not await OutboxMessage.count().where(OutboxMessage.kind == "digest").run()
    assert not await ReminderLog.count().where(ReminderLog.digest_sent_at.is_not_null()).run()
    assert "venter på en fuldstændig gennemgang" in await _warnings(client)

    await scheduler.sweep_and_catch_up()  # the next sweep is complete, and the digest goes with it
    await deliver_due()
    digests = [m for m in smtp.messages() if m["To"] == World.LEADER and m["Subject"].startswith("Ugens")]
    assert len(digests) == 1
    assert "Søren Ståbi har overskredet supervision" in digests[0].get_body(("plain",)).get_content()
    assert not await engine.digest_missed(engine.utcnow())
    sent = await OutboxMessage.count().where(OutboxMessage.kind == "digest").run()
    await scheduler.sweep_and_catch_up()  # done for the week: no second digest
    assert await OutboxMessage.count().where(OutboxMessage.kind == "digest").run() == sent


@pytest.mark.skipif(ENGINE != "postgres", reason="a connection to drop is PostgreSQL's")
async def test_a_connection_dropped_during_the_digest_leaves_the_rest_for_the_retry(client, world, smtp):
    for persona in ("leader", "other"):
        await Preference.insert(Preference(account=world.accounts[persona], mode="digest")).run()
    assert (await engine.sweep())["status"] == "ok"
    other = world.accounts["other"]
    async with failing_database("notify_reminder", f"NEW.digest_sent_at IS NOT NULL AND NEW.account = {other}"):
        result = await engine.send_digests()
    assert result["status"] == "partial" and "Samlemail" in result["detail"]
    assert await engine.digest_missed(engine.utcnow())
    assert "nåede ikke ud til alle" in await _warnings(client)
    await scheduler.sweep_and_catch_up()
    await deliver_due()
    digests = sorted(m["To"] for m in smtp.messages() if m["Subject"].startswith("Ugens"))
    assert digests == sorted([World.LEADER, World.OTHER])  # each once: the leader got no second
    assert not await engine.digest_missed(engine.utcnow())


def _hr_sweep(port: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "HR_SMTP_HOST": "127.0.0.1", "HR_SMTP_PORT": str(port)}
    return subprocess.run([sys.executable, "-m", "hr.cli", "sweep"], env=env, capture_output=True, text=True,
                          timeout=120)


async def test_hr_sweep_says_in_danish_that_the_sweep_was_not_completed(world, smtp):
    async with unreadable(UNREAD):
        done = _hr_sweep(smtp.port)
    assert done.returncode == EXIT_SWEEP_UNFINISHED, done.stderr
    assert "Ikke fuldført: Supervision" in done.stdout and "Traceback" not in done.stdout + done.stderr


async def test_hr_sweep_says_in_danish_that_delivery_stopped_and_the_mail_is_not_lost(world, smtp):
    async with failing_database("notify_outbox", "NEW.phase = 'connected'", times=1):
        done = _hr_sweep(smtp.port)
    assert done.returncode == EXIT_DELIVERY_STOPPED, done.stdout + done.stderr
    assert "afsendelsen stoppede, fordi forbindelsen til databasen blev afbrudt" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert not await OutboxMessage.count().where(OutboxMessage.status == "failed").run()
    await deliver_due()
    assert len(smtp.envelopes) == await OutboxMessage.count() > 0


async def test_run_now_tells_hr_what_was_not_done(client, world):
    from tests.confirmations import confirmed
    from tests.conftest import post_form

    await login(client, World.HR)
    async with unreadable(UNREAD):
        answer = await post_form(client, "/admin/paamindelser/koer", token_from="/admin/paamindelser")
    await confirmed(client, answer, "Ikke fuldført: Supervision")
    assert "blev ikke fuldført" in await _warnings(client)
