"""Seed data: region-wide default supervision requirements (HR changes them in the browser).

No law sets a frequency; these follow common practice: staff in group supervision every
6 weeks, leaders individually every quarter, with a grace period for new hires."""

import datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Date, Integer, Varchar
from piccolo.table import Table

ID = "2026-11-27T03:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Seed default supervision requirements"


class Requirement(Table, tablename="supervision_requirement"):
    audience = Varchar(length=20)
    session_type = Varchar(length=20)
    interval_days = Integer()
    grace_days = Integer(default=90)
    valid_from = Date()


DEFAULTS = [
    dict(audience="staff", session_type="group", interval_days=42, grace_days=90, valid_from=datetime.date(2026, 1, 1)),
    dict(audience="leader", session_type="individual", interval_days=91, grace_days=90,
         valid_from=datetime.date(2026, 1, 1)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="supervision", description=DESCRIPTION)

    async def seed():
        await Requirement.insert(*[Requirement(**row) for row in DEFAULTS]).run()

    manager.add_raw(seed)
    return manager
