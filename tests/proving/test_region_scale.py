"""Pages that hold the whole region: with 1,800 employees (and their accounts) in one unit, no
list page renders more than about 100 rows or 100 form controls at once."""

import re

import pytest

from hr.auth.tables import Account
from hr.org.tables import Employee
from tests.conftest import World, login

SHARED = ["/", "/medarbejdere", "/supervision/overblik", "/kompetence", "/arbejdsmiljoe/haendelser",
          "/arbejdsmiljoe/handlinger", "/arbejdsmiljoe/opfoelgning", "/supervision/bookinger",
          "/supervision/bookinger/ny", "/organisation/afdelinger/{unit}", "/organisation/tilbud/{institution}"]
PAGES = [(World.HR, path) for path in [*SHARED, "/admin/brugere", "/admin/revisionslog"]] + \
        [(World.LEADER, path) for path in SHARED]
MOST = 110  # rows or form controls a page may render (a page of 100 and the page's own few)


@pytest.fixture
async def region(world):
    rows = await Employee.insert(*[Employee(employee_number=f"S{n:04d}", name=f"Stine Skala {n:04d}",
                                            email=f"skala{n}@test.example", unit=world.unit_a1)
                                   for n in range(1800)]).returning(Employee.id).run()
    await Account.insert(*[Account(email=f"skala{n}@test.example", name=f"Stine Skala {n:04d}", employee=r["id"])
                           for n, r in enumerate(rows)]).run()
    await Employee.update({Employee.unit: world.unit_a1}).where(Employee.id == world.leader_employee).run()
    return world


@pytest.mark.parametrize("who, path", PAGES)
async def test_no_list_renders_the_whole_region(client, region, who, path):
    await login(client, who)
    path = path.format(unit=region.unit_a1, institution=region.inst_a)
    page = await client.get(path)
    assert page.status_code == 200, path
    rows = len(re.findall(r"<tr[ >]", page.text))
    controls = len(re.findall(r"<(?:input|select|textarea|button)[ >]", page.text))
    assert rows <= MOST and controls <= MOST, (path, rows, controls)
