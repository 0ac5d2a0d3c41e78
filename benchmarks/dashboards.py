"""Benchmark: the dashboards on PostgreSQL with ten years of data for the demo region
(1,840 employees, more than 200,000 work-environment episodes). Prints per page the median and
95th percentile render time through the real application (in-process ASGI, no network) and the
number of SQL queries the page issues, which must not grow with the data.

Run:  .venv/bin/python benchmarks/dashboards.py [--reuse] [--rounds 15]
(--reuse keeps the generated database between runs; generating takes a minute or two.)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import statistics
import sys
import time

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_DB = "hr_bench_dashboards"
os.environ["HR_DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"
os.environ["HR_SCHEDULER"] = "off"
# Measured as deployed (production settings: templates not checked for changes on every page).
os.environ.update(HR_MODE="production", HR_SECRET_KEY=secrets.token_hex(32))
logging.disable(logging.INFO)  # keep the table readable
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


async def prepare(reuse: bool) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", PG_DB)
    if exists and reuse:
        await conn.close()
        return
    await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{PG_DB}"')
    await conn.close()
    from hr import db
    from hr.demo import load_demo
    from hr.migrate import migrate

    await db.start()
    await migrate()
    started = time.perf_counter()
    summary = await load_demo(incident_years=10, incident_scale=5.2)
    await db.engine().run_ddl("ANALYZE")
    print(f"generated in {time.perf_counter() - started:.0f} s: {summary.describe()}")
    await db.stop()


PAGES = [
    ("hr", "/arbejdsmiljoe/analyse", "HR: analyse, 24 måneder"),
    ("hr", "/arbejdsmiljoe/analyse?fra={ten_years}", "HR: analyse, 10 år"),
    ("leder", "/arbejdsmiljoe/analyse", "Leder: analyse"),
    ("amr", "/arbejdsmiljoe/analyse", "AMR: analyse"),
    ("hr", "/ledelsesinformation", "HR: ledelsesinformation"),
    ("forstander", "/ledelsesinformation", "Forstander: ledelsesinformation"),
    ("hr", "/supervision/overblik", "HR: supervisionsoverblik"),
    ("hr", "/kompetence", "HR: kompetenceoverblik"),
    ("medarbejder", "/", "Medarbejder: forside"),
    ("leder", "/", "Leder: forside"),
    ("forstander", "/", "Forstander: forside"),
    ("hr", "/", "HR: forside (hele regionen)"),
    ("hr", "/", "HR: forside, beregnet hver gang"),  # the minute's cache emptied before each request
]


async def measure(rounds: int) -> None:
    from litestar.testing import AsyncTestClient

    from hr import duties
    from hr.app import create_app
    from hr.db import QueryCounter, now
    from hr.demo import DEMO_PASSWORD, DOMAIN

    ten_years = (now().date().replace(day=1).replace(year=now().year - 10)).strftime("%Y-%m")
    # "first" is the first request of the page, which computes what the others may take from the
    # short-lived cache (HR_DASHBOARD_CACHE_SECONDS); median and p95 are the rounds after it.
    print(f"{'page':<36} {'first':>8} {'median':>8} {'p95':>8} {'queries':>8}")
    async with AsyncTestClient(create_app()) as client:
        current = None
        for who, path, label in PAGES:
            if who != current:
                client.cookies.clear()
                await client.get("/login")
                response = await client.post("/login", data={"email": f"{who}@{DOMAIN}", "password": DEMO_PASSWORD,
                                                             "_csrf_token": client.cookies.get("csrftoken")})
                assert response.status_code in (200, 302), response.status_code
                current = who
            url = path.format(ten_years=ten_years)
            uncached = "beregnet" in label
            if uncached:
                duties._HR.clear()
            started = time.perf_counter()
            await client.get(url)  # the first: computes (and fills the cache)
            first = (time.perf_counter() - started) * 1000
            times = []
            for _ in range(rounds):
                if uncached:
                    duties._HR.clear()
                with QueryCounter() as counter:
                    started = time.perf_counter()
                    response = await client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
            print(f"{label:<36} {first:7.0f}ms {statistics.median(times):7.0f}ms {p95:7.0f}ms {counter.count:8d}")


async def counts() -> None:
    from hr.workenv.tables import Incident

    print(f"incidents in the database: {await Incident.count().run()}")


async def main(reuse: bool, rounds: int) -> None:
    await prepare(reuse)
    from hr import db

    await db.start()
    await counts()
    await db.stop()
    await measure(rounds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(main(args.reuse, args.rounds))
