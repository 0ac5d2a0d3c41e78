"""The reminder engine: each reminder once per key, through a real SMTP server; preferences,
switches, digests; safe to re-run, to crash, and to run in two processes at once."""

import asyncio
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta

from hr.auth.services import load_principal
from hr.db import now
from hr.duties import duties_for
from hr.notify import engine, outbox, scheduler
from hr.notify.tables import JobLease, JobRun, KindSwitch, OutboxMessage, Preference, ReminderLog
from tests.confirmations import confirmed
from tests.conftest import ENGINE, World, login, post_form


async def expected_keys() -> set[str]:
    return {r.key for r in await engine.collect(now())}


async def immediate_count() -> int:
    return await ReminderLog.count().where(ReminderLog.delivery == "immediate")


async def test_a_sweep_mails_each_reminder_exactly_once(world, smtp):
    keys = await expected_keys()
    assert keys, "the world has overdue supervision, so there is something to remind"
    first = await engine.sweep()
    assert first["status"] == "ok"
    again = await engine.sweep()
    assert "0 nye" in again["detail"]
    assert await ReminderLog.count() == len(keys)
    await outbox.deliver_due()
    await outbox.deliver_due()
    assert len(smtp.envelopes) == await immediate_count() > 0
    # Leaders get the non-urgent ones about their staff in the weekly digest by default.
    digest_people = {r["account"] for r in await ReminderLog.select(ReminderLog.account).where(
        ReminderLog.delivery == "digest").run()}
    assert digest_people == {world.accounts["leader"], world.accounts["other"]}
    await engine.send_digests()
    await outbox.deliver_due()
    assert len(smtp.envelopes) == await immediate_count() + len(digest_people)
    staff_mail = [m for m in smtp.messages() if m["To"] == World.STAFF]
    assert len(staff_mail) == 1 and staff_mail[0]["Subject"] == "Påmindelse: Din supervision er overskredet"
    body = staff_mail[0].get_body(("plain",)).get_content()
    assert "/supervision/kalender" in body and "Søren Ståbi" in body


async def test_a_digest_person_gets_one_weekly_mail_instead(world, smtp):
    await Preference.insert(Preference(account=world.accounts["leader"], mode="digest")).run()
    await engine.sweep()
    await outbox.deliver_due()
    assert not [m for m in smtp.messages() if m["To"] == World.LEADER]
    waiting = await ReminderLog.count().where((ReminderLog.account == world.accounts["leader"])
                                              & (ReminderLog.delivery == "digest"))
    assert waiting >= 2  # Lene's own supervision and Søren's
    await engine.send_digests()
    await engine.send_digests()  # nothing new: no second digest
    await outbox.deliver_due()
    digests = [m for m in smtp.messages() if m["To"] == World.LEADER]
    assert len(digests) == 1 and digests[0]["Subject"] == f"Ugens påmindelser: {waiting} sager"
    text = digests[0].get_body(("plain",)).get_content()
    assert "Søren Ståbi har overskredet supervision" in text
    # The open duties, the same list as the front page (hr/duties.py), most urgent first.
    leader = await load_principal(world.accounts["leader"])
    duties = (await duties_for(leader)).items
    assert duties and f"Dine åbne opgaver ({len(duties)}" in text
    assert text.index(duties[0].title) < text.index("Skift mellem samlede")


async def test_optional_kinds_can_be_muted_mandatory_ones_cannot(world, smtp):
    await Preference.insert(Preference(account=world.accounts["staff"],
                                       muted_kinds="supervision.overdue,supervision.booking_soon")).run()
    await engine.sweep()
    assert await ReminderLog.count().where(ReminderLog.account == world.accounts["staff"]) == 1  # mandatory


async def test_hr_can_switch_a_kind_off_for_everyone(world):
    await KindSwitch.insert(KindSwitch(kind="supervision.overdue", enabled=False)).run()
    await engine.sweep()
    assert await ReminderLog.count().where(ReminderLog.kind == "supervision.overdue") == 0


async def test_a_held_lease_makes_a_second_sweep_wait_and_an_expired_one_is_taken_over(world):
    assert await engine.take_lease("sweep", holder="other-process")
    assert (await engine.sweep())["status"] == "skipped"
    assert await ReminderLog.count() == 0
    await JobLease.update({JobLease.expires_at: now() - timedelta(seconds=1)}).where(JobLease.job == "sweep").run()
    assert (await engine.sweep())["status"] == "ok"  # the other process died: its lease ran out


