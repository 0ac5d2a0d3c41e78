from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Login attempts know the browser that had signed in before"


class LoginAttempt(Table, tablename="auth_login_attempt", schema=None):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hr", description=DESCRIPTION)

    async def device():
        await LoginAttempt.raw("ALTER TABLE auth_login_attempt ADD COLUMN device VARCHAR(64) NOT NULL DEFAULT ''").run()
        await LoginAttempt.raw("CREATE INDEX auth_login_attempt_device ON auth_login_attempt (device)").run()

    manager.add_raw(device)
    return manager
