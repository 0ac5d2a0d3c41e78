"""Shared supervision fixtures: a KRAP supervisor serving institution A on weekdays 8-16."""

from datetime import datetime, time, timedelta

import pytest

from hr.db import now
from hr.org.tables import Employee
from hr.settings import TIMEZONE
from hr.supervision.tables import Availability, Supervisor, SupervisorInstitution, SupervisorMethod


def next_monday(at: time) -> datetime:
    day = now().astimezone(TIMEZONE).date() + timedelta(days=7)
    day -= timedelta(days=day.weekday())
    return datetime.combine(day + timedelta(days=7), at, TIMEZONE)


@pytest.fixture
async def supervisor(world) -> int:
    rows = await Supervisor.insert(Supervisor(name="Knud KRAP", email="knud@supervision.example")).returning(
        Supervisor.id).run()
    sid = rows[0]["id"]
    await SupervisorMethod.insert(SupervisorMethod(supervisor=sid, method=world.method_krap)).run()
    await SupervisorInstitution.insert(SupervisorInstitution(supervisor=sid, institution=world.inst_a)).run()
    await Availability.insert(*[Availability(supervisor=sid, weekday=d, start_minute=8 * 60, end_minute=16 * 60)
                                for d in range(5)]).run()
    return sid


async def group_of(world) -> list[int]:
    rows = await Employee.select(Employee.id).where(Employee.unit.is_in([world.unit_a1, world.unit_a2])).run()
    return [r["id"] for r in rows]


