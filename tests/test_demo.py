"""Demo data: realistic size, deterministic, with a working login for each role."""

import re

from piccolo.query.functions.aggregate import Count

from hr.auth import org_rights
from hr.auth.principal import Role
from hr.auth.tables import Account, RoleAssignment
from hr.demo import DEMO_PASSWORD, NEWCOMER, PERSONAS, load_demo
from hr.org.tables import Employee, Institution, Unit
from hr.workenv.tables import Incident
from tests.conftest import login


async def test_demo_data_has_the_size_of_the_region():
    summary = await load_demo()
    assert summary.created
    assert await Institution.count().run() == 13
    assert 85 <= await Unit.count().run() <= 95
    assert 1700 <= await Employee.count().run() <= 1900
    assert 130 <= await RoleAssignment.count().where(RoleAssignment.role == Role.LEADER).run() <= 160
    assert await RoleAssignment.count().where(RoleAssignment.role == Role.SUPERVISOR).run() == 12
    from hr.supervision.tables import Supervisor

    assert await Supervisor.count().where(Supervisor.external.eq(True)).run() == 6
    assert await Supervisor.count().run() == 12
    rows = await Incident.select(Incident.kind, Count()).group_by(Incident.kind).run()
    per_kind = {r["kind"]: r["count"] for r in rows}
    assert set(per_kind) == {"near_miss", "accident", "violence", "use_of_force"}
    assert sum(per_kind.values()) > 5000
    years = {r["occurred_at"].year for r in await Incident.select(Incident.occurred_at).run()}
    assert len(years) >= 4
    names = [r["name"] for r in await Employee.select(Employee.name).run()]
    assert any(ch in "".join(names) for ch in "æøå")
    # The demo's leader roles are what payroll's "Ledelse" gives: keeping them in step changes nothing.
    change = await org_rights.sync(None)
    assert not change.granted and not change.removed
    newcomer = await Employee.select().where(Employee.email == NEWCOMER).first().run()
    assert newcomer["active"] and not await Account.exists().where(Account.employee == newcomer["id"]).run()


async def test_demo_data_is_deterministic_and_loading_twice_adds_nothing():
    await load_demo()
    first = await Employee.select(Employee.employee_number, Employee.name, Employee.unit).order_by(Employee.id).run()
    again = await load_demo()
    assert not again.created
    assert await Employee.count().run() == len(first)
    await load_demo(reset=True)
    second = await Employee.select(Employee.employee_number, Employee.name).order_by(Employee.employee_number).run()
    assert [(r["employee_number"], r["name"]) for r in sorted(first, key=lambda r: r["employee_number"])] == \
        [(r["employee_number"], r["name"]) for r in second]


async def test_every_demo_login_works(client):
    await load_demo()
    assert len(PERSONAS) == 7
    for _, email in PERSONAS:
        assert await Account.exists().where(Account.email == email).run()
    await login(client, "leder@socialomraadet.example", DEMO_PASSWORD)
    worklist = await client.get("/arbejdsmiljoe/opfoelgning")
    assert worklist.status_code == 200
    first = re.search(r'href="(/arbejdsmiljoe/haendelser/\d+)"', worklist.text).group(1)
    assert (await client.get(first)).status_code == 200
    assert (await client.get("/arbejdsmiljoe/apv")).status_code == 200
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await login(client, "hr@socialomraadet.example", DEMO_PASSWORD)
    page = await client.get("/organisation")
    assert len(set(re.findall(r'href="/organisation/tilbud/(\d+)"', page.text))) == 13
