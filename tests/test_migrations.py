"""The committed migrations build the schema from empty on the engine under test."""

import os
import subprocess
import sys
import tempfile

import pytest

from tests.conftest import ENGINE, PG_ADMIN_URL


@pytest.fixture
async def empty_database_url():
    if ENGINE == "sqlite":
        yield f"sqlite:///{tempfile.mkdtemp()}/empty.sqlite"
        return
    import asyncpg

    name = f"hr_test_migrations_{os.getpid()}"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


def run_hr(*args, url):
    env = {**os.environ, "HR_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "hr.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120)


async def test_migrations_apply_from_empty_and_are_idempotent(empty_database_url):
    first = run_hr("migrate", url=empty_database_url)
    assert first.returncode == 0, first.stderr
    assert "Migreret: hr" in first.stdout
    second = run_hr("migrate", url=empty_database_url)
    assert second.returncode == 0, second.stderr
    assert "Running" not in second.stdout


async def test_the_schema_matches_the_tables(empty_database_url):
    """Every column a table declares exists after migrating: no table change without a migration."""
    assert run_hr("migrate", url=empty_database_url).returncode == 0
    from piccolo.conf.apps import Finder

    from hr import db

    tables = Finder().get_table_classes()
    for table in tables:
        # Selecting every declared column fails if a migration is missing one.
        await table.select(*table._meta.columns).limit(1).run()
    assert db.is_postgres() == (ENGINE == "postgres")


def test_timestamps_are_time_zone_aware():
    from piccolo.columns import Timestamp
    from piccolo.conf.apps import Finder

    for table in Finder().get_table_classes():
        for column in table._meta.columns:
            assert not isinstance(column, Timestamp), f"{table.__name__}.{column._meta.name} is naive"
