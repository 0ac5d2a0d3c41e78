"""Backing up and restoring the whole database, with the engine's own tools: pg_dump's custom
format and pg_restore on PostgreSQL (consistent while the service runs, restored in one
transaction), SQLite's online backup API (a consistent copy while others read and write).

A backup is written next to its target under a temporary name and renamed when complete, so a
half-written file never carries the backup's name. A restore checks the file first (its kind,
that it can be read) and replaces the database in one step: a file that fails leaves the
database as it was."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat

# pg_dump and pg_restore are PostgreSQL's own backup tools, run without a shell.
import subprocess  # nosec B404
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from hr.settings import Settings

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS_TABLE = "migration"  # Piccolo's; a database without it is not ours
# How long pg_dump waits for a table someone else holds exclusively (a migration running).
LOCK_WAIT = "30s"
LOCK_NOT_AVAILABLE = "lock timeout"  # PostgreSQL's message when it gives up waiting


class BackupError(Exception):
    """What went wrong, in Danish, for the person at the terminal."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    tables: int

    def describe(self, verb: str) -> str:
        return f"{verb}: {self.path} ({_size(self.size)}, {self.tables} tabeller)"


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}".replace(".", ",")
        n /= 1000
    raise AssertionError("unreachable")


def _kind(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head.startswith(PG_MAGIC):
        return "postgres"
    if head == SQLITE_MAGIC:
        return "sqlite"
    raise BackupError(f"{path} er hverken en PostgreSQL-backup (pg_dump -Fc) eller en SQLite-database")


def libpq_address(url: str) -> tuple[str, dict[str, str]]:
    """The database address for pg_dump/pg_restore without its password, which goes in the
    environment instead: a command line is visible to everyone on the machine."""
    parts = urlsplit(url)
    env = dict(os.environ)
    netloc = parts.netloc
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}@{host}"
    return urlunsplit(("postgresql", netloc, parts.path, parts.query, "")), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} findes ikke på maskinen: installér PostgreSQL's klientprogrammer "
                          "(samme hovedversion som databasen eller nyere)")
    return found


def _run(args: list[str], env: dict[str, str], doing: str) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True)  # nosec B603
    if done.returncode != 0:
        if LOCK_NOT_AVAILABLE in done.stderr:
            raise BackupError(f"{doing} mislykkedes: en tabel var låst i mere end {LOCK_WAIT} (kører en "
                              "migrering?). Prøv igen om lidt.")
        raise BackupError(f"{doing} mislykkedes: {done.stderr.strip() or f'slutkode {done.returncode}'}")
    return done.stdout


def _refuse_while_in_use(database_url: str) -> None:
    """pg_restore would wait without end for a table that a running service holds (the archive
    sets lock_timeout to 0 itself), so a restore begins only when nothing else is connected."""
    import asyncio

    import asyncpg

    async def others() -> list[str]:
        conn = await asyncpg.connect(database_url, timeout=10)
        try:
            return [row["name"] for row in await conn.fetch(
                "SELECT coalesce(nullif(application_name, ''), 'ukendt program') AS name FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'")]  # not autovacuum working on a table
        finally:
            await conn.close()

    try:
        connected = asyncio.run(others())
    except (OSError, asyncpg.PostgresError) as exc:
        raise BackupError(f"Databasen kunne ikke nås: {exc}") from exc
    if connected:
        count = "1 anden forbindelse er åben" if len(connected) == 1 else f"{len(connected)} andre forbindelser er åbne"
        programs = ", ".join(sorted(set(connected)))
        raise BackupError(f"Databasen er i brug: {count} ({programs}). Stop tjenesten og planlæggeren, "
                          "og prøv igen. Databasen er uændret.")


