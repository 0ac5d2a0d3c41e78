"""A delivering process killed outright (SIGKILL, a real subprocess) at each phase of the SMTP
conversation: the mail the server never had is sent again once, the one it may have had is
resent once with the same Message-ID (unless HR made its kind at-most-once: then it waits for HR);
none is lost (a real SMTP server on loopback)."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from hr.db import now, transaction
from hr.notify import outbox
from hr.notify.outbox import Mail, enqueue
from hr.notify.tables import OutboxMessage
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form, smtp_server

DELIVER = ("import asyncio\n"
           "from hr import db\n"
           "from hr.notify import outbox\n"
           "async def main():\n"
           "    await db.start()\n"
           "    await outbox.deliver_due()\n"
           "asyncio.run(main())\n")


class SlowAt:
    """Accepts mail, but stalls (as a busy server does) at one step until told to go on."""

    def __init__(self, step: str):
        self.step, self.envelopes, self.release = step, [], asyncio.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.step == "RCPT" and not self.release.is_set():
            await asyncio.sleep(30)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.step == "DATA" and not self.release.is_set():
            await asyncio.sleep(2)  # it has the whole mail; the client dies before the answer arrives
        self.envelopes.append(envelope)
        return "250 OK"


async def _kill_when(process: subprocess.Popen, phase: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row = await OutboxMessage.select(OutboxMessage.phase).first().run()
        if row["phase"] == phase:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            return
        await asyncio.sleep(0.05)
    process.kill()
    pytest.fail(f"the delivering process never reached {phase}")


async def _killed_while_delivering(handler: SlowAt, port: int, phase: str) -> None:
    """One legal reminder, a delivering process killed with SIGKILL when its attempt reaches
    `phase`, and ten minutes on: the dead worker's claim has gone stale."""
    async with transaction():
        await enqueue(Mail(key="legal:1", kind="workenv.accident_easy.overdue", to_address="leder@test.example",
                           template="test_message", context={"name": "Lene", "text": "EASY-fristen"}))
    env = {**os.environ, "HR_SMTP_HOST": "127.0.0.1", "HR_SMTP_PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-c", DELIVER], env=env)
    await _kill_when(process, phase)
    handler.release.set()
    await asyncio.sleep(2.5)  # a DATA the server was handling completes on its side
    await _pass(outbox.STALE_AFTER + timedelta(minutes=1))


async def _pass(time_: timedelta) -> None:
    await OutboxMessage.update({OutboxMessage.claimed_at: now() - time_}).where(
        OutboxMessage.status.is_in(["sending", "uncertain"])).run()
    await outbox.deliver_due()


@pytest.mark.parametrize("step, phase, after_claim, most_copies", [("RCPT", "connected", "sent", 1),
                                                                  ("DATA", "data_sent", "uncertain", 2)])
async def test_a_killed_delivery_loses_nothing(world, step, phase, after_claim, most_copies):
    handler = SlowAt(step)
    with smtp_server(handler) as port:
        await _killed_while_delivering(handler, port, phase)
        assert (await OutboxMessage.select().first().run())["status"] == after_claim
        await _pass(timedelta(minutes=31))  # the wait before an uncertain mail is resent
    row = await OutboxMessage.select().first().run()
    assert row["status"] == "sent", row
    ids = {e.content.split(b"Message-ID: ")[1].split(b"\r\n")[0] for e in handler.envelopes}
    # Delivered, once, or (when the server kept the interrupted copy) twice with one Message-ID.
    assert 1 <= len(handler.envelopes) <= most_copies and len(ids) == 1


async def test_a_kind_hr_made_at_most_once_is_left_for_hr_and_never_resent_by_itself(client, world):
    await login(client, World.HR)
    made = await post_form(client, "/admin/paamindelser/typer",
                           {"kind": "workenv.", "at_most_once": "1"})
    await confirmed(client, made, "sendes ikke igen automatisk")
    handler = SlowAt("DATA")
    with smtp_server(handler) as port:
        await _killed_while_delivering(handler, port, "data_sent")
        await _pass(timedelta(hours=5))  # far past the automatic resend's wait
        row = await OutboxMessage.select().first().run()
        assert row["status"] == "uncertain"
        kept = len(handler.envelopes)  # 0 or 1: whether the server kept the interrupted copy
        assert "afbrudt under afsendelsen" in (await client.get("/admin/post")).text  # HR is told
        await post_form(client, f"/admin/post/{row['id']}/send-igen")  # and HR decides
        await outbox.deliver_due()
    assert (await OutboxMessage.select().first().run())["status"] == "sent" and len(handler.envelopes) == kept + 1
