from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T01:19:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "One account per directory identity"


class Account(Table, tablename="auth_account", schema=None):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hr", description=DESCRIPTION)

    # SQLite cannot add a UNIQUE column to an existing table; a unique index does the same on both
    # engines (and lets many accounts have none).
    async def unique_subject():
        await Account.raw("CREATE UNIQUE INDEX auth_account_directory_subject_key "
                          "ON auth_account (directory_subject)").run()

    manager.add_raw(unique_subject)
    return manager
