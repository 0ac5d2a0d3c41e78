from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T01:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "HR can make a kind of reminder at-most-once (no automatic resend of an uncertain mail)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notify", description=DESCRIPTION)
    manager.add_column(
        table_class_name="KindSwitch",
        tablename="notify_kind_switch",
        column_name="at_most_once",
        db_column_name="at_most_once",
        column_class_name="Boolean",
        column_class=Boolean,
        params={"default": False, "null": False, "primary_key": False, "unique": False,
                "index": False, "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
                "secret": False},
        schema=None,
    )
    return manager
