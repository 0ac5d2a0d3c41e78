"""The outbox: written with the change, delivered over real SMTP, retried, never twice."""

from dataclasses import replace
from datetime import timedelta

import pytest

from hr.db import now, transaction
from hr.notify import outbox
from hr.notify.outbox import Attachment, Mail, enqueue
from hr.notify.tables import OutboxMessage
from hr.settings import get_settings, set_settings
from tests.conftest import free_port


def test_mail(key="test:1", to="åse@test.example", **context) -> Mail:
    return Mail(key=key, kind="test", to_address=to, template="test_message",
                context={"name": "Søren Ærø", "text": "Blåbærgrød på øen", **context})


test_mail.__test__ = False  # a helper, not a test


async def statuses() -> list[str]:
    return [r["status"] for r in await OutboxMessage.select(OutboxMessage.status).order_by(OutboxMessage.id).run()]


async def test_it_delivers_danish_characters_intact(smtp):
    async with transaction():
        assert await enqueue(test_mail(), ) == 1
    assert await outbox.deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
    [message] = smtp.messages()
    assert message["Subject"] == "Hej Søren Ærø: blåbær"
    assert message["To"] == "åse@test.example" or message["To"] == "xn--se-1ia@test.example"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Blåbærgrød på øen" in text and "Blåbærgrød på øen" in html
    assert await statuses() == ["sent"]


async def test_the_same_key_is_written_once_and_sent_once(smtp):
    async with transaction():
        await enqueue(test_mail())
    async with transaction():
        assert await enqueue(test_mail()) == 0
    await outbox.deliver_due()
    await outbox.deliver_due()
    assert len(smtp.envelopes) == 1


async def test_a_rolled_back_change_sends_nothing(smtp):
    with pytest.raises(RuntimeError):
        async with transaction():
            await enqueue(test_mail())
            raise RuntimeError("the change failed")
    await outbox.deliver_due()
    assert smtp.envelopes == [] and await statuses() == []


async def test_mail_waits_for_a_server_that_is_down_and_is_delivered_once_after(smtp):
    async with transaction():
        await enqueue(test_mail())
    smtp.stop()
    assert (await outbox.deliver_due())["retry"] == 1
    row = await OutboxMessage.select().first().run()
    assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"]
    # No answer says nothing about the mail: it is due again, and the pause is the breaker's.
    assert row["next_attempt_at"] <= now() and outbox.breaker.paused()
    assert (await outbox.deliver_due())["retry"] == 0  # paused: a knock, nobody home, no mail tried
    smtp.start()
    # The next run (a minute later) knocks, is answered, and delivers without waiting out the pause.
    assert (await outbox.deliver_due())["sent"] == 1
    await outbox.deliver_due()
    assert len(smtp.envelopes) == 1


async def test_a_temporary_refusal_is_retried_until_the_horizon_and_then_marked_failed(smtp):
    smtp.refuse = True
    async with transaction():
        await enqueue(test_mail())
    for _ in range(3):
        await OutboxMessage.update({OutboxMessage.next_attempt_at: now() - timedelta(seconds=1)}).where(
            OutboxMessage.status == "pending").run()
        assert (await outbox.deliver_due())["retry"] == 1
    # Two days of refusals later (simulated: the message was written 49 hours ago).
    await OutboxMessage.update({OutboxMessage.next_attempt_at: now() - timedelta(seconds=1),
                                OutboxMessage.created_at: now() - timedelta(hours=49)}, force=True).run()
    assert (await outbox.deliver_due())["failed"] == 1
    row = await OutboxMessage.select().first().run()
    assert row["status"] == "failed" and row["attempts"] == 4
    assert row["last_error"].startswith("Opgivet efter 48 timers forsøg. Seneste svar: 451")


async def test_back_off_grows_and_is_capped():
    assert [outbox.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert outbox.backoff(30) == outbox.BACKOFF_CAP


async def _crash_after(phase: str, smtp) -> None:
    """A worker claimed the message, got as far as `phase` (and, after DATA, the server took the
    mail), and died before recording more; ten minutes pass."""
    async with transaction():
        await enqueue(test_mail())
    row = await outbox._claim((await OutboxMessage.select(OutboxMessage.id).first().run())["id"])
    if phase == "data_sent":
        await outbox.aiosmtplib.send(outbox.build_message(row, get_settings()), hostname="127.0.0.1",
                                     port=smtp.port)
    await OutboxMessage.update({OutboxMessage.phase: phase,
                                OutboxMessage.claimed_at: now() - outbox.STALE_AFTER - timedelta(minutes=1)},
                               force=True).run()


async def test_a_crash_before_the_server_had_the_mail_is_simply_sent_again(smtp):
    await _crash_after("connected", smtp)
    assert (await outbox.deliver_due())["sent"] == 1
    assert len(smtp.envelopes) == 1 and await statuses() == ["sent"]


async def test_a_crash_after_data_is_uncertain_then_resent_once_with_the_same_message_id(smtp):
    await _crash_after("data_sent", smtp)
    await outbox.deliver_due()
    assert await statuses() == ["uncertain"] and len(smtp.envelopes) == 1  # not at once
    await OutboxMessage.update({OutboxMessage.claimed_at: now() - timedelta(minutes=31)}, force=True).run()
    assert (await outbox.deliver_due())["sent"] == 1
    await outbox.deliver_due()
    ids = [m["Message-ID"] for m in smtp.messages()]
    assert len(ids) == 2 and ids[0] == ids[1]  # a repeat the recipient's mail program recognises
    assert await statuses() == ["sent"]


async def test_with_automatic_resending_off_an_uncertain_mail_waits_for_hr(smtp):
    set_settings(replace(get_settings(), mail_uncertain_resend_minutes=0))
    await _crash_after("data_sent", smtp)
    await outbox.deliver_due()
    await OutboxMessage.update({OutboxMessage.claimed_at: now() - timedelta(days=1)}, force=True).run()
    await outbox.deliver_due()
    assert await statuses() == ["uncertain"] and len(smtp.envelopes) == 1


async def test_without_an_smtp_host_mail_stays_in_the_outbox():
    async with transaction():
        await enqueue(test_mail())
    settings = replace(get_settings(), smtp_host="", smtp_port=free_port())
    assert await outbox.deliver_due(settings) == {"sent": 0, "retry": 0, "failed": 0}
    assert await statuses() == ["pending"]


async def test_an_attachment_carries_its_calendar_method(smtp):
    ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    async with transaction():
        await enqueue(replace(test_mail(), attachments=(Attachment("invitation.ics", ics, method="REQUEST"),)))
    await outbox.deliver_due()
    [message] = smtp.messages()
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "text/calendar" and part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invitation.ics"
    assert part.get_content().replace("\r\n", "\n") == ics.replace("\r\n", "\n")


async def test_a_message_that_cannot_be_built_fails_at_once_and_the_rest_go_out(smtp):
    async with transaction():
        await enqueue(test_mail(key="bad", to="broken\naddress@test.example"), test_mail(key="good"))
    assert await outbox.deliver_due() == {"sent": 1, "retry": 0, "failed": 1}
    rows = {r["key"]: r for r in await OutboxMessage.select().run()}
    assert rows["bad"]["status"] == "failed" and "kunne ikke dannes" in rows["bad"]["last_error"]
    assert rows["good"]["status"] == "sent" and len(smtp.envelopes) == 1
