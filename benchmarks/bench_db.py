"""The benchmarks' database: SQLite in a fresh temporary folder, or a PostgreSQL database of the
benchmark's own, dropped and created anew (the machine's PostgreSQL, trust auth)."""

from __future__ import annotations

import os
import tempfile

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def configure(postgres: bool, database: str) -> None:
    """Point the service at the benchmark's database, with no scheduler running beside it."""
    if postgres:
        os.environ["HR_DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{database}"
    else:
        os.environ["HR_DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='hr-bench-')}/bench.sqlite"
    os.environ["HR_SCHEDULER"] = "off"


async def recreate_pg(database: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{database}"')
    await conn.close()
