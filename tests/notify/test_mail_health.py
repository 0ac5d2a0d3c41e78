"""HR is warned where they look: a banner on each of HR's pages when mail waits too long (naming
the mail server's last answer), when mail failed or may not have arrived, or when the sweep is
late. Nobody else sees it, and it goes away when things are well."""

from dataclasses import replace
from datetime import timedelta

from hr.db import now, transaction
from hr.notify import engine
from hr.notify.outbox import Mail, enqueue
from hr.notify.tables import OutboxMessage
from hr.settings import get_settings, set_settings
from tests.conftest import World, login

BANNER = "Mail og påmindelser kræver opmærksomhed"


async def _mail(key: str, **changes) -> None:
    async with transaction():
        await enqueue(Mail(key=key, kind="test", to_address="a@test.example", template="test_message",
                           context={"name": "A", "text": "B"}))
    if changes:
        await OutboxMessage.update(changes).where(OutboxMessage.key == key).run()


async def test_hr_is_warned_of_mail_waiting_too_long_with_the_servers_last_answer(client, new_client, world, smtp):
    await engine.sweep()  # the sweep is on time: only the mail is wrong
    await _mail("late", created_at=now() - timedelta(hours=2), attempts=3,
                last_error="451 4.7.1 Greylisted, please try again later")
    await login(client, World.HR)
    page = await client.get("/medarbejdere")
    assert BANNER in page.text and "har ventet siden" in page.text
    assert "451 4.7.1 Greylisted, please try again later" in page.text
    staff = new_client()
    await login(staff, World.STAFF)
    assert BANNER not in (await staff.get("/")).text
    await OutboxMessage.update({OutboxMessage.status: "sent", OutboxMessage.last_error: ""}, force=True).run()
    assert BANNER not in (await client.get("/medarbejdere")).text


async def test_failed_and_interrupted_mail_of_the_last_week_is_named(client, world, smtp):
    await engine.sweep()
    await _mail("failed", status="failed", last_error="550 5.1.1 Mailbox unavailable")
    await _mail("cut", status="uncertain")
    await _mail("old", status="failed", created_at=now() - timedelta(days=30))
    await login(client, World.HR)
    page = await client.get("/")
    assert "1 mail kunne ikke leveres." in page.text and "1 mail blev afbrudt" in page.text
    assert "550 5.1.1 Mailbox unavailable" in page.text


async def test_a_late_sweep_is_warned_on_every_hr_page(client, world):
    await login(client, World.HR)
    for path in ("/", "/admin/post", "/organisation"):
        assert "Påmindelserne kører ikke" in (await client.get(path)).text, path


async def test_without_a_mail_server_outside_production_waiting_mail_is_no_warning(client, world):
    await engine.sweep()
    await _mail("waits", created_at=now() - timedelta(days=2))
    await login(client, World.HR)
    assert BANNER not in (await client.get("/")).text
    before = get_settings()
    set_settings(replace(before, mode="production"))
    try:
        assert "har ventet siden" in (await client.get("/")).text
    finally:
        set_settings(before)
