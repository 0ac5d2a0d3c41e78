"""Compliance: only attended sessions count; grace for new hires and after leave; scope; trend; export."""

from datetime import date, datetime, time, timedelta

from hr.auth.services import load_principal
from hr.db import now
from hr.forms import local_today
from hr.org.tables import Employee, EmployeeLeave
from hr.settings import TIMEZONE
from hr.supervision import booking, compliance
from hr.supervision.compliance import Person, status_on
from hr.supervision.tables import Booking, Requirement
from tests.confirmations import confirmed
from tests.conftest import PASSWORD, World, login, post_form
from tests.supervision.conftest import group_of, next_monday

REQUIREMENTS = [
    dict(audience="staff", session_type="group", interval_days=42, grace_days=90, valid_from=date(2026, 1, 1),
         institution=None, unit=None),
    dict(audience="leader", session_type="individual", interval_days=91, grace_days=90,
         valid_from=date(2026, 1, 1), institution=None, unit=None),
]
DAY = date(2026, 11, 27)


def person(**kw) -> Person:
    values = dict(id=1, name="Søren", unit=1, unit_name="A1", institution=1, institution_name="A",
                  audience="staff", start_date=date(2020, 1, 1))
    return Person(**{**values, **kw})


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), TIMEZONE)


def test_someone_who_never_attended_is_overdue():
    assert status_on(person(), REQUIREMENTS, DAY).status == "overdue"


def test_a_recent_group_session_is_compliant_and_an_ageing_one_due_soon():
    recent = status_on(person(attended=[(at(DAY - timedelta(days=5)), "group")]), REQUIREMENTS, DAY)
    assert recent.status == "compliant" and recent.due == DAY + timedelta(days=37)
    ageing = status_on(person(attended=[(at(DAY - timedelta(days=35)), "group")]), REQUIREMENTS, DAY)
    assert ageing.status == "due_soon" and ageing.due == DAY + timedelta(days=7)
    late = status_on(person(attended=[(at(DAY - timedelta(days=43)), "group")]), REQUIREMENTS, DAY)
    assert late.status == "overdue"


def test_only_the_required_kind_of_session_counts():
    individual = person(attended=[(at(DAY - timedelta(days=5)), "individual")])
    assert status_on(individual, REQUIREMENTS, DAY).status == "overdue"
    assert status_on(person(audience="leader", attended=[(at(DAY - timedelta(days=5)), "individual")]),
                     REQUIREMENTS, DAY).status == "compliant"


def test_sessions_after_the_day_do_not_count_for_that_day():
    later = person(attended=[(at(DAY + timedelta(days=1)), "group")])
    assert status_on(later, REQUIREMENTS, DAY).status == "overdue"


def test_a_new_hire_has_a_grace_period():
    new = status_on(person(start_date=DAY - timedelta(days=30)), REQUIREMENTS, DAY)
    assert new.status == "compliant" and new.note == "Nyansat" and new.due == DAY + timedelta(days=60)
    assert status_on(person(start_date=DAY - timedelta(days=91)), REQUIREMENTS, DAY).status == "overdue"


def test_leave_pauses_the_requirement_and_the_return_gives_grace():
    on_leave = person(leaves=[(DAY - timedelta(days=100), None)])
    assert status_on(on_leave, REQUIREMENTS, DAY).status == "exempt"
    back = status_on(person(leaves=[(DAY - timedelta(days=300), DAY - timedelta(days=10))]), REQUIREMENTS, DAY)
    assert back.status == "compliant" and back.note == "Tilbage fra orlov"


def test_without_a_requirement_in_force_nobody_is_overdue():
    assert status_on(person(), REQUIREMENTS, date(2025, 6, 1)).status == "none"


def test_month_ends_run_to_today():
    assert compliance.month_ends(date(2026, 3, 15), 4) == [date(2025, 12, 31), date(2026, 1, 31),
                                                         date(2026, 2, 28), date(2026, 3, 15)]


