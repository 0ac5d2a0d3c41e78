"""An index on (status, starts_at): the booking form's free-time search reads the booked sessions
of the coming weeks only. Without it SQLite's planner took the index on status alone and read
every session of ten years (benchmarks/free_slots.py: 53 ms for that statement). Piccolo
declares single-column indexes only, hence raw DDL, which both engines accept."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-07T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite index for the free-time search"

INDEXES = {"supervision_booking_status_starts_at": "status, starts_at"}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="supervision", description=DESCRIPTION)

    async def create():
        from hr.supervision.tables import Booking

        for name, columns in INDEXES.items():
            await Booking.raw(f"CREATE INDEX IF NOT EXISTS {name} ON supervision_booking ({columns})").run()

    async def drop():
        from hr.supervision.tables import Booking

        for name in INDEXES:
            await Booking.raw(f"DROP INDEX IF EXISTS {name}").run()

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
