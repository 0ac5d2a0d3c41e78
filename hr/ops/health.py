"""Liveness and readiness for the orchestrator and the monitoring.

Live: the process answers (no database asked, so a database outage does not restart every
worker). Ready: the database answers, every committed migration has been applied, and a
scheduler has given a sign of life recently (the reminders and mail depend on it)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from hr.db import as_utc, ensure_pool, now

DATABASE_TIMEOUT_SECONDS = 3
HEARTBEAT_EVERY = timedelta(seconds=30)
HEARTBEAT_FRESH = 4 * HEARTBEAT_EVERY  # a scheduler busy with a long job still beats in time


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


@lru_cache(maxsize=1)
def committed_migrations() -> frozenset[tuple[str, str]]:
    """(app, migration id) of every migration module in the code; they cannot change while the
    process runs."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    manager = BaseMigrationManager()
    out = set()
    for module in manager.get_app_modules():
        config = module.APP_CONFIG
        for migration_id in manager.get_migration_ids(manager.get_migration_modules(
                config.resolved_migrations_folder_path)):
            out.add((config.app_name, migration_id))
    return frozenset(out)


async def _database() -> Check:
    from hr.org.tables import Institution

    if not await ensure_pool():
        return Check(False, "databasen svarer ikke (ingen forbindelse)")
    try:
        await asyncio.wait_for(Institution.raw("SELECT 1").run(), DATABASE_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure to answer is "not ready", with its kind, never a 500
        return Check(False, f"databasen svarer ikke ({type(exc).__name__})")
    return Check(True, "databasen svarer")


async def _migrations() -> Check:
    from piccolo.apps.migrations.tables import Migration

    try:
        applied = {(r["app_name"], r["name"]) for r in await Migration.select(Migration.app_name, Migration.name).run()}
    except Exception as exc:
        return Check(False, f"migreringerne kan ikke læses ({type(exc).__name__})")
    missing = committed_migrations() - applied
    if missing:
        return Check(False, f"{len(missing)} migrering(er) mangler: kør hr migrate")
    return Check(True, "alle migreringer er kørt")


async def last_heartbeat() -> datetime | None:
    """The latest sign of life of any scheduler process."""
    from hr.notify.tables import SchedulerHeartbeat

    beat = await SchedulerHeartbeat.select(SchedulerHeartbeat.beat_at).order_by(
        SchedulerHeartbeat.beat_at, ascending=False).first().run()
    return as_utc(beat["beat_at"]) if beat else None


async def _scheduler() -> Check:
    try:
        beat = await last_heartbeat()
    except Exception as exc:
        return Check(False, f"planlæggerens livstegn kan ikke læses ({type(exc).__name__})")
    if beat is None:
        return Check(False, "ingen planlægger har givet livstegn: start hr scheduler (eller HR_SCHEDULER=on)")
    age = now() - beat
    if age > HEARTBEAT_FRESH:
        return Check(False, f"planlæggerens seneste livstegn er {int(age.total_seconds())} sekunder gammelt")
    return Check(True, f"planlæggeren gav livstegn for {max(0, int(age.total_seconds()))} sekunder siden")


async def readiness() -> dict[str, Check]:
    """A web worker is ready when it can serve: the database answers and its schema is current.
    A stopped scheduler is no reason to take the web tier out (reminders are late, pages are not):
    it is a metric, a warning to HR and the scheduler container's own health check."""
    database = await _database()
    if not database.ok:
        return {"database": database, "migrations": Check(False, "databasen svarer ikke")}
    return {"database": database, "migrations": await _migrations()}


async def scheduler_health() -> dict[str, Check]:
    """The scheduler process's health (`hr health`): what a web worker needs, and a fresh heartbeat."""
    checks = await readiness()
    checks["scheduler"] = await _scheduler() if checks["database"].ok else Check(False, "databasen svarer ikke")
    return checks


async def beat(holder: str) -> None:
    """The scheduler's sign of life, one row per scheduler process."""
    from hr.notify.tables import SchedulerHeartbeat

    moment = now()
    updated = await SchedulerHeartbeat.update({SchedulerHeartbeat.beat_at: moment}).where(
        SchedulerHeartbeat.holder == holder).returning(SchedulerHeartbeat.id).run()
    if not updated:
        await SchedulerHeartbeat.insert(SchedulerHeartbeat(holder=holder, beat_at=moment)).run()
    # Rows of processes long gone are no signs of life.
    await SchedulerHeartbeat.delete().where(SchedulerHeartbeat.beat_at < moment - timedelta(days=1)).run()
