"""HR's outbox and schedule pages; everyone's preferences."""

from hr.db import transaction
from hr.notify.outbox import Mail, enqueue
from hr.notify.tables import JobRun, KindSwitch, OutboxMessage, Preference, ReminderLog
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form


async def queue(status: str = "pending") -> int:
    async with transaction():
        await enqueue(Mail(key=f"page-test-{status}", kind="test", to_address="åse@test.example",
                           template="test_message", context={"name": "Åse", "text": "Æbleskiver"}))
    row = await OutboxMessage.select(OutboxMessage.id).where(OutboxMessage.key == f"page-test-{status}").first().run()
    await OutboxMessage.update({OutboxMessage.status: status, OutboxMessage.last_error: "550 ukendt modtager"}).where(
        OutboxMessage.id == row["id"]).run()
    return row["id"]


async def test_hr_reads_the_outbox_and_resends_failed_mail(client, world):
    failed = await queue("failed")
    sent = await queue("sent")
    await login(client, World.HR)
    page = await client.get("/admin/post", params={"status": "failed"})
    assert page.status_code == 200 and "Hej Åse: blåbær" in page.text and "Fejlet" in page.text
    detail = await client.get(f"/admin/post/{failed}")
    assert "Æbleskiver" in detail.text and "550 ukendt modtager" in detail.text
    refused = await post_form(client, f"/admin/post/{sent}/send-igen")
    assert refused.status_code == 400 and "Kun fejlede" in refused.text
    await confirmed(client, await post_form(client, f"/admin/post/{failed}/send-igen"), "Mailen er lagt i kø igen")
    row = await OutboxMessage.select().where(OutboxMessage.id == failed).first().run()
    assert row["status"] == "pending" and row["attempts"] == 0
    assert (await post_form(client, "/admin/post/999999/send-igen")).status_code == 404


async def test_the_schedule_page_warns_when_no_sweep_ran_and_runs_one_on_request(client, world):
    await login(client, World.HR)
    page = await client.get("/admin/paamindelser")
    assert "Påmindelserne kører ikke" in page.text
    ran = await post_form(client, "/admin/paamindelser/koer")
    await confirmed(client, ran, "nye")
    assert await JobRun.count().where(JobRun.status == "ok") == 1 and await ReminderLog.count() > 0
    assert "Påmindelserne kører ikke" not in (await client.get("/admin/paamindelser")).text


async def test_hr_switches_a_kind_off_and_on(client, world):
    await login(client, World.HR)
    off = await post_form(client, "/admin/paamindelser/typer", {"kind": "supervision.booking_soon", "enabled": "0"})
    await confirmed(client, off, ": slået fra")
    assert (await KindSwitch.select().first().run())["enabled"] is False
    await post_form(client, "/admin/paamindelser/typer", {"kind": "supervision.booking_soon", "enabled": "1"})
    assert await KindSwitch.count() == 1 and (await KindSwitch.select().first().run())["enabled"] is True
    bad = await post_form(client, "/admin/paamindelser/typer", {"kind": "nonsense", "enabled": "0"})
    assert bad.status_code == 400 and "Ukendt type" in bad.text


async def test_a_person_chooses_a_digest_and_mutes_an_optional_kind(client, world):
    await login(client, World.STAFF)
    page = await client.get("/profil/notifikationer")
    assert "Supervision overskredet (lovpligtig)" in page.text
    saved = await post_form(client, "/profil/notifikationer",
                            {"mode": "digest", "wanted": "supervision.due_soon"})
    await confirmed(client, saved, "Dine valg er gemt")
    pref = await Preference.select().first().run()
    assert pref["mode"] == "digest" and pref["muted_kinds"] == "supervision.booking_soon"
    bad = await post_form(client, "/profil/notifikationer", {"mode": "sometimes"})
    assert bad.status_code == 400 and "Vælg enkeltvis" in bad.text
    sneaky = await post_form(client, "/profil/notifikationer", {"mode": "immediate", "wanted": "workenv.action"})
    assert sneaky.status_code == 400
    assert (await Preference.select().first().run())["mode"] == "digest"  # unchanged by the bad requests
