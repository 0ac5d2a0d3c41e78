"""Indexes on (unit, occurred_at) and (institution, occurred_at): a leader's or an AMR's analysis
reads one period of their own units instead of every episode the unit ever had (the load
benchmark's unit-leader dashboard). Piccolo declares single-column indexes only, hence raw DDL,
which both engines accept."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-27T08:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite indexes for scoped analysis"

INDEXES = {
    "workenv_incident_unit_occurred_at": "unit, occurred_at",
    "workenv_incident_institution_occurred_at": "institution, occurred_at",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workenv", description=DESCRIPTION)

    async def create():
        from hr.workenv.tables import Incident

        for name, columns in INDEXES.items():
            await Incident.raw(f"CREATE INDEX IF NOT EXISTS {name} ON workenv_incident ({columns})").run()

    async def drop():
        from hr.workenv.tables import Incident

        for name in INDEXES:
            await Incident.raw(f"DROP INDEX IF EXISTS {name}").run()

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
