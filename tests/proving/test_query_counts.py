"""Every dashboard and front page sends a fixed number of SQL statements, whatever the data:
counted for each role on the demo region, then again after its history has grown (twice the
work-environment episodes, a year more of supervision, twice the courses, 200 more employees)."""

from datetime import timedelta

from hr.competence.tables import Enrolment
from hr.db import QueryCounter, bulk_insert
from hr.demo import DEMO_PASSWORD, DOMAIN, load_demo
from hr.org.tables import Employee
from hr.supervision.tables import Booking, BookingParticipant
from hr.workenv.tables import Incident
from tests.conftest import login

PAGES = [
    ("hr", "/"), ("hr", "/arbejdsmiljoe/analyse"), ("hr", "/ledelsesinformation"), ("hr", "/supervision/overblik"),
    ("hr", "/kompetence"), ("forstander", "/"), ("forstander", "/ledelsesinformation"),
    ("forstander", "/supervision/overblik"), ("leder", "/"), ("leder", "/arbejdsmiljoe/analyse"),
    ("leder", "/supervision/overblik"), ("leder", "/kompetence"), ("medarbejder", "/"), ("amr", "/"),
    ("amr", "/arbejdsmiljoe/analyse"), ("supervisor", "/"),
]


async def statements_per_page(new_client) -> dict[tuple[str, str], int]:
    counts = {}
    clients = {}
    for who, path in PAGES:
        if who not in clients:
            clients[who] = new_client()
            await login(clients[who], f"{who}@{DOMAIN}", DEMO_PASSWORD)
        with QueryCounter() as counter:
            response = await clients[who].get(path)
        assert response.status_code == 200, (who, path, response.status_code)
        counts[(who, path)] = counter.count
    return counts


def copies(rows: list[dict], **changes) -> list[dict]:
    return [{**{k: v for k, v in row.items() if k != "id"}, **{k: f(row) for k, f in changes.items()}}
            for row in rows]


async def grow_history() -> None:
    incidents = await Incident.select().run()
    await bulk_insert(Incident, copies(incidents, occurred_at=lambda r: r["occurred_at"] - timedelta(days=730),
                                       submitted_at=lambda r: r["submitted_at"] and
                                       r["submitted_at"] - timedelta(days=730)))
    bookings = await Booking.select().run()
    year = timedelta(days=365)
    await bulk_insert(Booking, copies(bookings, uid=lambda r: f"older-{r['uid']}",
                                      starts_at=lambda r: r["starts_at"] - year, ends_at=lambda r: r["ends_at"] - year))
    older = {r["uid"]: r["id"] for r in await Booking.select(Booking.id, Booking.uid).where(
        Booking.uid.like("older-%")).run()}
    by_id = {r["id"]: older[f"older-{r['uid']}"] for r in bookings}
    participants = await BookingParticipant.select().run()
    await bulk_insert(BookingParticipant, copies(participants, booking=lambda r: by_id[r["booking"]],
                                                 attended=lambda r: r["attended"] if r["attended"] is not None
                                                 else True))
    await bulk_insert(Enrolment, copies(await Enrolment.select().run()))
    staff = await Employee.select().where(Employee.active.eq(True)).limit(200).run()
    await bulk_insert(Employee, copies(staff, employee_number=lambda r: f"9{r['employee_number']}",
                                       email=lambda r: "", name=lambda r: f"{r['name']} Nyere"))


async def test_no_page_sends_more_statements_as_the_history_grows(new_client):
    await load_demo(incident_years=1, incident_scale=0.1)
    before = await statements_per_page(new_client)
    await grow_history()
    assert await Incident.count().run() >= 800
    after = await statements_per_page(new_client)
    grew = {page: (before[page], after[page]) for page in PAGES if after[page] != before[page]}
    assert not grew, f"statements per page changed with the data (before, after): {grew}"
    assert all(count <= 60 for count in after.values()), after
