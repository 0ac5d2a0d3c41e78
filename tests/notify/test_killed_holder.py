"""A process killed outright (SIGKILL, a real subprocess) while it holds a job's lease: the lease
blocks the job only until it runs out, a scheduler started meanwhile makes up the missed sweep as
soon as it has, and HR's jobs page shows the killed run as ended."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from hr.notify import engine, scheduler
from hr.notify.tables import JobLease, JobRun
from tests.conftest import World, login

# A holder with a short lease (3 s, renewed every second) stuck in a sweep that never ends.
HOLD = ("import asyncio\n"
        "from datetime import timedelta\n"
        "from hr import db\n"
        "from hr.notify import engine\n"
        "engine.LEASE, engine.RENEW_EVERY = timedelta(seconds=3), timedelta(seconds=1)\n"
        "async def stuck(problems):\n"
        "    await asyncio.sleep(600)\n"
        "async def main():\n"
        "    await db.start()\n"
        "    await engine.run_job('sweep', stuck)\n"
        "asyncio.run(main())\n")


async def _until(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"never: {what}")


async def test_a_holder_killed_mid_sweep_blocks_only_until_its_lease_runs_out(client, world, monkeypatch):
    assert engine.LEASE <= timedelta(minutes=2)  # in production a killed holder blocks for at most this
    monkeypatch.setattr(scheduler, "CATCH_UP_RETRY", timedelta(seconds=0.5))
    process = subprocess.Popen([sys.executable, "-c", HOLD], env=dict(os.environ))
    try:
        await _until(lambda: JobRun.exists().where((JobRun.job == "sweep") & (JobRun.status == "running")).run(),
                     30, "the holder started its sweep")
        await asyncio.sleep(1.5)  # long enough for the holder to have renewed its lease once
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    lease = await JobLease.select().where(JobLease.job == "sweep").first().run()
    assert lease["holder"] and lease["holder"].split(":")[1] == str(process.pid)
    clock = await scheduler.start()  # restarted while the dead holder's lease is still live
    try:
        await _until(lambda: JobRun.exists().where((JobRun.job == "sweep") & (JobRun.status == "ok")).run(),
                     20, "the missed sweep was made up")
    finally:
        clock.shutdown(wait=False)
    runs = {r["status"]: r for r in await JobRun.select().where(JobRun.job == "sweep").run()}
    assert set(runs) == {"interrupted", "ok"}
    assert runs["interrupted"]["finished_at"] is not None
    assert runs["ok"]["started_at"] >= lease["expires_at"]  # not before the lease ran out
    await login(client, World.HR)
    assert "Afbrudt" in (await client.get("/admin/paamindelser")).text
