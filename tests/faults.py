"""A database that fails on cue, for the fault tests: a trigger that, when a row of `table` is
written to match `when`, makes the statement fail as a database going away does. On PostgreSQL
the backend terminates its own connection (the client meets a real dropped connection, FATAL
57P01); on SQLite, which has no connection to drop, the statement aborts with an I/O error. The
fault comes `times` times (PostgreSQL counts with a sequence, which no rollback undoes; on SQLite
each fault is the same until `cleared`)."""

from __future__ import annotations

from contextlib import asynccontextmanager

from hr.db import engine, is_postgres

NAME = "hr_test_fault"


async def _raw(sql: str) -> None:
    await engine().run_ddl(sql)


@asynccontextmanager
async def failing_database(table: str, when: str, operation: str = "UPDATE", times: int = 1):
    """`when` is an SQL condition on NEW, e.g. "NEW.phase = 'data_sent'"."""
    if is_postgres():
        await _raw(f"DROP SEQUENCE IF EXISTS {NAME}_count")
        await _raw(f"CREATE SEQUENCE {NAME}_count")
        await _raw(f"""CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF nextval('{NAME}_count') <= {int(times)} THEN
                PERFORM pg_terminate_backend(pg_backend_pid());
                PERFORM pg_sleep(5);  -- where the termination is noticed, inside this statement
              END IF;
              RETURN NEW;
            END $$""")
        await _raw(f"CREATE TRIGGER {NAME} BEFORE {operation} ON {table} FOR EACH ROW WHEN ({when}) "
                   f"EXECUTE FUNCTION {NAME}()")
    else:
        await _raw(f"CREATE TRIGGER {NAME} BEFORE {operation} ON {table} FOR EACH ROW WHEN {when} "
                   "BEGIN SELECT RAISE(ABORT, 'disk I/O error (test fault)'); END")
    try:
        yield
    finally:
        await cleared(table)


async def cleared(table: str) -> None:
    if is_postgres():
        await _raw(f"DROP TRIGGER IF EXISTS {NAME} ON {table}")
        await _raw(f"DROP FUNCTION IF EXISTS {NAME}()")
        await _raw(f"DROP SEQUENCE IF EXISTS {NAME}_count")
    else:
        await _raw(f"DROP TRIGGER IF EXISTS {NAME}")


@asynccontextmanager
async def unreadable(table: str):
    """Reading `table` fails: on PostgreSQL the reading connection is dropped by the server (the
    table is moved aside and a view in its place terminates its reader's own backend first); on
    SQLite the table is away."""
    await _raw(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        if is_postgres():
            await _raw(f"""CREATE OR REPLACE FUNCTION {NAME}_drop() RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN
                  PERFORM pg_terminate_backend(pg_backend_pid());
                  PERFORM pg_sleep(5);
                  RETURN true;
                END $$""")
            # LATERAL makes the function the outer side: called even when the table is empty.
            await _raw(f"CREATE VIEW {table} AS SELECT t.* FROM (SELECT {NAME}_drop() AS x OFFSET 0) f "
                       f"CROSS JOIN LATERAL (SELECT * FROM {table}_away) t")
        yield
    finally:
        if is_postgres():
            await _raw(f"DROP VIEW IF EXISTS {table}")
            await _raw(f"DROP FUNCTION IF EXISTS {NAME}_drop()")
        await _raw(f"ALTER TABLE {table}_away RENAME TO {table}")
