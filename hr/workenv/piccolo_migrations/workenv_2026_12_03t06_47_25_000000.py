"""Seed data: children's use of force (voksenansvarsloven, BEK 980/2025) gets the leader's
registration within 24 hours and the parents told as dated rules, and the report to the
supervisory authority becomes monthly: counted from the end of the episode's month instead of
30 days per episode (that row is retired, not deleted, so the history of the rules stays). A
migration of its own: Piccolo runs a migration's raw steps before its columns are added."""

import datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Boolean, Date, Integer, Text, Varchar
from piccolo.table import Table

ID = "2026-12-03T06:47:25:000000"
VERSION = "1.38.0"
DESCRIPTION = "Seed the rules of use of force on children"


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


SINCE = datetime.date(2000, 1, 1)
RETIRED = [dict(kind="force_child_supervisory", valid_from=SINCE, deadline_days=30)]
RULES = [
    dict(kind="force_child_registration", valid_from=SINCE, deadline_hours=24,
         source="Voksenansvarsloven, BEK 980/2025",
         note="Lederen registrerer magtanvendelsen senest 24 timer efter episoden."),
    dict(kind="force_child_parents", valid_from=SINCE, deadline_hours=24,
         source="Voksenansvarsloven, BEK 980/2025",
         note="Forældremyndighedens indehaver orienteres om magtanvendelsen. Loven siger ikke hvornår: "
              "24 timer er regionens frist og kan ændres."),
    dict(kind="force_child_supervisory", valid_from=SINCE, deadline_days=10, from_month_end=True,
         source="Voksenansvarsloven, BEK 980/2025",
         note="Månedens magtanvendelser indberettes samlet til socialtilsynet. Fristen (den 10. i den følgende "
              "måned) er regionens og kan ændres."),
]


async def seed():
    for rule in RETIRED:
        await ReportingRule.update({ReportingRule.active: False}).where(
            (ReportingRule.kind == rule["kind"]) & (ReportingRule.valid_from == rule["valid_from"])
            & (ReportingRule.deadline_days == rule["deadline_days"])
            & ReportingRule.from_month_end.eq(False)).run()
    await ReportingRule.insert(*[ReportingRule(**rule) for rule in RULES]).run()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workenv", description=DESCRIPTION)
    manager.add_raw(seed)
    return manager
