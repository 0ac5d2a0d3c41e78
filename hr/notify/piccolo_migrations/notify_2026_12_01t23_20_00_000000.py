from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T23:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Job runs record the items they could not handle"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notify", description=DESCRIPTION)
    for name, column_class, default in (("problem_count", Integer, 0), ("problems", Text, "[]")):
        manager.add_column(
            table_class_name="JobRun",
            tablename="notify_job_run",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params={"default": default, "null": False, "primary_key": False, "unique": False, "index": False,
                    "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
            schema=None,
        )
    return manager
