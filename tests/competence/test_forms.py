"""Every competence form through its page: each action answers with its confirmation after the
redirect (the rules behind them have their own tests beside this one)."""

from hr.competence.tables import CourseRun, Enrolment, Module, Nomination
from hr.forms import local_today
from tests.competence.conftest import in_days, more_leaders
from tests.competence.test_enrolments import PDF
from tests.confirmations import confirmed
from tests.conftest import World, login, post_form

YEAR = local_today().year + 1


async def test_hr_builds_the_catalogue_and_a_leader_plans_a_course_to_its_certificate(client, new_client, world):
    await login(client, World.HR)
    created = await post_form(client, "/kompetence/moduler", {"code": "PÆD-KRAP", "title": "KRAP", "ects": "10",
                                                              "methods": str(world.method_krap)},
                              token_from="/kompetence/moduler")
    await confirmed(client, created, "Modulet er oprettet")
    module = created.headers["location"]
    await confirmed(client, await post_form(client, module, {"code": "PÆD-KRAP", "title": "KRAP i praksis",
                                                             "ects": "10", "methods": str(world.method_krap)}),
                    "Modulet er gemt.")
    assert (await Module.select(Module.title).first().run())["title"] == "KRAP i praksis"
    run = await post_form(client, f"{module}/hold", {"semester": f"F{YEAR}", "starts_on": in_days(60),
                                                     "ends_on": in_days(150), "application_deadline": in_days(10)})
    await confirmed(client, run, "Holdet er tilføjet")
    run_id = (await CourseRun.select(CourseRun.id).first().run())["id"]

    leader = new_client()
    await login(leader, World.LEADER)
    profile = f"/kompetence/medarbejdere/{world.staff_employee}"
    planned = await post_form(leader, f"{profile}/forloeb", {"module": module.rsplit("/", 1)[1]}, token_from=profile)
    await confirmed(leader, planned, "Forløbet er planlagt")
    enrolment = (await Enrolment.select(Enrolment.id).first().run())["id"]
    for step in ({"state": "applied", "run": str(run_id)}, {"state": "enrolled"}, {"state": "passed", "grade": "7"}):
        await confirmed(leader, await post_form(leader, f"/kompetence/forloeb/{enrolment}/status", step),
                        "Forløbets status er gemt.")
    upload = await post_form(leader, f"/kompetence/forloeb/{enrolment}/bevis",
                             files={"file": ("bevis.pdf", PDF, "application/pdf")})
    await confirmed(leader, upload, "Beviset er gemt på forløbet.")


async def test_a_head_writes_the_yearly_plan_with_goals(client, world, head):
    await login(client, "head@test.example")
    created = await post_form(client, "/kompetence/planer", {"year": str(YEAR), "institution": str(world.inst_a),
                                                             "title": f"Kompetenceplan {YEAR}"},
                              token_from="/kompetence/planer")
    await confirmed(client, created, "Planen er oprettet")
    goal = await post_form(client, f"{created.headers['location']}/maal",
                           {"text": "Alle i A1 kender KRAP", "method": str(world.method_krap)})
    await confirmed(client, goal, "Målet er tilføjet planen.")


async def test_the_leadership_cohort_from_nomination_to_an_accepted_seat(client, new_client, world, head):
    first, second, third, fourth = await more_leaders(world, 4)
    await login(client, World.HR)
    opened = await post_form(client, "/kompetence/hold", {"year": str(YEAR), "capacity": "1",
                                                          "nomination_deadline": in_days(30)},
                             token_from="/kompetence/hold")
    await confirmed(client, opened, "Holdet er oprettet")
    cohort = opened.headers["location"]
    forstander = new_client()
    await login(forstander, "head@test.example")
    for priority, employee in enumerate((first, second, third, fourth), start=1):
        nominated = await post_form(forstander, f"{cohort}/indstil", {
            "employee": str(employee), "motivation": "Leder et stort team og vil styrke den faglige ledelse",
            "priority": str(priority)}, token_from=cohort)
        await confirmed(forstander, nominated, "Indstillingen er gemt")
    ids = [r["id"] for r in await Nomination.select(Nomination.id).order_by(Nomination.priority).run()]
    said = {"udvaelg": "Lederen er udvalgt", "venteliste": "ventelisten", "fravaelg": "Indstillingen er fravalgt."}
    for nomination, action in zip(ids, ("udvaelg", "venteliste", "venteliste", "fravaelg"), strict=True):
        await confirmed(client, await post_form(client, f"/kompetence/indstillinger/{nomination}/{action}"),
                        said[action])
    await confirmed(client, await post_form(client, f"{cohort}/bekraeft"), "Holdet er bekræftet")
    # The selected leader steps back; the seat goes to the first on the waiting list, who says no
    # thanks, and then to the next, who says yes.
    await confirmed(client, await post_form(client, f"/kompetence/indstillinger/{ids[0]}/traek"),
                    "Indstillingen er trukket tilbage.")
    declining = new_client()
    await login(declining, "leder1@test.example")
    await confirmed(declining, await post_form(declining, f"/kompetence/indstillinger/{ids[1]}/afslaa",
                                               token_from="/kompetence/mit"), "Du har sagt nej tak til pladsen")
    accepting = new_client()
    await login(accepting, "leder2@test.example")
    await confirmed(accepting, await post_form(accepting, f"/kompetence/indstillinger/{ids[2]}/accepter",
                                               token_from="/kompetence/mit"), "Du har sagt ja til pladsen")
    assert (await Nomination.select(Nomination.status).where(Nomination.id == ids[2]).first().run()
            )["status"] == "selected"
