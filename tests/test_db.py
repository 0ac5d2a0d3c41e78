"""The fast bulk insert used by demo data and benchmarks, and the prepared selects of the hot
pages, on the engine under test."""

import asyncio
from datetime import date, datetime, timezone

import asyncpg
import pytest

from hr.db import QueryCounter, bulk_insert, engine, prepared, transaction
from hr.org.tables import Employee, Institution, Method, Unit
from tests.conftest import ENGINE


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


def _people(units, started_after):
    """The selected columns with joins two deep, an IN list and a condition that may be left out."""
    where = Employee.unit.is_in(units) & Employee.active.eq(True)
    if started_after is not None:
        where &= Employee.start_date > started_after
    return Employee.select(Employee.id, Employee.name, Employee.start_date, Employee.unit.name.as_alias("unit_name"),
                           Employee.unit.institution.name.as_alias("institution_name")).where(where).order_by(
        Employee.name)


prepared_people = prepared(_people)


async def test_a_prepared_select_answers_as_the_query_it_was_built_from_for_every_shape_of_its_values():
    institution = (await Institution.insert(Institution(code="A", name="Alfa {1}")).run())[0]["id"]
    units = [(await Unit.insert(Unit(code=f"U{n}", name=f"Afdeling {n}", institution=institution)).run())[0]["id"]
             for n in range(3)]
    for n, (unit, started) in enumerate([(units[0], date(2020, 1, 1)), (units[1], date(2024, 5, 1)),
                                         (units[2], date(2025, 9, 1)), (units[2], date(2019, 1, 1))]):
        await Employee.insert(Employee(employee_number=str(n), name=f"Person {n}", unit=unit, start_date=started,
                                       active=n != 3)).run()
    cases = [([units[0]], None), ([units[1]], None), (units, None), (units, date(2021, 1, 1)),
             (units[:2], date(2021, 1, 1)), ([-1], None)]
    for values in cases:
        with QueryCounter() as counter:
            got = await prepared_people(*values)
        assert counter.count == 1
        assert got == await _people(*values).run(), values
    assert [r["name"] for r in await prepared_people(units, date(2021, 1, 1))] == ["Person 1", "Person 2"]
    assert (await prepared_people([units[0]], None))[0]["institution_name"] == "Alfa {1}"


async def test_a_prepared_select_reads_inside_the_current_transaction():
    institution = (await Institution.insert(Institution(code="B", name="Beta")).run())[0]["id"]
    unit = (await Unit.insert(Unit(code="B1", name="B1", institution=institution)).run())[0]["id"]
    try:
        async with transaction():
            await Employee.insert(Employee(employee_number="9", name="Ny", unit=unit)).run()
            assert [r["name"] for r in await prepared_people([unit], None)] == ["Ny"]
            raise RuntimeError("rollback")
    except RuntimeError:
        pass
    assert await prepared_people([unit], None) == []


@pytest.mark.skipif(ENGINE != "postgres", reason="the pool is PostgreSQL's")
async def test_a_transaction_whose_connection_dies_gives_the_connection_back_to_the_pool():
    """As when PostgreSQL restarts under load: every running transaction loses its connection, and
    one more than the pool holds must not leave the service without connections."""
    pool = engine().pool
    for _ in range(pool.get_max_size() + 1):
        with pytest.raises(asyncpg.PostgresError):
            async with transaction():
                await Method.raw("SELECT pg_terminate_backend(pg_backend_pid())").run()
    assert await asyncio.wait_for(Method.count().run(), timeout=10) == 0


@pytest.mark.skipif(ENGINE != "postgres", reason="the pool is PostgreSQL's")
async def test_a_stop_ends_even_when_a_connection_is_never_given_back(monkeypatch):
    from hr import db
    from hr.settings import get_settings

    own = db.make_engine(get_settings())
    await db.start(own)
    held = await own.pool.acquire()  # a request that never finishes
    monkeypatch.setattr(db, "POOL_CLOSE_SECONDS", 0.2)
    await asyncio.wait_for(db.stop(own), timeout=5)
    assert own.pool is None
    with pytest.raises(asyncpg.InterfaceError):  # cut, not left open beside a closed pool
        await held.fetchval("SELECT 1")


def _drop_the_services_connections() -> None:
    """PostgreSQL ends every connection of the service (as a restart does), while this process's
    event loop is held: the pool does not learn of it before the next statement is sent, as with
    a request that lands on a connection the server has just dropped."""
    import threading
    import time

    from hr.settings import get_settings

    async def terminate() -> int:
        admin = await asyncpg.connect(get_settings().database_url, server_settings={"application_name": "admin"})
        try:
            return await admin.fetchval(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'hr' AND datname = current_database()) t")
        finally:
            await admin.close()

    dropped = []
    worker = threading.Thread(target=lambda: dropped.append(asyncio.run(terminate())))
    worker.start()
    worker.join()
    time.sleep(0.3)  # the backends are gone
    assert dropped[0] >= 1


async def _pool_in_use() -> None:
    await asyncio.gather(*[Method.raw("SELECT pg_sleep(0.05)").run() for _ in range(4)])


@pytest.mark.skipif(ENGINE != "postgres", reason="the pool is PostgreSQL's")
async def test_a_read_on_a_connection_postgres_just_dropped_is_tried_again_on_a_fresh_one():
    await Method.insert(Method(name="KRAP")).run()
    await _pool_in_use()
    _drop_the_services_connections()
    assert [r["name"] for r in await Method.select(Method.name).run()] == ["KRAP"]
    _drop_the_services_connections()
    assert [r["name"] for r in await prepared_people([1], None)] == []


@pytest.mark.skipif(ENGINE != "postgres", reason="the pool is PostgreSQL's")
async def test_a_transaction_whose_first_statement_meets_a_dropped_connection_begins_on_a_fresh_one():
    await _pool_in_use()
    _drop_the_services_connections()
    async with transaction():
        await Method.insert(Method(name="KRAP")).run()
    assert await Method.count().run() == 1


@pytest.mark.skipif(ENGINE != "postgres", reason="the pool is PostgreSQL's")
async def test_a_write_alone_on_a_dropped_connection_is_not_sent_twice():
    """It may have been done before the connection went: the caller hears of it instead."""
    await Method.insert(Method(name="KRAP")).run()
    await _pool_in_use()
    _drop_the_services_connections()
    with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError)):
        await Method.update({Method.name: "TEACCH"}, force=True).run()
    assert [r["name"] for r in await Method.select(Method.name).run()] == ["KRAP"]
