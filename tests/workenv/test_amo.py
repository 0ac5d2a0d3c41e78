"""Orders (påbud), APVs and the yearly discussion: recorded by leaders and HR, read by AMR."""

from datetime import timedelta

from hr.forms import local_today
from hr.workenv.tables import Apv, Order, WorkEnvironmentDiscussion
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form


def order_form(world, **overrides):
    today = local_today()
    data = {"case_number": "AT-2026-0042", "order_type": "frist",
            "received_on": (today - timedelta(days=3)).isoformat(),
            "institution": str(world.inst_a), "unit": str(world.unit_a1), "rule_breached": "AT-vejledning om vold",
            "description": "Risiko for vold ved alenearbejde om aftenen.",
            "compliance_deadline": (today + timedelta(days=60)).isoformat(),
            "reply_deadline": (today + timedelta(days=14)).isoformat(),
            "responsible": str(world.accounts["leader"])}
    data.update(overrides)
    return data


def action_form(world) -> dict:
    today = local_today()
    return {"problem": "Tunge løft ved sengene", "measure": "Loftlift i to rum", "owner": str(world.accounts["staff"]),
            "deadline": (today + timedelta(days=30)).isoformat(), "priority": "2", "effect_check": "Spørg holdet"}


async def test_the_amo_must_see_the_reply_before_it_is_sent(client, new_client, world):
    today = local_today()
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
    await confirmed(client, created, "Påbuddet er registreret")
    path = created.headers["location"]
    too_soon = await post_form(client, path, {"step": "reply"})
    assert too_soon.status_code == 400 and "skal se svaret, før det sendes" in too_soon.text
    not_closable = await post_form(client, path, {"step": "close"})
    assert "Send svaret til Arbejdstilsynet" in not_closable.text
    await confirmed(client, await post_form(client, path, {"step": "amo"}), "AMO er orienteret")
    await confirmed(client, await post_form(client, path, {"step": "reply"}), "svaret er sendt til Arbejdstilsynet")
    await confirmed(client, await post_form(client, path, {"step": "close"}), "Påbuddet er afsluttet.")
    second = await post_form(client, "/arbejdsmiljoe/paabud", order_form(world, case_number="AT-2026-0043"))
    await confirmed(client, await post_form(client, f"{second.headers['location']}/handlinger", action_form(world)),
                    "Handlingen er oprettet")
    whole = await post_form(client, "/arbejdsmiljoe/paabud", order_form(world, unit=""))
    assert "Du kan ikke registrere påbud for det tilbud" in whole.text
    order = await Order.select().first().run()
    assert order["amo_informed_on"] == order["reply_sent_on"] == order["closed_on"] == today
    amr = new_client()
    await login(amr, World.AMR)
    assert "AT-2026-0042" in (await amr.get("/arbejdsmiljoe/paabud")).text
    assert (await post_form(amr, path, {"step": "amo"}, token_from=path)).status_code == 403
    other = new_client()
    await login(other, World.OTHER)
    assert (await other.get(path)).status_code == 404


async def test_apv_overdue_after_three_years_and_complete_only_with_all_phases(client, new_client, world):
    today = local_today()
    await Apv.insert(Apv(institution=world.inst_a, unit=world.unit_a2, started_on=today - timedelta(days=1200),
                         completed_on=today - timedelta(days=3 * 366))).run()
    await login(client, World.LEADER)
    overview = await client.get("/arbejdsmiljoe/apv")
    assert overview.text.count("Forfalden") == 2  # A1 never had one; A2's is older than 3 years
    started = await post_form(client, "/arbejdsmiljoe/apv", {"unit": str(world.unit_a1)},
                              token_from="/arbejdsmiljoe/apv")
    await confirmed(client, started, "APV'en er startet")
    twice = await post_form(client, "/arbejdsmiljoe/apv", {"unit": str(world.unit_a1)})
    assert "allerede en APV i gang" in twice.text
    not_mine = await post_form(client, "/arbejdsmiljoe/apv", {"unit": str(world.unit_a2)})
    assert "Du kan ikke starte en APV" in not_mine.text
    path = started.headers["location"]
    await confirmed(client, await post_form(client, f"{path}/handlinger", action_form(world)), "Handlingen er oprettet")
    early = await post_form(client, path, {"mapping_done_on": today.isoformat(), "complete": "1"})
    assert early.status_code == 400 and "Alle faser skal være gennemført" in early.text
    phases = {name: today.isoformat() for name in ("mapping_done_on", "assessment_done_on", "absence_reviewed_on",
                                                   "action_plan_done_on")}
    done = await post_form(client, path, {**phases, "followup_rules": "Status på personalemøder", "complete": "1"})
    await confirmed(client, done, "APV'en er afsluttet")
    overview = await client.get("/arbejdsmiljoe/apv")
    assert overview.text.count("Forfalden") == 1


