"""Demo data: realistic size, deterministic, with a working login for each role."""

import re

from hr.auth.principal import Role
from hr.auth.tables import Account, RoleAssignment
from hr.demo import DEMO_PASSWORD, PERSONAS, load_demo
from hr.org.tables import Employee, Institution, Unit
from tests.conftest import login


async def test_demo_data_has_the_size_of_the_region():
    summary = await load_demo()
    assert summary.created
    assert await Institution.count().run() == 13
    assert 85 <= await Unit.count().run() <= 95
    assert 1700 <= await Employee.count().run() <= 1900
    assert 130 <= await RoleAssignment.count().where(RoleAssignment.role == Role.LEADER).run() <= 160
    assert await RoleAssignment.count().where(RoleAssignment.role == Role.SUPERVISOR).run() == 12
    names = [r["name"] for r in await Employee.select(Employee.name).run()]
    assert any(ch in "".join(names) for ch in "æøå")


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
    await login(client, "hr@socialomraadet.example", DEMO_PASSWORD)
    page = await client.get("/organisation")
    assert len(set(re.findall(r'href="/organisation/tilbud/(\d+)"', page.text))) == 13
