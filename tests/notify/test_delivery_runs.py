"""Delivery runs: reused connections for a batch, and a mail server that does not answer (hangs,
or is down) tried once per back-off step rather than once per mail; nothing is lost meanwhile."""

import asyncio
import socket
import time

import pytest

from hr.db import transaction
from hr.notify import outbox
from hr.notify.outbox import Mail, enqueue
from hr.notify.tables import OutboxMessage
from tests.conftest import mail_server_at
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
