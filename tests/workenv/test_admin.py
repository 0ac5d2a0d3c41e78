"""HR adds a dated rule (a law change) and maintains contributing factors."""

from datetime import date

from hr.workenv.tables import ContributingFactor, ReportingRule
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form


async def test_hr_adds_a_dated_rule_with_field_errors_first(client, world):
    await login(client, World.HR)
    bad = await post_form(client, "/arbejdsmiljoe/admin/regler", {"kind": "x", "deadline_days": "-1"},
                          token_from="/arbejdsmiljoe/admin")
    assert bad.status_code == 400
    for message in ("Vælg hvilken frist reglen gælder", "Skriv hvornår reglen gælder fra", "Skriv et helt tal",
                    "Skriv kilden"):
        assert message in bad.text
    before = await ReportingRule.count().run()
    ok = await post_form(client, "/arbejdsmiljoe/admin/regler", {
        "kind": "accident_easy", "valid_from": "2027-01-01", "threshold_days": "3", "deadline_days": "14",
        "source": "Lov vedtaget 2026"})
    await confirmed(client, ok, "Reglen er tilføjet")
    assert await ReportingRule.count().run() == before + 1
    rule = await ReportingRule.select().where(ReportingRule.valid_from == date(2027, 1, 1)).first().run()
    assert rule["threshold_days"] == 3 and rule["active"]
    off = await post_form(client, f"/arbejdsmiljoe/admin/regler/{rule['id']}/status", {"active": "0"})
    await confirmed(client, off, "Reglen er taget ud af brug.")
    assert not (await ReportingRule.select().where(ReportingRule.id == rule["id"]).first().run())["active"]


async def test_a_window_must_open_before_its_deadline(client, world):
    await login(client, World.HR)
    before = await ReportingRule.count().run()
    closed = await post_form(client, "/arbejdsmiljoe/admin/regler", {
        "kind": "violence_debriefing", "valid_from": "2027-01-01", "deadline_hours": "48",
        "opens_after_hours": "48", "source": "Ny retningslinje"}, token_from="/arbejdsmiljoe/admin")
    assert closed.status_code == 400 and "Vinduet skal åbne før fristen" in closed.text
    assert await ReportingRule.count().run() == before
    ok = await post_form(client, "/arbejdsmiljoe/admin/regler", {
        "kind": "violence_debriefing", "valid_from": "2027-01-01", "deadline_hours": "48",
        "opens_after_hours": "12", "source": "Ny retningslinje"})
    page = await confirmed(client, ok, "Reglen er tilføjet")
    assert "12 til 48 timer" in page


async def test_hr_maintains_the_factor_list(client, world):
    await login(client, World.HR)
    dup = await post_form(client, "/arbejdsmiljoe/admin/faktorer", {"name": "alene på vagt"},
                          token_from="/arbejdsmiljoe/admin")
    assert "Faktoren findes allerede" in dup.text
    await confirmed(client, await post_form(client, "/arbejdsmiljoe/admin/faktorer", {"name": "Nattevagt"}),
                    "Faktoren er tilføjet")
    factor = await ContributingFactor.select().where(ContributingFactor.name == "Nattevagt").first().run()
    await confirmed(client, await post_form(client, f"/arbejdsmiljoe/admin/faktorer/{factor['id']}/status",
                                            {"active": "0"}), "Faktoren er taget ud af brug")
    assert not (await ContributingFactor.select().where(ContributingFactor.id == factor["id"]).first().run())["active"]
