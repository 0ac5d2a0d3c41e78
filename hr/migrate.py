"""Apply the committed Piccolo migrations of every app, in registry order."""

from __future__ import annotations

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.conf.apps import Finder


async def migrate() -> list[str]:
    """Returns the names of the apps migrated; raises if any migration fails."""
    apps = Finder().get_sorted_app_names()
    for app_name in apps:
        result = await run_forwards(app_name=app_name, migration_id="all")
        if not result.success:
            raise RuntimeError(f"Migrering af {app_name} mislykkedes: {result.message}")
    return apps
