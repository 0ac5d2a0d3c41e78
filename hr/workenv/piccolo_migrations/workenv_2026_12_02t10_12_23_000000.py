"""Each incident's recorded absence (days and first day) becomes one closed absence period. A
migration of its own: Piccolo runs a migration's raw steps before its tables are created."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T10:12:23:000000"
VERSION = "1.38.0"
DESCRIPTION = "Recorded absence as one period each"


class Incident(Table, tablename="workenv_incident", schema=None):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workenv", description=DESCRIPTION)

    async def backfill():
        import datetime

        from hr.settings import TIMEZONE

        def day(value):
            return datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else value

        rows = await Incident.raw("SELECT id, occurred_at, absence_days, first_absence_date FROM workenv_incident "
                                  "WHERE absence_days > 0 AND occurred_at IS NOT NULL").run()
        for row in rows:
            occurred = row["occurred_at"]
            if isinstance(occurred, str):
                occurred = datetime.datetime.fromisoformat(occurred)
            first = day(row["first_absence_date"]) or (occurred.astimezone(TIMEZONE).date()
                                                      + datetime.timedelta(days=1))
            last = first + datetime.timedelta(days=int(row["absence_days"]) - 1)
            await Incident.raw("INSERT INTO workenv_incident_absence (incident, starts_on, ends_on, recorded_at) "
                               "VALUES ({}, {}, {}, {})", row["id"], first, last,
                               datetime.datetime.now(datetime.timezone.utc)).run()

    manager.add_raw(backfill)
    return manager
