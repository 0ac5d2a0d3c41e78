"""The fast bulk insert used by demo data and benchmarks, on the engine under test."""

from datetime import datetime, timezone

from hr.db import bulk_insert, transaction
from hr.org.tables import Institution, Method


async def test_bulk_insert_fills_defaults_and_keeps_types():
    count = await bulk_insert(Method, [{"name": "KRAP"}, {"name": "TEACCH", "active": False}])
    assert count == 2
    rows = {r["name"]: r for r in await Method.select().run()}
    assert rows["KRAP"]["active"] is True and rows["KRAP"]["description"] == ""
    assert rows["TEACCH"]["active"] is False


async def test_bulk_insert_joins_the_current_transaction_and_rolls_back_with_it():
    try:
        async with transaction():
            await bulk_insert(Institution, [{"code": "X", "name": "X"}])
            assert await Institution.count().run() == 1
            raise RuntimeError("rollback")
    except RuntimeError:
        pass
    assert await Institution.count().run() == 0


async def test_bulk_insert_stores_aware_timestamps():
    from hr.audit import AuditEvent

    moment = datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)
    await bulk_insert(AuditEvent, [{"at": moment, "action": "read", "entity": "x"}])
    row = await AuditEvent.select().first().run()
    assert row["at"] == moment and row["at"].tzinfo is not None
