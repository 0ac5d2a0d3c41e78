"""'The work has changed' flags a unit's APV for revision whatever its age, and the yearly
work-environment discussion is reminded and flagged when none is recorded for the year (issue 17)."""

from datetime import date, datetime, timedelta

from hr.auth.principal import Role
from hr.auth.services import load_principal
from hr.forms import local_today
from hr.settings import TIMEZONE
from hr.workenv import reminders
from hr.workenv.duties import duties as workenv_duties
from hr.workenv.tables import Apv, WorkChange, WorkEnvironmentDiscussion
from tests.confirmations import confirmed
from tests.conftest import World, login, make_account, post_form


async def test_a_change_in_the_work_flags_a_recent_apv_for_revision(client, world):
    today = local_today()
    await Apv.insert(Apv(institution=world.inst_a, unit=world.unit_a1, started_on=today - timedelta(days=100),
                         completed_on=today - timedelta(days=60))).run()
    await login(client, World.LEADER)
    overview = await client.get("/arbejdsmiljoe/apv")
    assert "Skal revideres" not in overview.text
    assert not [r for r in await reminders.due(datetime.now(TIMEZONE)) if r.subject == f"unit:{world.unit_a1}"]

    for form, field, message in (({"changed_unit": "", "description": "Ny målgruppe"}, "changed_unit",
                                  "Vælg afdelingen"),
                                 ({"changed_unit": str(world.unit_b1), "description": "Ny målgruppe"}, "changed_unit",
                                  "Du kan ikke registrere ændringer for den afdeling"),
                                 ({"changed_unit": str(world.unit_a1), "description": ""}, "description",
                                  "Beskriv hvad der er ændret i arbejdet"),
                                 ({"changed_unit": str(world.unit_a1), "description": "Ny målgruppe",
                                   "changed_on": (today + timedelta(days=1)).isoformat()}, "changed_on",
                                  "Datoen ligger i fremtiden")):
        refused = await post_form(client, "/arbejdsmiljoe/apv/aendret", form, token_from="/arbejdsmiljoe/apv")
        assert refused.status_code == 400 and message in refused.text, form
        assert f'id="{field}-error"' in refused.text
    assert await WorkChange.count().run() == 0

    page = await confirmed(client, await post_form(client, "/arbejdsmiljoe/apv/aendret", {
        "changed_unit": str(world.unit_a1), "description": "Afdelingen tager nu imod unge med svær autisme"}),
        "Det er registreret, at arbejdet i Afdeling A1 er ændret")
    assert f"Skal revideres: arbejdet er ændret {today:%d.%m.%Y}" in page
    [reminder] = [r for r in await reminders.due(datetime.now(TIMEZONE)) if r.subject == f"unit:{world.unit_a1}"]
    assert reminder.period == f"changed-{today.isoformat()}" and "arbejdet er ændret" in reminder.title
    front = (await client.get("/")).text
    assert "APV for Afdeling A1 skal revideres (arbejdet er ændret)" in front

    # A revision started after the change takes the flag away; finished, the unit is in order.
    await Apv.insert(Apv(institution=world.inst_a, unit=world.unit_a1, started_on=today)).run()
    assert "Skal revideres" not in (await client.get("/arbejdsmiljoe/apv")).text
    await Apv.update({Apv.completed_on: today}).where(Apv.completed_on.is_null()).run()
    assert "Skal revideres" not in (await client.get("/arbejdsmiljoe/apv")).text


async def test_the_yearly_discussion_is_reminded_in_the_last_quarter_and_flagged_all_year(client, world):
    today = local_today()
    head = await make_account("head@test.example", "Hedda Head", roles=[(Role.LEADER, world.inst_a, None)])
    year = today.year

    def about_discussions(moment):
        return [r for r in reminders_at[moment] if r.kind == "workenv.discussion_due"]

    reminders_at = {}
    for moment in (datetime(year, 9, 30, 23, 0, tzinfo=TIMEZONE), datetime(year, 10, 1, 0, 30, tzinfo=TIMEZONE)):
        reminders_at[moment] = await reminders.due(moment)
    before, first_day = reminders_at
    assert about_discussions(before) == []
    [reminder] = [r for r in about_discussions(first_day) if r.subject == f"institution:{world.inst_a}"]
    assert (reminder.account_id, reminder.period, reminder.deadline) == (head, str(year), date(year, 12, 31))
    # Institution B has no head to remind: HR sees it among the region's duties and on the page.
    assert {r.subject for r in about_discussions(first_day)} == {f"institution:{world.inst_a}"}

    await login(client, World.HR)
    hr_principal = await load_principal(world.accounts["hr"])
    listed = [d for d in await workenv_duties(hr_principal, datetime(year, 10, 1, 8, 0, tzinfo=TIMEZONE))
              if d.kind == "workenv.discussion"]
    assert sorted(d.institution for d in listed) == ["Tilbud A", "Tilbud B"]
    assert [d for d in await workenv_duties(hr_principal, datetime(year, 9, 30, 8, 0, tzinfo=TIMEZONE))
            if d.kind == "workenv.discussion"] == []
    page = (await client.get("/arbejdsmiljoe/droeftelser")).text
    assert f"Ingen drøftelse registreret for {year}" in page and "Tilbud A, Tilbud B" in page
    await WorkEnvironmentDiscussion.insert(*[WorkEnvironmentDiscussion(
        institution=i, year=year, held_on=date(year, 3, 1), participants="Ledelse og AMR", evaluation="Nået",
        goals="Færre episoder") for i in (world.inst_a, world.inst_b)]).run()
    page = (await client.get("/arbejdsmiljoe/droeftelser")).text
    assert f"Alle dine tilbud har registreret drøftelsen for {year}" in page
    assert [r for r in await reminders.due(datetime(year, 10, 1, 0, 30, tzinfo=TIMEZONE))
            if r.kind == "workenv.discussion_due"] == []
