"""The baselines of the load benchmark, served the same way as the service (uvicorn, same
workers, same machine, same run): a bare Litestar route doing one indexed PostgreSQL read, and
`/replay/{name}`, which runs the SQL statements and commits a flow of the product sent, as
recorded by benchmarks/replay.py (HR_REPLAY_FILE)."""

from __future__ import annotations

import os
import random

import asyncpg
from litestar import Litestar, get
from litestar.exceptions import NotFoundException

from benchmarks import replay as recordings

DSN = os.environ["HR_DATABASE_URL"]
pool: asyncpg.Pool | None = None
flows: dict = {}


async def start() -> None:
    global pool
    pool = await asyncpg.create_pool(DSN, min_size=1, max_size=10)
    if os.environ.get("HR_REPLAY_FILE"):
        flows.update(recordings.load(os.environ["HR_REPLAY_FILE"]))


async def stop() -> None:
    if pool is not None:
        await pool.close()


@get("/baseline")
async def baseline() -> dict:
    row = await pool.fetchrow("SELECT id, name FROM org_employee WHERE id = $1", random.randint(1, 1800))
    return {"id": row["id"] if row else None}


@get("/replay/{name:str}")
async def replay(name: str) -> dict:
    if name not in flows:
        raise NotFoundException()
    return {"statements": await recordings.replay(pool, flows[name])}


app = Litestar(route_handlers=[baseline, replay], on_startup=[start], on_shutdown=[stop])
