"""The front page is each person's work queue: every open duty, most urgent first, the deadline
in words, a count per kind and a link to where it is done; `/api/v1/me/tasks` lists the same.
Its cost is a fixed number of queries whatever the data."""

from datetime import timedelta

from hr.auth.services import create_api_token, load_principal
from hr.db import QueryCounter, now
from hr.duties import LISTED, Duty, duties_for
from hr.forms import local_today
from hr.supervision.tables import Booking, BookingParticipant, Supervisor
from hr.workenv.tables import ActionItem, Incident
from tests.conftest import World, login, post_form


async def _incident(world, unit=None, when=None) -> int:
    moment = when or now()
    rows = await Incident.insert(Incident(
        kind="accident", status="submitted", occurred_at=moment, submitted_at=moment, unit=unit or world.unit_a1,
        institution=world.inst_a, reporter=world.accounts["staff"], place_type="common", description="Faldt",
        severity=2)).returning(Incident.id).run()
    return rows[0]["id"]


async def _past_session_without_attendance(world) -> int:
    supervisor = (await Supervisor.insert(Supervisor(name="Sif Supervisor", account=world.accounts["supervisor"]))
                  .returning(Supervisor.id).run())[0]["id"]
    start = now() - timedelta(days=2)
    rows = await Booking.insert(Booking(
        supervisor=supervisor, starts_at=start, ends_at=start + timedelta(hours=1), session_type="group",
        capacity=4, institution=world.inst_a, unit=world.unit_a1, booked_by=world.accounts["leader"],
        uid="duty-uid")).returning(Booking.id).run()
    await BookingParticipant.insert(BookingParticipant(booking=rows[0]["id"], employee=world.staff_employee)).run()
    return rows[0]["id"]


def test_a_deadline_is_said_in_words():
    today = local_today()
    said = [Duty("k", "g", "t", "/", today + timedelta(days=n)).when(today) for n in (0, 1, 3, -1, -5, -400, -8660)]
    assert said == ["i dag", "i morgen", "om 3 dage", "i går", "5 dage over", "13 måneder over", "23 år over"]
    assert Duty("k", "g", "t", "/").when(today) == "ingen frist"
    assert Duty("k", "g", "t", "/", late=True).when(today) == "over fristen"


async def test_staff_see_their_draft_their_action_and_their_own_supervision(client, world):
    await login(client, World.STAFF)
    await post_form(client, "/arbejdsmiljoe/haendelser", token_from="/arbejdsmiljoe")  # a draft
    await ActionItem.insert(ActionItem(source_type="incident", source_id=1, institution=world.inst_a,
                                       unit=world.unit_a1, problem="Reparér dørpumpen", measure="m",
                                       owner=world.accounts["staff"], deadline=local_today() + timedelta(days=1),
                                       effect_check="e")).run()
    page = (await client.get("/")).text
    assert page.index("Indberet en hændelse") < page.index("Dine opgaver")  # the first thing on a phone
    assert "Gør indberetningen færdig" in page
    assert "Handling: Reparér dørpumpen" in page and "i morgen" in page
    assert "Din supervision" in page and "Næste aftalte" in page
    assert "Hændelser til opfølgning" not in page  # a leader's duty, not theirs
    # The action's link opens that action with the form that closes it, not the list of all.
    action = (await ActionItem.select(ActionItem.id).first().run())["id"]
    link = f"/arbejdsmiljoe/handlinger?handling={action}"
    assert f'href="{link}"' in page.replace("&amp;", "&")
    opened = (await client.get(link)).text
    assert f'action="/arbejdsmiljoe/handlinger/{action}/luk"' in opened and "1 handling" in opened


async def test_a_leader_sees_follow_up_deadlines_attendance_and_staff_overdue_for_supervision(client, world):
    incident = await _incident(world, when=now() - timedelta(days=3))
    booking = await _past_session_without_attendance(world)
    await _incident(world, unit=world.unit_b1)  # another leader's unit: not here
    await login(client, World.LEADER)
    page = (await client.get("/")).text
    assert f'href="/arbejdsmiljoe/haendelser/{incident}"' in page
    assert page.count('href="/arbejdsmiljoe/haendelser/') == 1
    assert f'href="/supervision/bookinger/{booking}"' in page and "Registrér fremmøde" in page
    assert "Søren Ståbi" in page and "supervision" in page
    assert 'href="/arbejdsmiljoe/opfoelgning">Hændelser til opfølgning</a>: 1' in page


