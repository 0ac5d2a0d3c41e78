"""Each incident's absence summary from its periods: the ended periods' days, and the first day
of a running one (which used to be counted into the days as of the last change). A migration of
its own: Piccolo runs a migration's raw steps before its columns are added."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T18:24:46:000000"
VERSION = "1.38.0"
DESCRIPTION = "Absence summary: ended days and the running period's first day"


class Incident(Table, tablename="workenv_incident", schema=None):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workenv", description=DESCRIPTION)

    async def backfill():
        import datetime

        def day(value):
            return datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else value

        summary: dict[int, list] = {}
        for row in await Incident.raw("SELECT incident, starts_on, ends_on FROM workenv_incident_absence").run():
            ended, running = summary.setdefault(row["incident"], [0, None])
            starts, ends = day(row["starts_on"]), day(row["ends_on"])
            if ends is None:
                summary[row["incident"]][1] = starts
            else:
                summary[row["incident"]][0] = ended + (ends - starts).days + 1
        for incident, (ended, running) in summary.items():
            await Incident.raw("UPDATE workenv_incident SET absence_days = {}, absent_since = {} WHERE id = {}",
                               ended, running, incident).run()

    manager.add_raw(backfill)
    return manager
