"""Delivery runs: reused connections for a batch, and a mail server that does not answer (hangs,
or is down) tried once per back-off step rather than once per mail; nothing is lost meanwhile."""

import asyncio
import socket
import time
from dataclasses import replace

import pytest

from hr.db import now, transaction
from hr.notify import outbox
from hr.notify.outbox import Mail, enqueue
from hr.notify.tables import OutboxMessage
from hr.settings import get_settings, set_settings
from tests.conftest import free_port, mail_server_at
from tests.notify.test_smtp_replies import _later, server  # noqa: F401  (fixture)


async def _write(count: int, prefix: str = "run") -> None:
    async with transaction():
        await enqueue(*[Mail(key=f"{prefix}:{n}", kind="test", to_address=f"p{n}@test.example",
                             template="test_message", context={"name": "P", "text": "T"}) for n in range(count)])


@pytest.fixture
def silent_server():
    """Accepts connections and never says a word, like a mail server that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    with mail_server_at(listener.getsockname()[1], smtp_timeout_seconds=1):
        yield
    listener.close()


async def test_a_batch_goes_over_a_few_reused_connections(server):  # noqa: F811
    sessions = set()
    original = server.handle_DATA

    async def remember(srv, session, envelope):
        sessions.add(id(session))
        return await original(srv, session, envelope)

    server.handle_DATA = remember
    await _write(120)
    assert await outbox.deliver_due() == {"sent": 120, "retry": 0, "failed": 0}
    assert len(server.envelopes) == 120
    assert 1 <= len(sessions) <= outbox.CONNECTIONS


async def test_a_hanging_server_is_tried_once_per_back_off_step(silent_server):
    await _write(50)
    started = time.monotonic()
    counts = await outbox.deliver_due()
    assert time.monotonic() - started < 10  # one timeout, not fifty
    assert counts == {"sent": 0, "retry": 1, "failed": 0}
    rows = await OutboxMessage.select(OutboxMessage.attempts, OutboxMessage.status).run()
    assert sorted(r["attempts"] for r in rows) == [0] * 49 + [1] and {r["status"] for r in rows} == {"pending"}
    assert await outbox.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # paused: nothing tried


async def test_the_delivery_job_keeps_going_while_mail_is_due(server):  # noqa: F811
    from hr.notify import scheduler

    await _write(1200)
    await asyncio.wait_for(scheduler.deliver(), timeout=120)
    assert len(server.envelopes) == 1200


async def test_an_outage_in_the_middle_of_a_run_counts_once_and_pauses_for_about_a_minute():
    """Four connections meet the server's going away at once: one failure, not four (which made
    an eight-minute pause of a short outage)."""
    from aiosmtpd.controller import Controller

    from tests.conftest import free_port
    from tests.notify.test_smtp_replies import ScriptedServer

    handler = ScriptedServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    with mail_server_at(controller.port):
        await _write(400)
        delivery = asyncio.create_task(outbox.deliver_due())
        while len(handler.envelopes) < 40:
            await asyncio.sleep(0.005)
        await asyncio.to_thread(controller.stop)  # the server goes away mid-run
        counts = await delivery
        assert counts["retry"] >= 1 and outbox.breaker.failures == 1
        assert outbox.breaker.paused_until - now() <= outbox.BREAKER_FIRST * 1.2
        rows = await OutboxMessage.select(OutboxMessage.status, OutboxMessage.next_attempt_at).where(
            OutboxMessage.status != "sent").run()
        assert {r["status"] for r in rows} == {"pending"} and all(r["next_attempt_at"] <= now() for r in rows)


def test_the_pause_grows_from_a_minute_to_at_most_a_quarter_of_an_hour():
    breaker = outbox.Breaker()
    pauses = []
    for _ in range(8):
        breaker.trip(object())  # one failed run each time
        pauses.append((breaker.paused_until - now()).total_seconds() / 60)
    assert 0.75 <= pauses[0] <= 1.25 and pauses[1] > pauses[0] and max(pauses) <= 15 * 1.2 + 0.01
    assert pauses[-1] >= 15 * 0.8 - 0.01


async def test_after_a_two_minute_outage_every_waiting_mail_goes_at_the_next_run(server):  # noqa: F811
    """The server is down for two minutes (two runs a minute apart find nobody; the pause has
    doubled); the first run after its return sends everything waiting, not a pause later."""
    before = get_settings()
    set_settings(replace(before, smtp_port=free_port()))  # down: nobody listens
    try:
        await _write(300)
        assert (await outbox.deliver_due())["retry"] == 1
        outbox.breaker.paused_until = now()  # a minute on: the pause is over, and the server still down
        assert (await outbox.deliver_due())["retry"] == 1
        assert outbox.breaker.failures == 2 and outbox.breaker.paused()
    finally:
        set_settings(before)  # back
    assert outbox.breaker.paused()
    assert (await outbox.deliver_due())["sent"] == 300
    assert len(server.envelopes) == 300
