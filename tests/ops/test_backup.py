"""hr backup and hr restore (issue 18), through the real command on the engine under test:
every table's rows come back identical after the database is wiped, a file that cannot be
restored leaves the database as it was, and the password never appears on a command line."""

import os
import sqlite3
import subprocess
import sys

from piccolo.apps.migrations.tables import Migration

from hr import db
from hr.ops.backup import libpq_address
from hr.org.tables import Institution
from hr.settings import get_settings
from tests.conftest import ENGINE, World, all_tables, login
from tests.workenv.test_reporting import new_draft, report, submit


def hr_command(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hr.cli", *args], input=stdin, capture_output=True, text=True,
                          env={**os.environ, "HR_LOG_FORMAT": "text"}, timeout=120)


async def snapshot() -> dict[str, list[dict]]:
    out = {}
    for table in [*all_tables(), Migration]:
        out[table._meta.tablename] = await table.select().order_by(table._meta.primary_key).run()
    return out


async def wipe() -> None:
    """Every table gone, as after a lost disk or a botched manual change."""
    if ENGINE == "postgres":
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


async def reconnect() -> None:
    """PostgreSQL's pooled connections hold statements prepared against the tables before the
    restore; a restarted service starts with fresh ones."""
    await db.stop()
    await db.start()


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
    await reconnect()
    assert not await Institution.table_exists().run()

    restored = hr_command("restore", str(file), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert f"Gendannet fra: {file}" in restored.stdout
    await reconnect()

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
        refused = hr_command("restore", str(path), "--yes")
        assert refused.returncode == 1 and says in refused.stderr, (path.name, refused.stderr)
        assert "Traceback" not in refused.stderr
        await reconnect()
        assert await snapshot() == changed, path.name

    asked = hr_command("restore", str(file), stdin="n\n")  # the question defaults to no
    assert asked.returncode == 1 and "erstatter ALLE data" in asked.stdout
    assert await snapshot() == changed

    assert hr_command("restore", str(file), "--yes").returncode == 0
    await reconnect()
    assert (await Institution.select(Institution.name).where(Institution.id == world.inst_b).first().run()
            )["name"] == "Tilbud B"


async def test_a_backup_needs_a_place_to_go(tmp_path):
    assert "er en mappe" in hr_command("backup", str(tmp_path)).stderr
    assert "findes ikke" in hr_command("backup", str(tmp_path / "ingen" / "hr.backup")).stderr


def test_the_password_goes_to_the_environment_not_the_command_line():
    address, env = libpq_address("postgresql://hr:s%40cret%3A1@db.region.example:5433/hr?sslmode=require")
    assert address == "postgresql://hr@db.region.example:5433/hr?sslmode=require"
    assert env["PGPASSWORD"] == "s@cret:1"
    assert libpq_address("postgres://hr@db/hr")[0] == "postgresql://hr@db/hr"
