"""Database engine selection and the few helpers every service needs."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import AsyncIterator

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from hr.settings import Settings


def make_engine(settings: Settings) -> Engine:
    if settings.is_postgres:
        return PostgresEngine(config={"dsn": settings.database_url})
    # A generous busy timeout: concurrent writers wait for the lock instead of
    # failing with "database is locked".
    return SQLiteEngine(path=settings.sqlite_path, timeout=30)


def engine() -> Engine:
    from hr.piccolo_conf import DB

    return DB


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """One atomic write. On SQLite the write lock is taken at BEGIN (IMMEDIATE),
    so two writers queue up instead of deadlocking on lock promotion."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            yield


def now() -> datetime:
    return datetime.now(timezone.utc)


async def start(db: Engine | None = None) -> None:
    db = db or engine()
    if isinstance(db, PostgresEngine):
        if db.pool is None:
            await db.start_connection_pool(min_size=1, max_size=10)
    elif isinstance(db, SQLiteEngine):
        # WAL lets readers work while one writer holds the lock; the setting
        # is stored in the file, so doing it at start-up is enough.
        await db._run_in_new_connection("PRAGMA journal_mode=WAL")


async def stop(db: Engine | None = None) -> None:
    db = db or engine()
    if isinstance(db, PostgresEngine) and db.pool is not None:
        await db.close_connection_pool()
        db.pool = None
