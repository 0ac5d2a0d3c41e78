from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T07:13:35:498202"
VERSION = "1.38.0"
DESCRIPTION = "Pre-approved measures: expiry and estimated count"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="workenv", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Incident",
        tablename="workenv_incident",
        column_name="approval_expires_on",
        db_column_name="approval_expires_on",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Incident",
        tablename="workenv_incident",
        column_name="estimated_count",
        db_column_name="estimated_count",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
