"""hr backup and hr restore (issue 18), through the real command on the engine under test:
every table's rows come back identical after the database is wiped, a file that cannot be
restored leaves the database as it was, and the password never appears on a command line."""

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys

import asyncpg
import pytest
from piccolo.apps.migrations.tables import Migration

from hr import db
from hr.ops.backup import libpq_address
from hr.org.tables import Institution
from hr.settings import get_settings
from tests.browser.conftest import servers_stopped
from tests.conftest import ENGINE, World, all_tables, login
from tests.workenv.test_reporting import new_draft, report, submit

TERMINATE_OTHERS = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def hr_command(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    """The command in its own process group: on a timeout pg_dump or pg_restore under it is
    stopped too, instead of living on with its locks."""
    process = subprocess.Popen([sys.executable, "-m", "hr.cli", *args], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "HR_LOG_FORMAT": "text", **env}, start_new_session=True)
    try:
        stdout, stderr = process.communicate(stdin, timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture(autouse=True, scope="module")
def service_stopped():
    """The session's servers on the test database (the browser tests') stopped while these tests
    restore into it, as an operator stops the service first."""
    with servers_stopped():
        yield


async def stop_the_service() -> None:
    """What a restore asks first: nothing else connected to the database (this process's own
    pool; connections other tests left behind)."""
    if ENGINE == "postgres":
        await db.engine().run_ddl(TERMINATE_OTHERS)
    await db.stop()


async def restore(file, *args: str, **env: str) -> subprocess.CompletedProcess:
    """hr restore with the service stopped, and the service started again after it, on fresh
    connections (the old ones held statements prepared against the tables before)."""
    await stop_the_service()
    try:
        done = hr_command("restore", str(file), *args, **env)
        if "i brug" in done.stderr:  # who was still connected, and what this process was doing
            conn = await asyncpg.connect(os.environ["HR_DATABASE_URL"])
            try:
                who = [dict(r) for r in await conn.fetch(
                    "SELECT pid, application_name, client_port, backend_start, state, query FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")]
            finally:
                await conn.close()
            tasks = [repr(t.get_coro()) for t in asyncio.all_tasks()]
            sockets = subprocess.run(["ss", "-tnp"], capture_output=True, text=True).stdout
            owners = [line for line in sockets.splitlines() for w in who if f":{w['client_port']} " in line]
            done.stderr += f"\nconnected: {who}\nsockets: {owners}\ntasks here: {tasks}\nme: {os.getpid()}"
        return done
    finally:
        await db.start()


async def snapshot() -> dict[str, list[dict]]:
    out = {}
    for table in [*all_tables(), Migration]:
        out[table._meta.tablename] = await table.select().order_by(table._meta.primary_key).run()
    return out


async def wipe() -> None:
    """Every table gone, as after a lost disk or a botched manual change."""
    if ENGINE == "postgres":
        await db.engine().run_ddl(TERMINATE_OTHERS)  # no one else holds a table it drops
        await db.engine().run_ddl("DROP SCHEMA public CASCADE")
        await db.engine().run_ddl("CREATE SCHEMA public")
    else:
        conn = sqlite3.connect(get_settings().sqlite_path)
        try:
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%'").fetchall():
                conn.execute(f'DROP TABLE "{name}"')
            conn.commit()
        finally:
            conn.close()


async def populated(client, world) -> dict[str, list[dict]]:
    await login(client, World.STAFF)
    incident_id = await new_draft(client)
    assert (await submit(client, incident_id, report(world, description="Æblet røg på gulvet – «citat» 😊")
                         )).status_code == 302
    rows = await snapshot()
    assert sum(1 for r in rows.values() if r) >= 10 and rows["workenv_incident"]
    return rows


async def test_backup_wipe_and_restore_give_every_row_back(client, world, tmp_path):
    before = await populated(client, world)
    file = tmp_path / "hr.backup"

    made = hr_command("backup", str(file))
    assert made.returncode == 0, made.stderr
    assert f"Backup skrevet: {file}" in made.stdout and "tabeller" in made.stdout
    assert not list(tmp_path.glob(".*delvis"))

    await wipe()
    await stop_the_service()
    await db.start()
    assert not await Institution.table_exists().run()

    restored = await restore(file, "--yes")
    assert restored.returncode == 0, restored.stderr
    assert f"Gendannet fra: {file}" in restored.stdout

    after = await snapshot()
    events = after.pop("audit_event")
    assert events[:-1] == before.pop("audit_event")
    assert (events[-1]["action"], events[-1]["entity"], events[-1]["actor"]) == ("restore", "database", "system")
    assert after == before
    # The counters came back too: the next row does not collide with a restored one.
    new = await Institution.insert(Institution(code="N", name="Nyt tilbud", kind="Botilbud", places=1)).run()
    assert new[0]["id"] > max(r["id"] for r in before["org_institution"])


async def test_a_file_that_cannot_be_restored_leaves_the_database_as_it_was(client, world, tmp_path):
    before = await populated(client, world)
    file = tmp_path / "hr.backup"
    assert hr_command("backup", str(file)).returncode == 0
    await Institution.update({Institution.name: "Ændret efter backuppen"}).where(
        Institution.id == world.inst_b).run()
    changed = await snapshot()
    assert changed != before

    truncated = tmp_path / "afkortet.backup"
    truncated.write_bytes(file.read_bytes()[: file.stat().st_size // 2])
    not_a_backup = tmp_path / "noter.txt"
    not_a_backup.write_text("ikke en backup")
    other_kind = tmp_path / "anden.backup"
    if ENGINE == "postgres":
        sqlite3.connect(other_kind).execute("CREATE TABLE migration (id INTEGER)").connection.commit()
    else:
        other_kind.write_bytes(b"PGDMP" + bytes(100))

    for path, says in [(truncated, "mislykkedes"), (not_a_backup, "hverken en PostgreSQL-backup"),
                       (other_kind, "men databasen (HR_DATABASE_URL) er"),
                       (tmp_path / "findes-ikke.backup", "findes ikke")]:
        refused = await restore(path, "--yes")
        assert refused.returncode == 1 and says in refused.stderr, (path.name, refused.stderr)
        assert "Traceback" not in refused.stderr
        assert await snapshot() == changed, path.name

    asked = hr_command("restore", str(file), stdin="n\n")  # the question defaults to no
    assert asked.returncode == 1 and "erstatter ALLE data" in asked.stdout
    assert await snapshot() == changed

    assert (await restore(file, "--yes")).returncode == 0
    assert (await Institution.select(Institution.name).where(Institution.id == world.inst_b).first().run()
            )["name"] == "Tilbud B"


@pytest.mark.skipif(ENGINE != "postgres", reason="SQLite's restore waits its busy timeout under the database's lock")
async def test_a_restore_while_the_database_is_in_use_gives_up_and_changes_nothing(client, world, tmp_path):
    before = await populated(client, world)
    file = tmp_path / "hr.backup"
    assert hr_command("backup", str(file)).returncode == 0
    # A service that was not stopped, in the middle of a transaction on a table: pg_restore would
    # wait for it without end (the archive sets its own lock_timeout of 0).
    holder = await asyncpg.connect(os.environ["HR_DATABASE_URL"], server_settings={"application_name": "hr web"})
    try:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT count(*) FROM org_institution")
        await db.stop()
        refused = hr_command("restore", str(file), "--yes")
        await transaction.rollback()
    finally:
        await holder.close()
        await db.start()
    assert refused.returncode == 1, refused.stderr
    assert "Databasen er i brug: 1 anden forbindelse er åben (hr web)" in refused.stderr
    assert "Stop tjenesten og planlæggeren" in refused.stderr and "Traceback" not in refused.stderr
    assert await snapshot() == before


async def test_a_backup_needs_a_place_to_go(tmp_path):
    assert "er en mappe" in hr_command("backup", str(tmp_path)).stderr
    assert "findes ikke" in hr_command("backup", str(tmp_path / "ingen" / "hr.backup")).stderr


def test_the_password_goes_to_the_environment_not_the_command_line():
    address, env = libpq_address("postgresql://hr:s%40cret%3A1@db.region.example:5433/hr?sslmode=require")
    assert address == "postgresql://hr@db.region.example:5433/hr?sslmode=require"
    assert env["PGPASSWORD"] == "s@cret:1"
    assert libpq_address("postgres://hr@db/hr")[0] == "postgresql://hr@db/hr"


async def test_a_backup_is_for_its_owner_only_whatever_the_umask_and_restore_refuses_a_file_others_can_write(
        client, world, tmp_path):
    await populated(client, world)
    file = tmp_path / "hr.backup"
    tmp_path.chmod(0o700)
    made = subprocess.run(["sh", "-c", 'umask 000 && exec "$0" -m hr.cli backup "$1"', sys.executable, str(file)],
                          capture_output=True, text=True, env={**os.environ, "HR_LOG_FORMAT": "text"}, timeout=120)
    assert made.returncode == 0, made.stderr
    assert file.stat().st_mode & 0o777 == 0o600
    shared = tmp_path / "delt"
    shared.mkdir()
    shared.chmod(0o777)
    refused = hr_command("backup", str(shared / "hr.backup"))
    assert refused.returncode == 1 and "kan skrives af andre brugere" in refused.stderr
    assert not list(shared.iterdir())
    before = await snapshot()
    file.chmod(0o666)
    tampered = await restore(file, "--yes")
    assert tampered.returncode == 1 and "kan ændres af andre brugere" in tampered.stderr
    assert "Traceback" not in tampered.stderr
    assert await snapshot() == before
