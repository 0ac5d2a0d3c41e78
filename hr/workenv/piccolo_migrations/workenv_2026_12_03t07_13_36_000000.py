"""Seed data: adults' pre-approved measures (alarms, door openers, belts; serviceloven §§ 125,
128, 128 b-h) are registered as one combined registration with the estimated count when the
approval expires (BEK 1411/2024): a dated rule counted from the expiry. A migration of its own:
Piccolo runs a migration's raw steps before its columns are added."""

import datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Boolean, Date, Integer, Text, Varchar
from piccolo.table import Table

ID = "2026-12-03T07:13:36:000000"
VERSION = "1.38.0"
DESCRIPTION = "Seed the rule of pre-approved measures"


class ReportingRule(Table, tablename="workenv_reporting_rule"):
    kind = Varchar(length=40)
    valid_from = Date()
    threshold_days = Integer(default=0)
    deadline_days = Integer(default=0)
    deadline_hours = Integer(default=0)
    opens_after_hours = Integer(default=0)
    working_days = Boolean(default=False)
    from_month_end = Boolean(default=False)
    active = Boolean(default=True)
    source = Varchar(length=200, default="")
    note = Text(default="")


RULES = [
    dict(kind="force_adult_preapproved", valid_from=datetime.date(2000, 1, 1), deadline_days=0,
         source="Serviceloven kap. 24, BEK 1411/2024",
         note="Forhåndsgodkendte indgreb registreres samlet med det anslåede antal, når godkendelsen udløber."),
]


async def seed():
    await ReportingRule.insert(*[ReportingRule(**rule) for rule in RULES]).run()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workenv", description=DESCRIPTION)
    manager.add_raw(seed)
    return manager
