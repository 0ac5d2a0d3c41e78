"""SMTP replies decide what happens to a mail, by their code: 4xx (greylisting, 421 at any step)
a 421 greeting and no answer are retried with back-off, 5xx is final; the server's words are kept for HR. A real
SMTP server on loopback (aiosmtpd) gives each reply."""

import asyncio
from dataclasses import replace
from datetime import timedelta

import aiosmtplib
import pytest

from hr.db import now, transaction
from hr.notify import outbox
from hr.notify.outbox import Mail, enqueue
from hr.notify.tables import OutboxMessage
from hr.settings import get_settings, set_settings
from tests.conftest import World, free_port, login, smtp_server


class ScriptedServer:
    """Accepts mail, except for the replies it is told to give: `script[step]` is a list of replies
    given once each, in order, at EHLO (and the HELO a client falls back to), MAIL, RCPT or DATA;
    `greylist` answers each new recipient's first RCPT with 451, as greylisting servers do."""

    def __init__(self):
        self.envelopes, self.script, self.greylist, self.seen = [], {}, False, set()

    def _scripted(self, step: str) -> str | None:
        replies = self.script.get(step) or []
        return replies.pop(0) if replies else None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if reply := self._scripted("EHLO"):
            self.refused_hello = reply
            return [reply]
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        if reply := getattr(self, "refused_hello", None):
            self.refused_hello = None
            return reply
        session.host_name = hostname
        return "250 OK"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if reply := self._scripted("MAIL"):
            return reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.greylist and address not in self.seen:
            self.seen.add(address)
            return "451 4.7.1 Greylisted, please try again later"
        if reply := self._scripted("RCPT"):
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if reply := self._scripted("DATA"):
            return reply
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def server():
    handler = ScriptedServer()
    with smtp_server(handler):
        yield handler


async def _write(count: int) -> None:
    async with transaction():
        await enqueue(*[Mail(key=f"grey:{n}", kind="test", to_address=f"person{n}@test.example",
                             template="test_message", context={"name": f"Person {n}", "text": "Hej"})
                        for n in range(count)])


async def _later() -> None:
    """The back-off has passed (simulated: every retry time moved into the past, and delivery's
    pause after a server that did not answer is over)."""
    outbox.breaker.reset()
    await OutboxMessage.update({OutboxMessage.next_attempt_at: now() - timedelta(seconds=1)}).where(
        OutboxMessage.status == "pending").run()


async def test_greylisting_delays_every_mail_once_and_loses_none(server):
    server.greylist = True
    await _write(60)
    first = await outbox.deliver_due()
    assert first == {"sent": 0, "retry": 60, "failed": 0}
    rows = await OutboxMessage.select().run()
    assert all(r["status"] == "pending" and r["last_error"].startswith("451 4.7.1 Greylisted") for r in rows)
    waits = {r["next_attempt_at"] - now() for r in rows}
    assert len(waits) > 1, "retries are spread (jitter), not all at one instant"
    await _later()
    assert await outbox.deliver_due() == {"sent": 60, "retry": 0, "failed": 0}
    received = sorted(r for e in server.envelopes for r in e.rcpt_tos)
    assert received == sorted(f"person{n}@test.example" for n in range(60))  # each once


@pytest.mark.parametrize("step", ["EHLO", "MAIL", "RCPT", "DATA"])
@pytest.mark.parametrize("reply", ["421 4.3.2 Service shutting down", "451 4.3.0 Temporary local problem",
                                   "452 4.2.2 Mailbox full"])
async def test_a_temporary_reply_at_any_step_is_retried_and_delivered_once(server, step, reply):
    server.script[step] = [reply]
    await _write(1)
    assert (await outbox.deliver_due())["retry"] == 1
    row = await OutboxMessage.select().first().run()
    assert row["status"] == "pending" and row["last_error"].startswith(reply.split()[0])
    await _later()
    assert (await outbox.deliver_due())["sent"] == 1
    assert len(server.envelopes) == 1


@pytest.mark.parametrize("step", ["MAIL", "RCPT", "DATA"])
async def test_a_permanent_refusal_is_final_at_once_and_hr_reads_the_servers_words(client, world, server, step):
    server.script[step] = ["550 5.1.1 Mailbox unavailable"]
    await _write(1)
    assert (await outbox.deliver_due())["failed"] == 1
    row = await OutboxMessage.select().first().run()
    assert row["status"] == "failed" and row["last_error"] == "550 5.1.1 Mailbox unavailable"
    await login(client, World.HR)
    page = await client.get(f"/admin/post/{row['id']}")
    assert "550 5.1.1 Mailbox unavailable" in page.text


async def test_a_server_that_greets_with_421_is_retried_and_the_mail_delivered_once(server):
    async def too_busy(reader, writer):
        writer.write(b"421 4.3.2 Too many connections, try again later\r\n")
        await writer.drain()
        writer.close()

    busy = await asyncio.start_server(too_busy, "127.0.0.1", 0)
    real = get_settings()
    set_settings(replace(real, smtp_port=busy.sockets[0].getsockname()[1]))
    try:
        await _write(2)
        assert (await outbox.deliver_due())["retry"] >= 1
        rows = await OutboxMessage.select().where(OutboxMessage.attempts > 0).run()
        assert rows and all(r["status"] == "pending" and r["last_error"].startswith("421 4.3.2") for r in rows)
    finally:
        busy.close()
        set_settings(real)
    await _later()
    assert (await outbox.deliver_due())["sent"] == 2
    assert sorted(r for e in server.envelopes for r in e.rcpt_tos) == ["person0@test.example", "person1@test.example"]


async def test_a_server_that_is_down_is_retried_and_delivered_once_it_is_up(server):
    before = get_settings()
    set_settings(replace(before, smtp_port=free_port()))  # nobody listens there
    await _write(3)
    assert (await outbox.deliver_due())["retry"] == 1  # one try; then delivery pauses for the back-off step
    tried = await OutboxMessage.select().where(OutboxMessage.attempts == 1).run()
    assert len(tried) == 1 and ("Connect" in tried[0]["last_error"] or "refused" in tried[0]["last_error"].lower())
    assert await outbox.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # paused: nothing tried
    set_settings(before)
    await _later()
    assert (await outbox.deliver_due())["sent"] == 3
    assert sorted(r for e in server.envelopes for r in e.rcpt_tos) == [f"person{n}@test.example" for n in range(3)]


def test_replies_are_classified_by_their_code():
    assert outbox.classify(aiosmtplib.SMTPResponseException(421, "closing")) == (True, "421 closing")
    assert outbox.classify(aiosmtplib.SMTPDataError(554, "rejected")) == (False, "554 rejected")
    assert outbox.classify(ConnectionRefusedError(111, "refused"))[0] is True
    assert outbox.classify(aiosmtplib.SMTPTimeoutError("timed out"))[0] is True
    mixed = aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(450, "busy", "a@x"),
                                              aiosmtplib.SMTPRecipientRefused(550, "unknown", "b@x")])
    assert outbox.classify(mixed) == (False, "450 busy; 550 unknown")
