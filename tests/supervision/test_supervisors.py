"""The supervisor registry, the method-matching rule with HR exceptions, and requirements as data."""

from datetime import date

from hr.supervision import services
from hr.supervision.tables import MatchException, Requirement, Supervisor
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form


async def add(client, world, **overrides):
    data = {"name": "Sara Supervisor", "email": "sara@psyk.example", "external": "1", "fee_per_session": "2.400",
            "methods": [str(world.method_krap)], "institutions": [str(world.inst_a)]}
    data.update(overrides)
    return await post_form(client, "/supervision/supervisorer", data, token_from="/supervision/supervisorer")


async def test_hr_registers_a_supervisor_with_methods_and_institutions(client, world):
    await login(client, World.HR)
    bad = await add(client, world, name="", email="ikke-mail", methods=[], fee_per_session="mange")
    assert bad.status_code == 400
    for message in ("Skriv supervisorens navn", "Skriv en gyldig e-mailadresse",
                    "Vælg mindst én metode", "Skriv honoraret som et beløb"):
        assert message in bad.text
    assert await Supervisor.count().run() == 0
    ok = await add(client, world)
    await confirmed(client, ok, "Supervisoren er oprettet")
    row = await Supervisor.select().first().run()
    edited = await post_form(client, ok.headers["location"], {
        "name": "Sara Supervisor", "email": "sara@psyk.example", "external": "1", "fee_per_session": "2.500",
        "methods": [str(world.method_krap)], "institutions": [str(world.inst_a)]})
    await confirmed(client, edited, "Supervisorens oplysninger er gemt.")
    assert row["external"] and float(row["fee_per_session"]) == 2400.0
    internal_fee = await add(client, world, name="Ida Intern", external="", fee_per_session="100")
    assert "Kun eksterne supervisorer har honorar" in internal_fee.text


async def test_matching_supervisors_come_first_with_the_reason(client, world):
    from hr.org.tables import Method

    low = (await Method.select(Method.id).where(Method.name == "Low Arousal").first().run())["id"]
    await login(client, World.HR)
    await add(client, world, name="Knud KRAP")
    await add(client, world, name="Lise Lowarousal", methods=[str(low)])
    matches = await services.matching(world.inst_a)
    assert [m["name"] for m in matches] == ["Knud KRAP", "Lise Lowarousal"]
    assert matches[0]["bookable"] and matches[0]["reason"] == "Kender KRAP, som tilbuddet arbejder med"
    assert not matches[1]["bookable"] and "Kender ingen af tilbuddets metoder (KRAP)" in matches[1]["reason"]
    lise = (await Supervisor.select(Supervisor.id).where(Supervisor.name == "Lise Lowarousal").first().run())["id"]
    path = f"/supervision/supervisorer/{lise}"
    no_reason = await post_form(client, f"{path}/undtagelser", {"institution": str(world.inst_a), "reason": ""})
    assert "Skriv hvorfor undtagelsen godkendes" in no_reason.text
    approved = await post_form(client, f"{path}/undtagelser", {"institution": str(world.inst_a),
                                                                "reason": "Eneste med erfaring i sikrede afdelinger"})
    await confirmed(client, approved, "Undtagelsen er godkendt")
    assert await MatchException.count().run() == 1
    matches = await services.matching(world.inst_a)
    assert matches[1]["bookable"] and matches[1]["reason"].startswith("Undtagelse godkendt af HR")


async def test_a_leader_sees_the_matching_page_for_their_institution_only(client, world):
    await login(client, World.HR)
    await add(client, world, name="Knud KRAP")
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await login(client, World.LEADER)
    page = await client.get("/supervision/match")
    assert "Knud KRAP" in page.text and "Kender KRAP" in page.text
    assert (await client.get(f"/supervision/match?tilbud={world.inst_b}")).status_code == 404


async def test_requirements_resolve_unit_before_institution_before_region(client, world):
    await login(client, World.HR)
    bad = await post_form(client, "/supervision/krav", {"audience": "x", "interval_days": "3"},
                          token_from="/supervision/krav")
    assert bad.status_code == 400 and "Skriv antal dage mellem sessioner" in bad.text
    for data in ({"institution": str(world.inst_a), "interval_days": "28"},
                 {"unit": str(world.unit_a1), "interval_days": "21"}):
        response = await post_form(client, "/supervision/krav", {
            "audience": "staff", "session_type": "group", "grace_days": "60", "valid_from": "2026-06-01", **data})
        await confirmed(client, response, "Kravet er oprettet")
    requirements = await services.list_requirements()
    on = date(2026, 11, 1)
    assert services.resolve(requirements, "staff", world.inst_a, world.unit_a1, on)["interval_days"] == 21
    assert services.resolve(requirements, "staff", world.inst_a, world.unit_a2, on)["interval_days"] == 28
    assert services.resolve(requirements, "staff", world.inst_b, world.unit_b1, on)["interval_days"] == 42
    assert services.resolve(requirements, "staff", world.inst_a, world.unit_a1, date(2026, 3, 1))["interval_days"] == 42
    assert services.resolve(requirements, "leader", world.inst_a, world.unit_a1, on)["session_type"] == "individual"
    assert await Requirement.count().run() == 4


async def test_hr_sets_weekly_availability_and_days_off(client, world):
    from hr.supervision.tables import Availability, AvailabilityException

    await login(client, World.HR)
    await add(client, world)
    sid = (await Supervisor.select(Supervisor.id).first().run())["id"]
    path = f"/supervision/supervisorer/{sid}"
    bad = await post_form(client, f"{path}/tilgaengelighed", {"weekday": "9", "start": "25:00", "end": "08:10"})
    assert bad.status_code == 400
    assert "Vælg ugedag" in bad.text and "Skriv starttid som TT:MM" in bad.text
    await confirmed(client, await post_form(client, f"{path}/tilgaengelighed", {"weekday": "0", "start": "08:00",
                                                                             "end": "12:00"}),
                    "Tidsrummet er tilføjet")
    overlap = await post_form(client, f"{path}/tilgaengelighed", {"weekday": "0", "start": "11:00", "end": "13:00"})
    assert "overlapper" in overlap.text
    page = await client.get(path)
    assert "Mandag 08:00-12:00" in page.text
    await confirmed(client, await post_form(client, f"{path}/fravaer", {"day": "2026-12-24", "note": "Jul"}),
                    "Fraværsdagen er registreret")
    assert await AvailabilityException.count().run() == 1
    window = (await Availability.select(Availability.id).first().run())["id"]
    await confirmed(client, await post_form(client, f"{path}/tilgaengelighed/{window}/slet"), "Tidsrummet er fjernet")
    assert await Availability.count().run() == 0