def _cli(*args: str, env_extra: dict) -> subprocess.Popen:
    env = {**os.environ, **env_extra}
    return subprocess.Popen([sys.executable, "-m", "hr.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


async def test_two_processes_sweeping_and_delivering_at_once_send_each_reminder_once(world, smtp):
    keys = await expected_keys()
    env = {"HR_SMTP_HOST": "127.0.0.1", "HR_SMTP_PORT": str(smtp.port), "HR_SCHEDULER": "off"}
    for _ in range(3):
        procs = [_cli("sweep", env_extra=env) for _ in range(2)]
        for proc in procs:
            out, _ = await asyncio.to_thread(proc.communicate, timeout=120)
            assert proc.returncode == 0, out.decode()
    assert await ReminderLog.count() == len(keys)
    await outbox.deliver_due()
    recipients = sorted(e.rcpt_tos[0] for e in smtp.envelopes)
    assert len(recipients) == await immediate_count(), f"{ENGINE}: {recipients}"
    assert len(recipients) == len(set(recipients))  # here each person has one immediate reminder


async def test_a_process_killed_mid_sweep_loses_nothing(world, smtp):
    keys = await expected_keys()
    env = {"HR_SCHEDULER": "off", "HR_SMTP_HOST": ""}
    proc = _cli("sweep", "--no-deliver", env_extra=env)
    await asyncio.sleep(0.8)  # somewhere in start-up or the sweep: the result must not depend on where
    proc.send_signal(signal.SIGKILL)
    await asyncio.to_thread(proc.wait)
    await JobLease.update({JobLease.expires_at: now() - timedelta(seconds=1)}, force=True).run()
    await engine.sweep()
    await engine.sweep()
    assert {r["key"] for r in await ReminderLog.select(ReminderLog.key).run()} == keys
    mails = await OutboxMessage.select(OutboxMessage.key).run()
    assert len(mails) == len({m["key"] for m in mails}) == await immediate_count()


async def test_a_failing_job_is_recorded_and_a_dead_scheduler_shows(world):
    assert await engine.sweep_is_stale()
    await engine.sweep()
    assert not await engine.sweep_is_stale()
    assert await engine.sweep_is_stale(now() + timedelta(minutes=31))
    [run] = await JobRun.select().run()
    assert run["status"] == "ok" and run["finished_at"] is not None


async def test_a_missed_sweep_runs_at_start_up(world):
    old = now() - timedelta(hours=5)
    await JobRun.insert(JobRun(job="sweep", started_at=old, finished_at=old, status="ok")).run()
    clock = await scheduler.start()
    try:
        for _ in range(100):  # until a sweep has finished (a row is written when one starts)
            if await JobRun.count().where((JobRun.job == "sweep") & (JobRun.started_at > old)
                                          & (JobRun.status == "ok")):
                break
            await asyncio.sleep(0.1)
        assert await ReminderLog.count() > 0
    finally:
        clock.shutdown(wait=False)


async def test_the_digest_catch_up_knows_the_last_monday_morning():
    monday_morning = datetime.fromisoformat("2026-11-23T07:00:00+01:00")
    assert engine.last_digest_time(datetime.fromisoformat("2026-11-27T12:00:00+01:00")) == monday_morning
    assert engine.last_digest_time(datetime.fromisoformat("2026-11-23T06:59:00+01:00")) == (
        monday_morning - timedelta(days=7))
    # Summer time: 07:00 Danish time is 05:00 UTC.
    assert engine.last_digest_time(datetime.fromisoformat("2026-06-03T12:00:00+00:00")).hour == 7


async def test_after_a_long_stop_the_missed_sweep_runs_before_the_missed_digest(world):
    old = now() - timedelta(days=9)
    await JobRun.insert(JobRun(job="sweep", started_at=old, finished_at=old, status="ok"),
                        JobRun(job="digest", started_at=old, finished_at=old, status="ok")).run()
    clock = await scheduler.start()
    try:
        for _ in range(150):  # until the catch-up digest has finished
            if await JobRun.count().where((JobRun.job == "digest") & (JobRun.started_at > old)
                                          & (JobRun.status != "running")):
                break
            await asyncio.sleep(0.1)
    finally:
        clock.shutdown(wait=False)
    runs = await JobRun.select(JobRun.job, JobRun.started_at, JobRun.finished_at).where(
        JobRun.started_at > old).order_by(JobRun.started_at).run()
    assert [r["job"] for r in runs][:2] == ["sweep", "digest"], runs
    assert runs[0]["finished_at"] is not None and runs[0]["finished_at"] <= runs[1]["started_at"]


async def test_a_working_holder_renews_its_lease(world):
    seen = {}

    async def slow_work(problems) -> str:
        first = (await JobLease.select().where(JobLease.job == "slow").first().run())["expires_at"]
        await asyncio.sleep(engine.RENEW_EVERY.total_seconds() + 2)
        seen["renewed"] = (await JobLease.select().where(JobLease.job == "slow").first().run())["expires_at"] > first
        return "done"

    assert (await engine.run_job("slow", slow_work))["status"] == "ok"
    assert seen["renewed"]
    lease = await JobLease.select().where(JobLease.job == "slow").first().run()
    assert lease["holder"] == ""  # released at the end


async def test_the_lease_is_not_re_entrant_and_a_second_run_now_says_one_is_running(client, world):
    """Found by trying: simultaneous "Kør nu" clicks ran two sweeps at once in one process."""
    assert await engine.take_lease("sweep")  # this process's own sweep is running
    assert not await engine.take_lease("sweep")
    assert (await engine.sweep())["status"] == "skipped"
    await login(client, World.HR)
    answer = await post_form(client, "/admin/paamindelser/koer", token_from="/admin/paamindelser")
    await confirmed(client, answer, "En gennemgang kører allerede")
    assert await ReminderLog.count() == 0
    await engine.release_lease("sweep")
    assert (await engine.sweep())["status"] == "ok"
