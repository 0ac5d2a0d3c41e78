"""Seed data: the ESAW code lists (Eurostat, 2013 edition, in EASY's Danish wording) from the
file in the repository, hr/workenv/reference/esaw.json. A migration of its own: Piccolo runs a
migration's raw steps before its tables are added. A later edition gets a migration of its own
that closes these rows (valid_to) and loads the new file."""

import datetime
import json
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Date, Varchar
from piccolo.table import Table

ID = "2026-12-03T07:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Load the ESAW code lists"
FILE = Path(__file__).resolve().parent.parent / "reference" / "esaw.json"


class EsawCode(Table, tablename="workenv_esaw_code"):
    code_list = Varchar(length=20)
    code = Varchar(length=10)
    label = Varchar(length=200)
    valid_from = Date()
    valid_to = Date(null=True, default=None)
    source = Varchar(length=300, default="")


def rows() -> list[dict]:
    data = json.loads(FILE.read_text(encoding="utf-8"))
    valid_from = datetime.date.fromisoformat(data["valid_from"])
    return [dict(code_list=name, code=code, label=label, valid_from=valid_from, source=data["source"][:300])
            for name, entries in data["lists"].items() for code, label in entries]


async def seed():
    await EsawCode.insert(*[EsawCode(**row) for row in rows()]).run()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workenv", description=DESCRIPTION)
    manager.add_raw(seed)
    return manager