async def test_the_api_lists_what_the_page_lists(client, world):
    await _incident(world)
    principal = await load_principal(world.accounts["leader"])
    _, token = await create_api_token(principal, world.accounts["leader"], "min telefon", ["tasks:read"])
    answer = await client.get("/api/v1/me/tasks", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    body = answer.json()
    expected = await duties_for(principal)
    assert body["count"] == len(expected.items) >= 2
    assert [t["title"] for t in body["items"]] == [d.title for d in expected.items]
    assert all(t["when"] and t["link"].startswith("/") for t in body["items"])
    _, other = await create_api_token(principal, world.accounts["leader"], "org", ["org:read"])
    assert (await client.get("/api/v1/me/tasks", headers={"Authorization": f"Bearer {other}"})).status_code == 403


async def test_the_front_page_costs_the_same_queries_for_one_incident_and_for_forty(client, world):
    await _incident(world)
    await login(client, World.LEADER)
    with QueryCounter() as few:
        assert (await client.get("/")).status_code == 200
    for _ in range(39):
        await _incident(world)
    await _past_session_without_attendance(world)
    with QueryCounter() as many:
        page = await client.get("/")
    assert many.count == few.count, (few.count, many.count)
    assert page.text.count('href="/arbejdsmiljoe/haendelser/') == 40
    for _ in range(30):
        await _incident(world)
    crowded = (await client.get("/")).text
    assert crowded.count('<li class="app-duty') == LISTED  # the page holds its size, the counts hold all
    assert f"De {LISTED} mest presserende af" in crowded and "Hændelser til opfølgning</a>: 70" in crowded


def test_duties_are_ranked_by_harm_and_then_by_deadline():
    from datetime import date

    from hr.duties import rank

    today = date(2026, 12, 7)
    soon = Duty("supervision.due_soon", "Medarbejdere, der mangler supervision", "snart", "/", today + timedelta(1))
    overdue = Duty("supervision.overdue", "Medarbejdere, der mangler supervision", "over", "/",
                   today - timedelta(days=40), late=True)
    review = Duty("workenv.followup", "Hændelser til opfølgning", "gennemgang", "/", today, step="followup_review")
    defusing = Duty("workenv.followup", "Hændelser til opfølgning", "defusing", "/", today + timedelta(1),
                    step="violence_defusing")
    easy = Duty("workenv.followup", "Hændelser til opfølgning", "easy", "/", today + timedelta(5), step="accident_easy")
    order = Duty("workenv.order", "Påbud", "påbud", "/", today + timedelta(3))
    ranked = sorted([soon, overdue, review, easy, order, defusing], key=lambda d: rank(d, today))
    # Safety now; then the law's deadlines (earliest first); then what is overdue; routine last.
    assert [d.title for d in ranked] == ["defusing", "påbud", "easy", "over", "gennemgang", "snart"]
    assert all(d.why for d in ranked)


async def test_a_fresh_violence_episode_tops_the_leaders_list_saying_why(client, world):
    moment = now() - timedelta(hours=1)
    violence = (await Incident.insert(Incident(
        kind="violence", status="submitted", occurred_at=moment, submitted_at=moment, unit=world.unit_a1,
        institution=world.inst_a, reporter=world.accounts["staff"], place_type="common", description="Slag",
        severity=2)).returning(Incident.id).run())[0]["id"]
    await login(client, World.LEADER)
    page = (await client.get("/")).text
    titles = page.split('class="app-duty__title">')[1:]
    assert titles[0].startswith("Tilbud om defusing") and f"/arbejdsmiljoe/haendelser/{violence}" in page
    assert "skal tilbydes defusing med det samme" in page


def test_routine_reminders_of_one_kind_fold_into_one_line_after_the_first_few():
    from datetime import date

    from hr.duties import FOLD_AFTER, DutyList

    today = date(2026, 12, 7)
    group = "Medarbejdere, der mangler supervision"
    soon = [Duty("supervision.due_soon", group, f"P{n} skal snart have supervision", "/", today + timedelta(days=n))
            for n in range(1, 13)]
    urgent = Duty("workenv.followup", "Hændelser til opfølgning", "defusing", "/", today, step="violence_defusing")
    shown = DutyList([urgent, *soon], today).shown
    assert shown[0] is urgent and shown[1:1 + FOLD_AFTER] == soon[:FOLD_AFTER]
    fold = shown[1 + FOLD_AFTER]
    assert fold.folded and fold.count == len(soon) - FOLD_AFTER and fold.link == "/supervision/overblik?ubooket=1"
    assert len(shown) == 2 + FOLD_AFTER
