"""An orderly stop (SIGTERM) of `hr scheduler` and of the web service while mail is being
delivered: they claim nothing more, finish what is in flight, release their leases and exit in a
bounded time; the rest is delivered later, each mail once (a real SMTP server on loopback)."""

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest

from hr.db import transaction
from hr.notify import outbox
from hr.notify.outbox import Mail, enqueue
from hr.notify.tables import JobLease, JobRun, OutboxMessage
from tests.conftest import free_port, smtp_server

MAILS = 40


class SlowServer:
    """Takes half a second per mail, as a busy relay does."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.5)
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def slow_server():
    handler = SlowServer()
    with smtp_server(handler) as port:
        yield handler, port


def _service(kind: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "HR_SMTP_HOST": "127.0.0.1", "HR_SMTP_PORT": str(port)}
    if kind == "scheduler":
        command = [sys.executable, "-m", "hr.cli", "scheduler"]
    else:
        env["HR_SCHEDULER"] = "on"
        command = [sys.executable, "-m", "uvicorn", "hr.app:create_app", "--factory", "--port", str(free_port()),
                   "--log-level", "warning"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.parametrize("kind", ["scheduler", "web"])
async def test_sigterm_during_delivery_finishes_or_hands_back_and_loses_nothing(world, slow_server, kind):
    handler, port = slow_server
    async with transaction():
        await enqueue(*[Mail(key=f"stop:{n}", kind="test", to_address=f"p{n}@test.example",
                             template="test_message", context={"name": "P", "text": "T"}) for n in range(MAILS)])
    process = _service(kind, port)
    deadline = time.monotonic() + 60
    while len(handler.envelopes) < 3 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert len(handler.envelopes) >= 3, "delivery never started"
    asked = time.monotonic()
    process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.to_thread(process.communicate, timeout=60)
    took = time.monotonic() - asked
    # uvicorn re-raises the signal once it has shut down in order, so its exit status names it.
    assert process.returncode in ((0,) if kind == "scheduler" else (0, -signal.SIGTERM)), output.decode()[-2000:]
    assert took < 25, f"stopping took {took:.1f} s"
    assert len(handler.envelopes) < MAILS, "it should have stopped claiming"
    # Nothing held: no mail claimed, no lease kept, no run left running.
    assert await OutboxMessage.count().where(OutboxMessage.status.is_in(["sending", "uncertain"])) == 0
    assert {r["holder"] for r in await JobLease.select(JobLease.holder).run()} <= {""}
    assert await JobRun.count().where(JobRun.status == "running") == 0
    # The rest goes out later, each mail once.
    outbox.breaker.reset()
    while await OutboxMessage.count().where(OutboxMessage.status == "pending"):
        await outbox.deliver_due()
    written = await OutboxMessage.count()
    received = [r for e in handler.envelopes for r in e.rcpt_tos]
    assert len(received) == len(set(received)) == written
