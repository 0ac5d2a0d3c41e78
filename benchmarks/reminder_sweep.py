"""Benchmark: one reminder sweep over the demo region (1,840 employees, a year of incidents and
supervision), on SQLite or PostgreSQL. Prints the time and the number of SQL queries of

  1. the first sweep (every reminder is new: records them and queues their mails),
  2. a second sweep at once (nothing new: the unique keys skip everything),
  3. a first sweep over half the employees (fewer people must not mean fewer queries, and
     more people must not mean more, except one insert per 500 new reminders).

Run:  .venv/bin/python benchmarks/reminder_sweep.py [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

import bench_db

PG_DB = "hr_bench_sweep"


def configure(postgres: bool) -> None:
    bench_db.configure(postgres, PG_DB)
    os.environ["HR_SMTP_HOST"] = ""


async def measure(label: str) -> None:
    from hr.db import QueryCounter
    from hr.notify import engine
    from hr.notify.tables import ReminderLog

    before = await ReminderLog.count()
    with QueryCounter() as counter:
        started = time.perf_counter()
        result = await engine.sweep()
        seconds = time.perf_counter() - started
    new = await ReminderLog.count() - before
    print(f"{label:<44} {seconds:7.2f} s {counter.count:6d} queries {new:6d} new reminders   ({result['detail']})")


async def main(postgres: bool) -> None:
    if postgres:
        await bench_db.recreate_pg(PG_DB)
    from hr import db
    from hr.demo import load_demo
    from hr.migrate import migrate
    from hr.notify.tables import JobRun, OutboxMessage, ReminderLog
    from hr.org.tables import Employee

    await db.start()
    await migrate()
    started = time.perf_counter()
    summary = await load_demo()
    print(f"engine: {'PostgreSQL' if postgres else 'SQLite'}; demo loaded in {time.perf_counter() - started:.1f} s: "
          f"{summary.describe()}")
    active = await Employee.count().where(Employee.active.eq(True))
    await measure(f"first sweep, {active} active employees")
    await measure("second sweep at once (nothing new)")
    ids = [r["id"] for r in await Employee.select(Employee.id).where(Employee.active.eq(True)).run()]
    await Employee.update({Employee.active: False}).where(Employee.id.is_in(ids[::2])).run()
    for table in (OutboxMessage, ReminderLog, JobRun):
        await table.delete(force=True).run()
    await measure(f"first sweep, {len(ids) - len(ids[::2])} active employees")
    await db.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help="run on PostgreSQL at 127.0.0.1:5432")
    args = parser.parse_args()
    configure(args.postgres)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    asyncio.run(main(args.postgres))
