"""Seed data: debriefing after violence or threats has its own dated rule, a window from 24
hours to 3 days after the episode; offering it no longer counts as defusing. A migration of its
own: Piccolo runs a migration's raw steps before its columns are added."""

import datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Boolean, Date, Integer, Text, Varchar
from piccolo.table import Table

ID = "2026-12-02T18:30:54:000000"
VERSION = "1.38.0"
DESCRIPTION = "Seed the debriefing rule"


class ReportingRule(Table, tablename="workenv_reporting_rule"):
    kind = Varchar(length=40)
    valid_from = Date()
    threshold_days = Integer(default=0)
    deadline_days = Integer(default=0)
    deadline_hours = Integer(default=0)
    opens_after_hours = Integer(default=0)
    working_days = Boolean(default=False)
    active = Boolean(default=True)
    source = Varchar(length=200, default="")
    note = Text(default="")


RULES = [
    dict(kind="violence_debriefing", valid_from=datetime.date(2000, 1, 1), deadline_hours=72, opens_after_hours=24,
         source="Bekendtgørelse om psykisk arbejdsmiljø og god praksis",
         note="Debriefing tilbydes og holdes mellem 24 timer og 3 døgn efter vold eller trusler; den kan afslås."),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workenv", description=DESCRIPTION)

    async def seed():
        await ReportingRule.insert(*[ReportingRule(**rule) for rule in RULES]).run()

    manager.add_raw(seed)
    return manager
