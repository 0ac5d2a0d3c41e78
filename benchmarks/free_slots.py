"""Benchmark: the booking form's free-time search for 20 supervisors over 8 weeks, on SQLite or
PostgreSQL. Each supervisor has five weekly windows (8-16), a day off every other week, a busy
calendar ahead (two sessions a working day) and ten years of past sessions behind (which the
search must not read); three participants are chosen, each with sessions ahead of their own.

Prints the median and 95th percentile of `slots.free_slots` (the four statements and the interval
arithmetic) and of `slots.free_times` as the form calls it (the weeks laid out), with the number
of SQL statements, which must not grow with the supervisors, the weeks or the history.

Run:  .venv/bin/python benchmarks/free_slots.py [--postgres] [--rounds 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta

import bench_db

PG_DB = "hr_bench_slots"
SUPERVISORS, WEEKS, HISTORY_YEARS = 20, 8, 10
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


async def populate() -> tuple[list[int], list[int]]:
    from hr.db import now
    from hr.org.tables import Employee, Institution, Unit
    from hr.settings import TIMEZONE
    from hr.supervision.tables import (
        Availability,
        AvailabilityException,
        Booking,
        BookingParticipant,
        Supervisor,
    )

    institution = (await Institution.insert(Institution(code="B", name="Bænken", kind="Bosted", places=40)
                                            ).returning(Institution.id).run())[0]["id"]
    unit = (await Unit.insert(Unit(code="B1", name="Bænken 1", institution=institution)).returning(Unit.id).run()
            )[0]["id"]
    employees = [r["id"] for r in await Employee.insert(*[
        Employee(employee_number=f"E{n}", name=f"Medarbejder {n}", unit=unit) for n in range(60)]).returning(
        Employee.id).run()]
    supervisors = [r["id"] for r in await Supervisor.insert(*[
        Supervisor(name=f"Supervisor {n}") for n in range(SUPERVISORS)]).returning(Supervisor.id).run()]
    await Availability.insert(*[Availability(supervisor=s, weekday=d, start_minute=8 * 60, end_minute=16 * 60)
                                for s in supervisors for d in range(5)]).run()
    today = now().astimezone(TIMEZONE).date()
    await AvailabilityException.insert(*[AvailabilityException(supervisor=s, day=today + timedelta(days=14 * w + i))
                                         for i, s in enumerate(supervisors) for w in range(WEEKS // 2)]).run()
    bookings = []
    first = today - timedelta(days=365 * HISTORY_YEARS)
    for offset in range((today - first).days + 7 * WEEKS):
        day = first + timedelta(days=offset)
        if day.weekday() > 4:
            continue
        for i, s in enumerate(supervisors):
            for hour in (9 + i % 3, 13 + i % 2):
                start = datetime(day.year, day.month, day.day, hour, tzinfo=TIMEZONE)
                bookings.append(Booking(supervisor=s, starts_at=start, ends_at=start + timedelta(hours=1),
                                        session_type="individual", institution=institution, unit=unit,
                                        uid=f"{uuid.uuid4()}@bench"))
    ids = []
    for n in range(0, len(bookings), 1000):
        ids += [r["id"] for r in await Booking.insert(*bookings[n:n + 1000]).returning(Booking.id).run()]
    await BookingParticipant.insert(*[BookingParticipant(booking=b, employee=employees[n % len(employees)])
                                      for n, b in enumerate(ids[-len(supervisors) * 2 * 5 * WEEKS:])]).run()
    print(f"{len(bookings):,} sessions over {HISTORY_YEARS} years and {WEEKS} weeks ahead, "
          f"{SUPERVISORS} supervisors, {len(employees)} employees")
    return supervisors, employees[:3]


def summary(times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[-1]
    return f"median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms"


async def main(postgres: bool, rounds: int) -> None:
    bench_db.configure(postgres, PG_DB)
    if postgres:
        await bench_db.recreate_pg(PG_DB)
    from hr import db
    from hr.db import QueryCounter
    from hr.migrate import migrate
    from hr.supervision import slots

    await db.start()
    await migrate()
    supervisors, chosen = await populate()
    if postgres:
        await db.engine().run_ddl("ANALYZE")
    matches = [{"id": s, "name": f"Supervisor {s}", "bookable": True} for s in supervisors]
    for label, call in (("free_slots (search)", lambda: slots.free_slots(supervisors, 60, chosen)),
                        ("free_times (as the form shows it)", lambda: slots.free_times(matches, 60, chosen))):
        await call()  # warm
        times = []
        for _ in range(rounds):
            with QueryCounter() as counter:
                started = time.perf_counter()
                result = await call()
                times.append((time.perf_counter() - started) * 1000)
        found = sum(len(v) for v in result.values()) if isinstance(result, dict) else result.total
        print(f"{'PostgreSQL' if postgres else 'SQLite':<10} {label:<36} {summary(times)}   "
              f"{counter.count} statements   {found} free slots")
    await db.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.postgres, args.rounds))
