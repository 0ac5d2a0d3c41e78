"""Competence fixtures: a small catalogue, an institution head, and extra leaders to nominate."""

from datetime import timedelta

import pytest
from multidict import MultiDict

from hr.auth.principal import Role
from hr.competence.tables import CourseRun, Module, ModuleMethod
from hr.forms import local_today
from hr.org.tables import Employee
from tests.conftest import make_account


def form(**values) -> MultiDict:
    """What a submitted form looks like to a service: every value a string."""
    return MultiDict({k: str(v) for k, v in values.items()})


async def insert(table, **values) -> int:
    return (await table.insert(table(**values)).returning(table.id).run())[0]["id"]


@pytest.fixture
async def catalogue(world) -> dict:
    krap = await insert(Module, code="PÆD-KRAP", title="KRAP i praksis", ects=10, provider="Absalon")
    await ModuleMethod.insert(ModuleMethod(module=krap, method=world.method_krap)).run()
    other = await insert(Module, code="DIL-1", title="Ledelse og organisation", ects=10)
    today = local_today()
    run = await insert(CourseRun, module=krap, semester="F2027", starts_on=today + timedelta(days=60),
                       ends_on=today + timedelta(days=150), application_deadline=today + timedelta(days=10),
                       exam_date=today + timedelta(days=140))
    return {"krap": krap, "dil1": other, "run": run}


@pytest.fixture
async def head(world) -> int:
    """The head (forstander) of institution A: a leader of the whole institution."""
    employee = await insert(Employee, employee_number="950", name="Frida Forstander", email="head@test.example",
                            job_title="Forstander", unit=world.unit_a1)
    return await make_account("head@test.example", "Frida Forstander", employee_id=employee,
                              roles=[(Role.LEADER, world.inst_a, None)], staff_responsibility=True)


async def more_leaders(world, count: int) -> list[int]:
    """Unit leaders with staff responsibility in institution A (employee ids)."""
    ids = []
    for n in range(count):
        employee = await insert(Employee, employee_number=f"96{n:02d}", name=f"Leder Nummer{n:02d}",
                                email=f"leder{n}@test.example", job_title="Afdelingsleder", unit=world.unit_a2)
        await make_account(f"leder{n}@test.example", f"Leder Nummer{n:02d}", employee_id=employee,
                           roles=[(Role.LEADER, world.inst_a, world.unit_a2)], staff_responsibility=True)
        ids.append(employee)
    return ids


def in_days(days: int) -> str:
    return (local_today() + timedelta(days=days)).isoformat()
