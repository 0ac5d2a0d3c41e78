"""Adults' pre-approved measures (serviceloven §§ 125, 128, 128 b-h; BEK 1411/2024; issue 17): one
combined registration with the estimated count, due when the approval expires and reminded
before; forwarding follows that registration."""

from datetime import date, datetime, timedelta, timezone

from hr.forms import local_today
from hr.settings import TIMEZONE
from hr.workenv import reminders
from hr.workenv.deadlines import deadlines
from hr.workenv.services import load_rules
from hr.workenv.tables import Incident
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form
from tests.workenv.test_force_children import child_incident


def measure(**values) -> dict:
    occurred = datetime(2026, 1, 5, 10, 0, tzinfo=TIMEZONE)
    return {"kind": "use_of_force", "legal_framework": "adult", "force_category": "forhaand", "status": "submitted",
            "occurred_at": occurred, "submitted_at": occurred, "approval_expires_on": date(2026, 3, 31),
            "estimated_count": None, "form_registered_on": None, "forwarded_municipality_on": None,
            "forwarded_supervisory_on": None, **values}


async def test_the_combined_registration_is_due_when_the_approval_expires():
    rules = await load_rules()
    found = {d.kind: d for d in deadlines(measure(), rules)}
    assert found["force_preapproved"].due == datetime(2026, 3, 31, 23, 59, 59, tzinfo=TIMEZONE)
    assert "force_municipality" not in found  # nothing to forward before the registration is made
    # On the day before the expiry it is due soon; the next day it is late.
    assert found["force_preapproved"].status(datetime(2026, 3, 30, 8, 0, tzinfo=TIMEZONE)) == "due_soon"
    assert found["force_preapproved"].status(datetime(2026, 4, 1, 0, 0, tzinfo=TIMEZONE)) == "overdue"
    # Registered on Friday 3 April with the estimated count: forwarded within 3 working days of it.
    done = {d.kind: d for d in deadlines(measure(estimated_count=40, form_registered_on=date(2026, 4, 3)), rules)}
    assert done["force_preapproved"].done_at == date(2026, 4, 3)
    assert done["force_municipality"].due == datetime(2026, 4, 8, 23, 59, 59, tzinfo=TIMEZONE)
    # A form number without the count is not the combined registration.
    assert {d.kind: d for d in deadlines(measure(form_registered_on=date(2026, 4, 3)), rules)}[
        "force_preapproved"].done_at is None


async def test_the_leader_is_reminded_before_the_approval_expires_and_registers_the_count(client, world):
    expires = local_today() + timedelta(days=2)
    incident_id = await child_incident(world, datetime.now(timezone.utc) - timedelta(days=60), legal_framework="adult",
                                       force_category="forhaand", pseudonym="VOK-2", approval_expires_on=expires)
    [reminder] = [r for r in await reminders.due(datetime.now(timezone.utc)) if r.subject == f"incident:{incident_id}"
                  and r.kind.startswith("workenv.force_preapproved")]
    assert reminder.kind == "workenv.force_preapproved.soon" and reminder.account_id == world.accounts["leader"]

    await login(client, World.LEADER)
    path = f"/arbejdsmiljoe/haendelser/{incident_id}"
    assert "Registreres, når godkendelsen udløber" in (await client.get(path)).text
    before = await Incident.select().where(Incident.id == incident_id).first().run()
    for form, message in (({"estimated_count": "mange"}, "Skriv det anslåede antal som et helt tal"),
                          ({"estimated_count": "-3"}, "Skriv det anslåede antal som et helt tal"),
                          ({"approval_expires_on": (local_today() - timedelta(days=400)).isoformat()},
                           "Godkendelsen kan ikke udløbe, før den blev givet")):
        refused = await post_form(client, f"{path}/eksternt", form, token_from=path)
        assert refused.status_code == 400 and message in refused.text, form
        assert await Incident.select().where(Incident.id == incident_id).first().run() == before

    page = await confirmed(client, await post_form(client, f"{path}/eksternt", {"estimated_count": "38",
                                                                                "form_reference": "BL2-17"}),
                           "Anmeldelser og videresendelse er gemt.")
    row = await Incident.select().where(Incident.id == incident_id).first().run()
    assert (row["estimated_count"], row["form_registered_on"], row["form_reference"]) == (38, local_today(), "BL2-17")
    assert "<dd>38</dd>" in page
    assert not [r for r in await reminders.due(datetime.now(timezone.utc)) if r.subject == f"incident:{incident_id}"
                and r.kind.startswith("workenv.force_preapproved")]