async def test_the_yearly_discussion_is_recorded_once_per_year_by_the_institutions_leadership(client, world):
    today = local_today()
    from hr.auth.principal import Role
    from tests.conftest import make_account

    await make_account("head@test.example", "Hedda Head", roles=[(Role.LEADER, world.inst_a, None)])
    await login(client, "head@test.example")
    data = {"institution": str(world.inst_a), "held_on": today.isoformat(), "participants": "Ledelse og AMR",
            "evaluation": "Målene for sidste år blev nået", "goals": "Færre episoder med vold"}
    await confirmed(client, await post_form(client, "/arbejdsmiljoe/droeftelser", data,
                                            token_from="/arbejdsmiljoe/droeftelser"), "drøftelse er registreret")
    again = await post_form(client, "/arbejdsmiljoe/droeftelser", data)
    assert again.status_code == 400 and "allerede registreret" in again.text
    other = await post_form(client, "/arbejdsmiljoe/droeftelser", {**data, "institution": str(world.inst_b)})
    assert "Kun tilbuddets ledelse og HR" in other.text
    assert await WorkEnvironmentDiscussion.count().run() == 1


async def test_hr_filters_the_orders_by_institution_and_status_and_pages_them(client, world):
    today = local_today()
    from hr.db import bulk_insert

    rows = [{"case_number": f"AT-{n:04d}", "order_type": "frist", "received_on": today - timedelta(days=n),
             "institution": world.inst_a if n % 2 else world.inst_b, "rule_breached": "Vold", "description": "x",
             "compliance_deadline": today + timedelta(days=30), "closed_on": today if n % 5 == 0 else None}
            for n in range(1, 61)]
    await bulk_insert(Order, rows)
    await login(client, World.HR)
    everything = (await client.get("/arbejdsmiljoe/paabud")).text
    assert "60 påbud, side 1 af 2." in everything and "AT-0001" in everything and "AT-0060" not in everything
    assert "AT-0060" in (await client.get("/arbejdsmiljoe/paabud?side=2")).text
    closed_in_a = (await client.get(f"/arbejdsmiljoe/paabud?tilbud={world.inst_a}&status=closed")).text
    assert "6 påbud." in closed_in_a and "AT-0005" in closed_in_a and "AT-0010" not in closed_in_a
    assert "48 påbud" in (await client.get("/arbejdsmiljoe/paabud?status=open")).text
    assert "Ingen påbud passer til filteret." in (await client.get("/arbejdsmiljoe/paabud?status=overdue")).text


async def test_the_yearly_discussions_are_chosen_by_year_and_institution(client, world):
    today = local_today()
    from hr.db import bulk_insert

    await bulk_insert(WorkEnvironmentDiscussion, [
        {"institution": institution, "year": year, "held_on": today.replace(year=year), "participants": "Ledelse",
         "evaluation": f"Evaluering {year}", "goals": f"Mål {year}"}
        for year in range(2000, 2025) for institution in (world.inst_a, world.inst_b)])
    await login(client, World.HR)
    first = (await client.get("/arbejdsmiljoe/droeftelser")).text
    assert "50 drøftelser, side 1 af 3." in first and first.count('class="app-card"') == 20
    one = (await client.get(f"/arbejdsmiljoe/droeftelser?aar=2010&tilbud={world.inst_b}")).text
    assert "1 drøftelse." in one and "Tilbud B 2010" in one and "Tilbud A 2010" not in one
    assert "Ingen drøftelser passer til filteret." in (await client.get("/arbejdsmiljoe/droeftelser?aar=2099")).text
    assert (await client.get("/arbejdsmiljoe/droeftelser?aar=tyve")).status_code == 200  # an odd year shows all