def _read_only(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def _pg_tables(listing: str) -> int:
    """Tables in a pg_restore --list table of contents ("; " lines are comments)."""
    return sum(1 for line in listing.splitlines() if not line.startswith(";") and " TABLE DATA " in line)


def _sqlite_tables(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%'").fetchone()[0]


def _private_file(path: Path) -> None:
    """An empty file only its owner can read and write, whatever the umask; refused when a file
    (or a link someone planted) is already there."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError as exc:
        raise BackupError(f"{path} blev oprettet af en anden samtidig: prøv igen") from exc
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _others_can_write(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def backup(settings: Settings, target: Path) -> BackupResult:
    """Written 0600 (only the service's own user reads personal data from it) into a folder
    that others cannot write to (they could swap the file for one of theirs before a restore)."""
    target = target.resolve()
    if target.is_dir():
        raise BackupError(f"{target} er en mappe: angiv backupfilens navn")
    if not target.parent.is_dir():
        raise BackupError(f"Mappen {target.parent} findes ikke")
    if _others_can_write(target.parent):
        raise BackupError(f"Mappen {target.parent} kan skrives af andre brugere på maskinen: vælg en mappe, kun "
                          "tjenestens bruger kan skrive i (fx chmod 700)")
    partial = target.with_name(f".{target.name}.delvis")
    partial.unlink(missing_ok=True)  # an interrupted backup's (a link is removed, never followed)
    _private_file(partial)
    try:
        if settings.is_postgres:
            address, env = libpq_address(settings.database_url)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}",
                  f"--lock-wait-timeout={LOCK_WAIT}", f"--dbname={address}"], env, "pg_dump")
            tables = _pg_tables(_run([_tool("pg_restore"), "--list", str(partial)], env, "Kontrol af backuppen"))
        else:
            source_path = Path(settings.sqlite_path)
            if not source_path.is_file():
                raise BackupError(f"SQLite-databasen {source_path} findes ikke")
            source = sqlite3.connect(_read_only(source_path), uri=True, timeout=30)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                # The copy is one self-contained file: no write-ahead log beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
                tables = _sqlite_tables(copy)
            finally:
                copy.close()
                source.close()
        os.chmod(partial, 0o600)  # pg_dump and SQLite write into the file made above: its mode, kept
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(target, target.stat().st_size, tables)


def restore(settings: Settings, source: Path) -> BackupResult:
    """Replace every table of the configured database with the backup's. The service and the
    scheduler should be stopped first: they would otherwise write into the database as it is
    being replaced."""
    source = source.resolve()
    if not source.is_file():
        raise BackupError(f"Backupfilen {source} {'er en mappe' if source.is_dir() else 'findes ikke'}")
    if _others_can_write(source):
        raise BackupError(f"Backupfilen {source} kan ændres af andre brugere på maskinen (rettigheder "
                          f"{stat.S_IMODE(source.stat().st_mode):04o}): den gendannes ikke. Tjek filen, og giv den "
                          "rettighederne 600 (chmod 600), hvis den er din.")
    kind = _kind(source)
    wanted = "postgres" if settings.is_postgres else "sqlite"
    if kind != wanted:
        names = {"postgres": "PostgreSQL", "sqlite": "SQLite"}
        raise BackupError(f"Filen er en {names[kind]}-backup, men databasen (HR_DATABASE_URL) er {names[wanted]}")
    if settings.is_postgres:
        address, env = libpq_address(settings.database_url)
        tables = _pg_tables(_run([_tool("pg_restore"), "--list", str(source)], env, "Læsning af backuppen"))
        if not tables:
            raise BackupError("Backuppen indeholder ingen tabeller")
        _refuse_while_in_use(settings.database_url)
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", f"--dbname={address}", str(source)], env, "pg_restore")
    else:
        backup_db = sqlite3.connect(_read_only(source), uri=True)
        try:
            if backup_db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("Backuppen er beskadiget (SQLite's integritetskontrol fejlede)")
            if not backup_db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                     (MIGRATIONS_TABLE,)).fetchone():
                raise BackupError("Filen er en SQLite-database, men ikke en backup af hr (ingen migreringer)")
            tables = _sqlite_tables(backup_db)
            live = sqlite3.connect(settings.sqlite_path, timeout=30)
            try:
                backup_db.backup(live)  # page by page under the database's lock: all or nothing
                live.execute("PRAGMA journal_mode=WAL")  # as hr.db.start leaves it
            finally:
                live.close()
        except sqlite3.Error as exc:
            raise BackupError(f"Gendannelsen mislykkedes: {exc}") from exc
        finally:
            backup_db.close()
    return BackupResult(source, source.stat().st_size, tables)