async def _attend(world, supervisor, employee_ids, days_ago: int, session_type="group") -> int:
    """A session booked in advance that has now taken place, with attendance registered."""
    hr = await load_principal(world.accounts["hr"])
    start = next_monday(time(10)) + timedelta(days=7 * (days_ago % 5))
    booking_id = await booking.book(hr, supervisor_id=supervisor, starts_at=start, minutes=60,
                                    session_type=session_type, capacity=max(2, len(employee_ids)) if
                                    session_type == "group" else 1, employee_ids=employee_ids, place="Stuen")
    past = now() - timedelta(days=days_ago)
    await Booking.update({Booking.starts_at: past, Booking.ends_at: past + timedelta(hours=1)}).where(
        Booking.id == booking_id).run()
    await booking.register_attendance(hr, booking_id, employee_ids)
    return booking_id


async def test_registering_attendance_moves_the_employee_to_compliant(world, supervisor):
    leader = await load_principal(world.accounts["leader"])
    await Employee.update({Employee.start_date: date(2020, 1, 1)}, force=True).run()
    before = {r["name"]: r for r in await compliance.overview(leader)}
    assert before["Søren Ståbi"]["status"] == "overdue"
    hr = await load_principal(world.accounts["hr"])
    start = next_monday(time(10))
    booking_id = await booking.book(hr, supervisor_id=supervisor, starts_at=start, minutes=60,
                                    session_type="group", capacity=4,
                                    employee_ids=[world.staff_employee, world.leader_employee], place="Stuen")
    booked = {r["name"]: r for r in await compliance.overview(leader)}
    assert booked["Søren Ståbi"]["status"] == "overdue" and booked["Søren Ståbi"]["next_booked"] == start
    past = now() - timedelta(days=2)
    await Booking.update({Booking.starts_at: past, Booking.ends_at: past + timedelta(hours=1)}).where(
        Booking.id == booking_id).run()
    await booking.register_attendance(hr, booking_id, [world.staff_employee])  # the leader did not come
    after = {r["name"]: r for r in await compliance.overview(leader)}
    assert after["Søren Ståbi"]["status"] == "compliant" and after["Søren Ståbi"]["last_attended"] == past
    assert after["Lene Leder"]["status"] == "overdue"  # absent, and a leader needs individual supervision


async def test_a_unit_requirement_overrides_the_default(world, supervisor):
    await Employee.update({Employee.start_date: date(2020, 1, 1)}, force=True).run()
    await _attend(world, supervisor, [world.staff_employee], days_ago=20)
    hr = await load_principal(world.accounts["hr"])
    assert {r["name"]: r["status"] for r in await compliance.overview(hr)}["Søren Ståbi"] == "compliant"
    await Requirement.insert(Requirement(audience="staff", session_type="group", interval_days=14, grace_days=30,
                                         unit=world.unit_a1, institution=world.inst_a,
                                         valid_from=date(2026, 1, 1))).run()
    assert {r["name"]: r["status"] for r in await compliance.overview(hr)}["Søren Ståbi"] == "overdue"


async def test_leaders_see_their_units_and_hr_everyone(world):
    leader = await load_principal(world.accounts["leader"])
    other = await load_principal(world.accounts["other"])
    hr = await load_principal(world.accounts["hr"])
    assert {r["name"] for r in await compliance.overview(leader)} == {"Lene Leder", "Søren Ståbi"}
    assert {r["name"] for r in await compliance.overview(other)} == {"Bo Andetsted"}
    assert len(await compliance.overview(hr)) == 5
    by_institution = compliance.summarise(await compliance.overview(hr), "institution_id", "institution_name")
    assert {g["name"]: g["total"] for g in by_institution} == {"Tilbud A": 4, "Tilbud B": 1}


async def test_the_trend_counts_each_month_from_attended_sessions(world, supervisor):
    await Employee.update({Employee.start_date: date(2020, 1, 1)}, force=True).run()
    await _attend(world, supervisor, await group_of(world), days_ago=10)
    hr = await load_principal(world.accounts["hr"])
    months = await compliance.trend(hr, institution_id=world.inst_a, months=3)
    assert len(months) == 3
    now_month = months[-1]
    # Staff who attended the group session are compliant today; the leader needs individual supervision.
    assert now_month["compliant"] == 3 and now_month["overdue"] == 1 and now_month["share"] == 75
    assert months[0]["compliant"] == 0


