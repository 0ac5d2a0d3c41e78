"""Orders (påbud), APVs and the yearly discussion: recorded by leaders and HR, read by AMR."""

from datetime import timedelta

from hr.forms import local_today
from hr.workenv.tables import Apv, Order, WorkEnvironmentDiscussion
from tests.conftest import World, login, post_form

TODAY = local_today()


def order_form(world, **overrides):
    data = {"case_number": "AT-2026-0042", "order_type": "frist",
            "received_on": (TODAY - timedelta(days=3)).isoformat(),
            "institution": str(world.inst_a), "unit": str(world.unit_a1), "rule_breached": "AT-vejledning om vold",
            "description": "Risiko for vold ved alenearbejde om aftenen.",
            "compliance_deadline": (TODAY + timedelta(days=60)).isoformat(),
            "reply_deadline": (TODAY + timedelta(days=14)).isoformat(),
            "responsible": str(world.accounts["leader"])}
    data.update(overrides)
    return data


async def test_the_amo_must_see_the_reply_before_it_is_sent(client, new_client, world):
    await login(client, World.LEADER)
    bad = await post_form(client, "/arbejdsmiljoe/paabud", order_form(world, case_number="", compliance_deadline="",
                                                                     responsible=str(world.accounts["other"])),
                          token_from="/arbejdsmiljoe/paabud")
    assert bad.status_code == 400
    assert "Skriv Arbejdstilsynets sagsnummer" in bad.text
    assert "Et påbud med frist skal have en frist for efterkommelse" in bad.text
    assert "Den ansvarlige skal være ansat i tilbuddet" in bad.text
    assert await Order.count().run() == 0
    created = await post_form(client, "/arbejdsmiljoe/paabud", order_form(world))
    assert created.status_code == 302
    path = created.headers["location"]
    too_soon = await post_form(client, path, {"step": "reply"})
    assert too_soon.status_code == 400 and "skal se svaret, før det sendes" in too_soon.text
    not_closable = await post_form(client, path, {"step": "close"})
    assert "Send svaret til Arbejdstilsynet" in not_closable.text
    assert (await post_form(client, path, {"step": "amo"})).status_code == 302
    assert (await post_form(client, path, {"step": "reply"})).status_code == 302
    assert (await post_form(client, path, {"step": "close"})).status_code == 302
    whole = await post_form(client, "/arbejdsmiljoe/paabud", order_form(world, unit=""))
    assert "Du kan ikke registrere påbud for det tilbud" in whole.text
    order = await Order.select().first().run()
    assert order["amo_informed_on"] == order["reply_sent_on"] == order["closed_on"] == TODAY
    amr = new_client()
    await login(amr, World.AMR)
    assert "AT-2026-0042" in (await amr.get("/arbejdsmiljoe/paabud")).text
    assert (await post_form(amr, path, {"step": "amo"}, token_from=path)).status_code == 403
    other = new_client()
    await login(other, World.OTHER)
    assert (await other.get(path)).status_code == 404


async def test_apv_overdue_after_three_years_and_complete_only_with_all_phases(client, new_client, world):
    await Apv.insert(Apv(institution=world.inst_a, unit=world.unit_a2, started_on=TODAY - timedelta(days=1200),
                         completed_on=TODAY - timedelta(days=3 * 366))).run()
    await login(client, World.LEADER)
    overview = await client.get("/arbejdsmiljoe/apv")
    assert overview.text.count("Forfalden") == 2  # A1 never had one; A2's is older than 3 years
    started = await post_form(client, "/arbejdsmiljoe/apv", {"unit": str(world.unit_a1)},
                              token_from="/arbejdsmiljoe/apv")
    assert started.status_code == 302
    twice = await post_form(client, "/arbejdsmiljoe/apv", {"unit": str(world.unit_a1)})
    assert "allerede en APV i gang" in twice.text
    not_mine = await post_form(client, "/arbejdsmiljoe/apv", {"unit": str(world.unit_a2)})
    assert "Du kan ikke starte en APV" in not_mine.text
    path = started.headers["location"]
    early = await post_form(client, path, {"mapping_done_on": TODAY.isoformat(), "complete": "1"})
    assert early.status_code == 400 and "Alle faser skal være gennemført" in early.text
    phases = {name: TODAY.isoformat() for name in ("mapping_done_on", "assessment_done_on", "absence_reviewed_on",
                                                   "action_plan_done_on")}
    done = await post_form(client, path, {**phases, "followup_rules": "Status på personalemøder", "complete": "1"})
    assert done.status_code == 302
    overview = await client.get("/arbejdsmiljoe/apv")
    assert overview.text.count("Forfalden") == 1


async def test_the_yearly_discussion_is_recorded_once_per_year_by_the_institutions_leadership(client, world):
    from hr.auth.principal import Role
    from tests.conftest import make_account

    await make_account("head@test.example", "Hedda Head", roles=[(Role.LEADER, world.inst_a, None)])
    await login(client, "head@test.example")
    data = {"institution": str(world.inst_a), "held_on": TODAY.isoformat(), "participants": "Ledelse og AMR",
            "evaluation": "Målene for sidste år blev nået", "goals": "Færre episoder med vold"}
    assert (await post_form(client, "/arbejdsmiljoe/droeftelser", data, token_from="/arbejdsmiljoe/droeftelser")
            ).status_code == 302
    again = await post_form(client, "/arbejdsmiljoe/droeftelser", data)
    assert again.status_code == 400 and "allerede registreret" in again.text
    other = await post_form(client, "/arbejdsmiljoe/droeftelser", {**data, "institution": str(world.inst_b)})
    assert "Kun tilbuddets ledelse og HR" in other.text
    assert await WorkEnvironmentDiscussion.count().run() == 1
