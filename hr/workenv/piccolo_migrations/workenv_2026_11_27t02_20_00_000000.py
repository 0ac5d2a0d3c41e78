"""Seed data: the dated reporting rules and the starting list of contributing factors.

Rules from law are data, not constants: when a law changes, HR adds a row with its
valid-from date (the proposed 3-day threshold of L 31 is seeded inactive until enacted).
"""

import datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Boolean, Date, Integer, Text, Varchar
from piccolo.table import Table

ID = "2026-11-27T02:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Seed reporting rules and contributing factors"


class ReportingRule(Table, tablename="workenv_reporting_rule"):
    kind = Varchar(length=40)
    valid_from = Date()
    threshold_days = Integer(default=0)
    deadline_days = Integer(default=0)
    deadline_hours = Integer(default=0)
    working_days = Boolean(default=False)
    active = Boolean(default=True)
    source = Varchar(length=200, default="")
    note = Text(default="")


class ContributingFactor(Table, tablename="workenv_factor"):
    name = Varchar(length=120)
    active = Boolean(default=True)


SINCE = datetime.date(2000, 1, 1)
RULES = [
    dict(kind="accident_easy", valid_from=SINCE, threshold_days=1, deadline_days=14,
         source="Bekendtgørelse om anmeldelse af arbejdsulykker (BEK 799/2022)",
         note="Fravær ud over tilskadekomstdagen: anmeldes i EASY senest 14 dage efter første fraværsdag."),
    dict(kind="accident_easy", valid_from=datetime.date(2026, 7, 1), threshold_days=3, deadline_days=14,
         active=False, source="Lovforslag L 31 (2025-26)",
         note="Foreslået: anmeldelse først ved mindst 3 dages fravær. Aktivér rækken, hvis loven vedtages."),
    dict(kind="accident_insurer", valid_from=SINCE, threshold_days=35, deadline_days=0,
         source="Arbejdsskadesikringsloven",
         note="Fravær ud over 5 uger: anmeld altid til arbejdsskadeforsikringen (AES)."),
    dict(kind="force_child_municipality", valid_from=SINCE, deadline_hours=24,
         source="Voksenansvarsloven, BEK 980/2025",
         note="Lederen registrerer og sender kopi til den anbringende kommune inden for 24 timer."),
    dict(kind="force_child_supervisory", valid_from=SINCE, deadline_days=30,
         source="Voksenansvarsloven, BEK 980/2025",
         note="Månedlig indberetning til socialtilsynet."),
    dict(kind="force_adult_municipality", valid_from=SINCE, deadline_days=3, working_days=True,
         source="Serviceloven kap. 24, BEK 1411/2024",
         note="Lederen videresender til borgerens kommune. Fristen er ikke fastsat i den gældende bekendtgørelse: "
              "3 arbejdsdage efter tidligere regler, kan ændres."),
    dict(kind="force_adult_supervisory", valid_from=SINCE, deadline_days=3, working_days=True,
         source="Serviceloven kap. 24, BEK 1411/2024",
         note="Lederen videresender til socialtilsynet. Fristen kan ændres."),
    dict(kind="followup_review", valid_from=SINCE, deadline_days=7,
         source="Lokal retningslinje", note="Lederen gennemgår indberetningen inden for 7 dage."),
    dict(kind="violence_defusing", valid_from=SINCE, deadline_hours=24,
         source="Bekendtgørelse om psykisk arbejdsmiljø og god praksis",
         note="Defusing tilbydes straks og senest inden for 24 timer efter vold eller trusler."),
]
FACTORS = ["Alene på vagt", "Manglende bemanding eller vikarer", "Ny eller ukendt medarbejder",
           "Ændring i rutiner eller planer", "Støj og uro", "Krav eller afvisning",
           "Konflikt med medborger", "Borgerens helbred eller smerter", "Medicin",
           "Pårørende", "Overgang eller transport", "Fysiske omgivelser", "Manglende viden om borgeren",
           "Andet"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workenv", description=DESCRIPTION)

    async def seed():
        await ReportingRule.insert(*[ReportingRule(**rule) for rule in RULES]).run()
        await ContributingFactor.insert(*[ContributingFactor(name=name) for name in FACTORS]).run()

    manager.add_raw(seed)
    return manager
