from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ID = "2026-12-07T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Sign-in conflicts for HR to decide; where a pending sign-in was started"


class Employee(Table, tablename="org_employee", schema=None):
    pass


class Account(Table, tablename="auth_account", schema=None):
    pass


class PendingSignIn(Table, tablename="auth_pending_sign_in", schema=None):
    pass


# The table as this migration makes it (frozen here: later changes get their own migration).
class SignInConflict(Table, tablename="auth_sign_in_conflict", schema=None):
    subject = Varchar(length=400, index=True)
    kind = Varchar(length=30)
    identity_name = Varchar(length=200, default="")
    identity_email = Varchar(length=254, default="")
    employee_number = Varchar(length=50, default="")
    employee = ForeignKey(Employee, null=True, on_delete=OnDelete.cascade)
    account = ForeignKey(Account, null=True, on_delete=OnDelete.cascade)
    attempts = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    last_attempt_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None, index=True)
    resolved_by = Varchar(length=254, default="")
    decision = Varchar(length=20, default="")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hr", description=DESCRIPTION)

    async def change():
        await SignInConflict.create_table(if_not_exists=True).run()
        await PendingSignIn.raw("ALTER TABLE auth_pending_sign_in ADD COLUMN ip VARCHAR(64) NOT NULL DEFAULT ''").run()
        await PendingSignIn.raw("CREATE INDEX auth_pending_sign_in_ip ON auth_pending_sign_in (ip)").run()

    manager.add_raw(change)
    return manager
