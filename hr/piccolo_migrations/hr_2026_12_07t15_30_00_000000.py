from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ID = "2026-12-07T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The payroll folder's files, imported or refused, for the 24-hour leaver limit and for HR"


# The table as this migration makes it (frozen here: later changes get their own migration).
class PayrollFile(Table, tablename="org_payroll_file", schema=None):
    name = Varchar(length=300)
    received_at = Timestamptz(default=TimestamptzNow(), index=True)
    imported = Boolean(default=False)
    active_before = Integer(default=0)
    deactivated = Integer(default=0)
    reason = Text(default="")
    would_change = Text(default="")
    seen_at = Timestamptz(null=True, default=None, index=True)
    seen_by = Varchar(length=254, default="")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hr", description=DESCRIPTION)

    async def create():
        await PayrollFile.create_table(if_not_exists=True).run()

    manager.add_raw(create)
    return manager
