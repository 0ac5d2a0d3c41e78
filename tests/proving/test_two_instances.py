"""Two service instances on one database: a session from one is valid on the other (and ends on
both), and with both schedulers running, each reminder is mailed once."""

import asyncio
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from hr.notify import engine
from hr.notify.tables import JobRun, OutboxMessage, ReminderLog
from tests.conftest import PASSWORD, World, free_port

pytestmark = pytest.mark.browser  # real server processes, like the browser tests


def start(port: int, extra: dict) -> subprocess.Popen:
    env = {**os.environ, **extra}
    return subprocess.Popen([sys.executable, "-m", "uvicorn", "hr.app:create_app", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


async def up(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(f"{url}/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


@pytest.fixture
def instances(smtp):
    ports = [free_port(), free_port()]
    extra = {"HR_SCHEDULER": "on", "HR_SMTP_HOST": "127.0.0.1", "HR_SMTP_PORT": str(smtp.port)}
    procs = [start(p, extra) for p in ports]
    yield [f"http://127.0.0.1:{p}" for p in ports]
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


async def test_sessions_work_on_both_and_reminders_go_out_once(world, smtp, instances):
    a, b = instances
    await asyncio.gather(up(a), up(b))
    async with httpx.AsyncClient() as client:
        await client.get(f"{a}/login")
        response = await client.post(f"{a}/login", data={"email": World.STAFF, "password": PASSWORD,
                                                          "_csrf_token": client.cookies.get("csrftoken")})
        assert response.status_code == 302
        assert (await client.get(f"{b}/profil")).status_code == 200  # the same session, the other instance
        await client.post(f"{b}/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
        assert (await client.get(f"{a}/profil", follow_redirects=False)).status_code in (302, 401)
    keys = {r.key for r in await engine.collect(engine.utcnow())}
    deadline = time.monotonic() + 60
    written = 0
    while time.monotonic() < deadline:
        # The start-up catch-up: the missed sweep, then the missed digest with what it found.
        written = await OutboxMessage.count()
        if await JobRun.count().where((JobRun.job == "digest") & (JobRun.status == "ok")) and \
                len(smtp.envelopes) >= written > 0:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)  # let a duplicate, if there were one, arrive
    assert await ReminderLog.count() == len(keys)
    immediate = await ReminderLog.count().where(ReminderLog.delivery == "immediate")
    digests = await OutboxMessage.count().where(OutboxMessage.kind == "digest")
    assert await OutboxMessage.count() == written == immediate + digests and immediate > 0
    recipients = [e.rcpt_tos[0] for e in smtp.envelopes]
    assert len(recipients) == written  # every mail once, from one of the two instances
