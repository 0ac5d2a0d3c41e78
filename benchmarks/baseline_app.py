"""The baseline for the load benchmark: a bare Litestar route doing one indexed PostgreSQL read,
served the same way as the service (uvicorn, same workers, same machine, same run)."""

from __future__ import annotations

import os
import random

import asyncpg
from litestar import Litestar, get

DSN = os.environ["HR_DATABASE_URL"]
pool: asyncpg.Pool | None = None


async def start() -> None:
    global pool
    pool = await asyncpg.create_pool(DSN, min_size=1, max_size=10)


async def stop() -> None:
    if pool is not None:
        await pool.close()


@get("/baseline")
async def baseline() -> dict:
    row = await pool.fetchrow("SELECT id, name FROM org_employee WHERE id = $1", random.randint(1, 1800))
    return {"id": row["id"] if row else None}


app = Litestar(route_handlers=[baseline], on_startup=[start], on_shutdown=[stop])