async def test_reading_only_the_latest_sessions_gives_todays_statuses(world, supervisor):
    await Employee.update({Employee.start_date: date(2020, 1, 1)}, force=True).run()
    for days_ago in (120, 30):
        await _attend(world, supervisor, [world.staff_employee, world.leader_employee], days_ago)
    for employee, days_ago in ((world.staff_employee, 8), (world.leader_employee, 9)):
        await _attend(world, supervisor, [employee], days_ago, "individual")
    hr = await load_principal(world.accounts["hr"])
    today = local_today()
    full = await compliance.load_people(hr)
    latest = await compliance.load_people(hr, latest_until=today)
    requirements = await compliance.list_requirements()
    assert [p.id for p in full] == [p.id for p in latest]
    assert max(len(p.attended) for p in full) == 3 and max(len(p.attended) for p in latest) == 2
    for whole, short in zip(full, latest, strict=True):
        assert status_on(whole, requirements, today) == status_on(short, requirements, today)
    staff = next(p for p in latest if p.id == world.staff_employee)
    assert [kind for _, kind in staff.attended] == ["group", "individual"]
    assert staff.attended[0][0] == max(at for at, kind in next(
        p for p in full if p.id == world.staff_employee).attended if kind == "group")


async def test_the_page_filters_and_exports(app, client, world, supervisor):
    await Employee.update({Employee.start_date: date(2020, 1, 1)}, force=True).run()
    await _attend(world, supervisor, [world.staff_employee], days_ago=3)
    await login(client, World.LEADER, PASSWORD)
    page = await client.get("/supervision/overblik")
    assert page.status_code == 200 and "Søren Ståbi" in page.text and "Bo Andetsted" not in page.text
    overdue = await client.get("/supervision/overblik", params={"status": "overdue"})
    assert "Lene Leder" in overdue.text and "Søren Ståbi" not in overdue.text
    csv = await client.get("/supervision/overblik/eksport", params={"format": "csv"})
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Medarbejder") and len(lines) == 3
    xlsx = await client.get("/supervision/overblik/udvikling/eksport", params={"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert (await client.get("/supervision/overblik", params={"tilbud": "x", "status": "<script>"})
            ).status_code == 200


async def test_leave_is_registered_with_validation_and_exempts_the_employee(app, client, world):
    await login(client, World.LEADER, PASSWORD)
    bad = await post_form(client, f"/medarbejdere/{world.staff_employee}/orlov",
                          {"starts_on": "2026-02-30", "ends_on": "", "kind": "barsel"})
    assert bad.status_code == 400 and "Skriv en gyldig startdato" in bad.text
    assert await EmployeeLeave.count() == 0
    backwards = await post_form(client, f"/medarbejdere/{world.staff_employee}/orlov",
                                {"starts_on": "2026-05-01", "ends_on": "2026-04-01", "kind": "barsel"})
    assert backwards.status_code == 400 and "før startdatoen" in backwards.text
    endless = await post_form(client, f"/medarbejdere/{world.staff_employee}/orlov",
                              {"starts_on": "2026-05-01", "ends_on": "9999-12-31", "kind": "barsel"})
    assert endless.status_code == 400 and "En orlov kan højst vare 5 år" in endless.text
    year_one = await post_form(client, f"/medarbejdere/{world.staff_employee}/orlov",
                               {"starts_on": "0001-01-01", "ends_on": "", "kind": "barsel"})
    assert year_one.status_code == 400 and "Datoen skal ligge mellem" in year_one.text
    ok = await post_form(client, f"/medarbejdere/{world.staff_employee}/orlov",
                         {"starts_on": (local_today() - timedelta(days=10)).isoformat(), "ends_on": "",
                          "kind": "barsel"})
    page = await confirmed(client, ok, "Orloven er registreret")
    assert "Fritaget (orlov)" in page
    other = await post_form(client, f"/medarbejdere/{world.other_employee}/orlov",
                            {"starts_on": "2026-01-01", "kind": "barsel"})
    assert other.status_code == 404
    assert await EmployeeLeave.count() == 1
    leave_id = (await EmployeeLeave.select(EmployeeLeave.id).first().run())["id"]
    ended = await post_form(client, f"/medarbejdere/{world.staff_employee}/orlov/{leave_id}/slut",
                            {"ends_on": local_today().isoformat()})
    await confirmed(client, ended, "Orlovens slutdato er gemt.")
