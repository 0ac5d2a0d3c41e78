"""Database engine selection and the few helpers every service needs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from datetime import datetime, timezone
from typing import Any, AsyncIterator

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from hr.settings import Settings

log = logging.getLogger("hr.db")


# Nothing waits for ever: a statement waits for a lock as long as SQLite's busy timeout below,
# and a transaction left open by a request that died is ended by the server instead of holding
# its locks until the process restarts (it would stop every writer behind it, and a restore).
# The name shows in pg_stat_activity, and a refused restore names it among what is connected.
POOL_CLOSE_SECONDS = 10
POSTGRES_SESSION = {"lock_timeout": "30s", "idle_in_transaction_session_timeout": "5min", "application_name": "hr"}


def make_engine(settings: Settings) -> Engine:
    if settings.is_postgres:
        return RetryingPostgresEngine(config={"dsn": settings.database_url, "server_settings": POSTGRES_SESSION})
    # A generous busy timeout: concurrent writers wait for the lock instead of
    # failing with "database is locked".
    return SQLiteEngine(path=settings.sqlite_path, timeout=30)


# How long a statement retried after a dropped connection waits for PostgreSQL to accept
# connections again (a restart takes a second or two).
RECONNECT_WITHIN = 5.0
RECONNECT_PAUSE = 0.25


def _is_read(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


async def _retried(db: PostgresEngine, attempt: Callable[[], Any]) -> Any:
    """`attempt()` once; if PostgreSQL dropped its connection (restarted, or ended idle ones), once
    more on a fresh one, waiting up to RECONNECT_WITHIN for the server to take connections again.
    Only for what is safe to do twice: a read, or a transaction's BEGIN."""
    try:
        return await attempt()
    except Exception as exc:
        if not is_connection_lost(exc) or db.pool is None:
            raise
        log.warning("PostgreSQL-forbindelsen var afbrudt (%s); forsøger igen på en ny", type(exc).__name__)
    # The pool's other connections went with it: all are replaced as they are next used.
    await db.pool.expire_connections()
    deadline = asyncio.get_running_loop().time() + RECONNECT_WITHIN
    while True:
        try:
            return await attempt()
        except Exception as exc:
            if not is_connection_lost(exc) or asyncio.get_running_loop().time() >= deadline:
                raise
        await asyncio.sleep(RECONNECT_PAUSE)


class RetryingPostgresEngine(PostgresEngine):
    """Piccolo's engine, except that a read sent alone on a pooled connection PostgreSQL has just
    dropped is tried again on a fresh one instead of failing the request (a restart otherwise
    gives an error page to every request that meets one of the pool's dead connections). A write
    sent alone is not: it may have been done before the connection went."""

    async def _run_in_pool(self, query: str, args=None):
        if not _is_read(query):
            return await super()._run_in_pool(query, args)
        return await _retried(self, lambda: super(RetryingPostgresEngine, self)._run_in_pool(query, args))


_engine: Engine | None = None


def engine() -> Engine:
    """The engine of hr.piccolo_conf (chosen at its import), kept here after the first call: a
    page asks for it dozens of times."""
    global _engine
    if _engine is None:
        from hr.piccolo_conf import DB

        _engine = DB
    return _engine


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """One atomic write. On SQLite the write lock is taken at BEGIN (IMMEDIATE),
    so two writers queue up instead of deadlocking on lock promotion."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with _PooledTransaction(db):
            yield


class _PooledTransaction(PostgresTransaction):
    """Piccolo's PostgreSQL transaction, except that its connection goes back to the pool whatever
    happens. Piccolo's gives it back only after a BEGIN, COMMIT or ROLLBACK that succeeded; when the
    database restarts under load (or drops a connection), the transactions then running each kept
    a slot of the pool for ever: a pool of ten stops the service after ten, and closing the pool
    at shutdown waits for them without end."""

    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        await _retried(self.engine, self._begin)  # nothing has been done yet: safe to try again
        self.context = self.engine.current_transaction.set(self)
        return self

    async def _begin(self) -> None:
        self.connection = await self.get_connection()
        try:
            self.transaction = self.connection.transaction()
            await self.begin()
        except BaseException:
            await self._give_back()
            raise

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception is None:
                if not self._committed and not self._rolled_back:
                    await self.commit()
            elif not self._rolled_back:
                try:
                    await self.rollback()
                except (OSError, asyncpg.InterfaceError, asyncpg.PostgresError):
                    # The connection is gone, and its transaction with it; the error that ended
                    # the block says more than this one.
                    pass
        finally:
            self.engine.current_transaction.reset(self.context)
            await self._give_back()
        return exception is None

    async def _give_back(self) -> None:
        if self.engine.pool:
            await self.engine.pool.release(self.connection)
        else:
            await self.connection.close()


def now() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime | str) -> datetime:
    """A stored moment as an aware UTC datetime: SQLite returns an aggregate (MAX) of a
    timestamp column as text, PostgreSQL as a datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


async def start(db: Engine | None = None) -> None:
    db = db or engine()
    if isinstance(db, PostgresEngine):
        await ensure_pool(db)
    elif isinstance(db, SQLiteEngine):
        # WAL lets readers work while one writer holds the lock; the setting
        # is stored in the file, so doing it at start-up is enough.
        await db._run_in_new_connection("PRAGMA journal_mode=WAL")


async def _keep_session(connection) -> None:
    """What asyncpg's pool does to a connection given back, beyond rolling back a transaction left
    open (which it always does): nothing. Its default sends "SELECT pg_advisory_unlock_all(); CLOSE
    ALL; UNLISTEN *; RESET ALL" after every statement Piccolo runs outside a transaction, a second
    round trip per statement (21 on a leader's front page), to undo session state this service never
    makes: no session-level SET (the settings are the connection's own, POSTGRES_SESSION), no
    advisory locks, no LISTEN, no cursors outside a transaction."""


async def ensure_pool(db: Engine | None = None) -> bool:
    """PostgreSQL's connection pool, started if it is not: a service that starts before its
    database (a container host rebooting) logs it, answers "not ready", and gets its pool at
    the next readiness check once the database answers. False while the database is away."""
    db = db or engine()
    if not isinstance(db, PostgresEngine) or db.pool is not None:
        return True
    try:
        await db.start_connection_pool(min_size=1, max_size=10, reset=_keep_session)
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError) as exc:
        log.error("PostgreSQL svarer ikke (%s); tjenesten er ikke klar, før den gør", type(exc).__name__)
        return False
    return True


async def stop(db: Engine | None = None) -> None:
    db = db or engine()
    if isinstance(db, PostgresEngine) and db.pool is not None:
        try:
            # A stop must end: a connection still out (a request that did not finish) is cut
            # after the wait rather than holding the process open.
            await asyncio.wait_for(db.pool.close(), POOL_CLOSE_SECONDS)
        except asyncio.TimeoutError:
            log.warning("PostgreSQL-forbindelser blev ikke givet tilbage inden for %d s; de afbrydes",
                        POOL_CLOSE_SECONDS)
            db.pool.terminate()
        db.pool = None


def _column_default(column):
    from piccolo.columns.defaults.base import Default

    default = getattr(column, "default", None)
    if isinstance(default, Default):
        return default.python()
    return column.get_default_value()


async def bulk_insert(table, rows: list[dict], chunk: int = 5000) -> int:
    """Inserts many rows fast, inside the current transaction if there is one.

    Piccolo builds a Table object per row, which costs about a millisecond each; demo data
    and benchmarks insert hundreds of thousands of rows, so they use COPY (PostgreSQL) or
    executemany (SQLite) instead. Missing columns get the table's Python defaults."""
    if not rows:
        return 0
    columns = [c for c in table._meta.columns if not c._meta.primary_key]
    names = [c._meta.db_column_name for c in columns]
    defaults = [(c._meta.name, _column_default(c)) for c in columns]
    records = [tuple(row.get(name, default) for name, default in defaults) for row in rows]
    db = engine()
    current = db.current_transaction.get()
    tablename = table._meta.tablename
    if isinstance(db, PostgresEngine):
        async def copy(conn):
            for start in range(0, len(records), chunk):
                await conn.copy_records_to_table(tablename, records=records[start:start + chunk], columns=names)

        if current is not None:
            await copy(current.connection)
        else:
            async with db.pool.acquire() as conn:
                await copy(conn)
    else:
        sql = (f'INSERT INTO "{tablename}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
               f'VALUES ({", ".join("?" for _ in names)})')
        if current is not None:
            await current.connection.executemany(sql, records)
        else:
            async with db.transaction(transaction_type=TransactionType.immediate):
                await db.current_transaction.get().connection.executemany(sql, records)
    return len(records)


_watchers: list[Callable[[Engine, str, list], Callable[[Any], None] | None]] = []


@contextmanager
def watching_queries(watch: Callable[[Engine, str, list], Callable[[Any], None] | None]) -> Iterator[None]:
    """Calls `watch(engine, sql, values)` before each SQL statement sent, for the duration, and
    the function it returns, if any, with the statement's result (benchmarks and query-count
    tests: a page or a sweep must issue a fixed number of queries, whatever the size of the
    data). Piccolo's queries are seen where the engine runs them (engines use __slots__, so the
    method is wrapped on the class); `prepared` selects, which may go to asyncpg directly, tell
    the watchers themselves."""
    cls = type(engine())
    original = cls.run_querystring

    async def watched(db, querystring, *args, **kwargs):
        sql, values = querystring.compile_string(engine_type=db.engine_type)
        after = watch(db, sql, list(values))
        result = await original(db, querystring, *args, **kwargs)
        if after is not None:
            after(result)
        return result

    cls.run_querystring = watched
    _watchers.append(watch)
    try:
        yield
    finally:
        cls.run_querystring = original
        _watchers.remove(watch)


class QueryCounter:
    """How many SQL statements the engine runs while active."""

    def __init__(self):
        self.count = 0
        self._watching = ExitStack()

    def _saw(self, db, sql, values) -> None:
        self.count += 1

    def __enter__(self) -> "QueryCounter":
        self._watching.enter_context(watching_queries(self._saw))
        return self

    def __exit__(self, *exc) -> None:
        self._watching.close()


async def best_effort(statement, what: str, logger: logging.Logger = log) -> None:
    """A write after the database may have failed (recording the failure, handing work back): if
    it fails too, `what` is logged and whoever comes next finds the work as it was left."""
    try:
        await statement
    except Exception:  # the database is still away; the caller's own error says more
        logger.warning("%s", what)


_SQLITE_UNAVAILABLE = ("database is locked", "disk i/o error", "unable to open", "readonly database")


def is_connection_lost(exc: BaseException) -> bool:
    """The database went away under a statement (a dropped or refused connection, a server
    restarting or shutting down, a file that cannot be written), as opposed to a statement it
    refused: what a job counts against the database, not against the item it was handling."""
    import sqlite3

    if isinstance(exc, asyncpg.exceptions.QueryCanceledError):
        return False  # a statement that ran too long: the statement's own doing
    # InternalClientError: a pooled connection the server dropped while it lay idle, its protocol
    # left mid-state ("another operation is in progress"), refuses the statement before sending it.
    if isinstance(exc, (ConnectionError, asyncio.TimeoutError, asyncpg.PostgresConnectionError,
                        asyncpg.InterfaceError, asyncpg.InternalClientError,
                        asyncpg.exceptions.OperatorInterventionError)):
        return True
    if type(exc) is OSError and str(exc).startswith("Multiple exceptions"):
        return True  # asyncpg could connect to none of a host name's addresses (localhost: ::1 and 127.0.0.1)
    return isinstance(exc, sqlite3.OperationalError) and str(exc).lower().startswith(_SQLITE_UNAVAILABLE)


def is_unique_violation(exc: BaseException) -> bool:
    """A write refused by a unique constraint, on either engine (two requests doing the same first
    thing at the same instant: the second finds what the first made)."""
    import sqlite3

    if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc):
        return True
    try:
        from asyncpg.exceptions import UniqueViolationError
    except ImportError:  # pragma: no cover - asyncpg is installed with the PostgreSQL extra
        return False
    return isinstance(exc, UniqueViolationError)


class _Value:
    """Stands for the `index`th value of a prepared select (`item`: its place in a list value)."""

    __slots__ = ("index", "item")

    def __init__(self, index: int, item: int | None = None):
        self.index, self.item = index, item


def _shape(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple)):
        return len(value)
    return ...


class prepared:  # noqa: N801 - used as a decorator, like functools.cache
    """A statement (mostly a select) that Piccolo builds once per shape and that is then sent again
    with new values.

    Piccolo builds a query's SQL afresh every time it runs (joins, aliases, conditions): about
    half a millisecond for a select with joins, so a front page's twenty selects cost more Python
    than PostgreSQL takes to answer them. The decorated function builds the query from stand-ins
    for its arguments and may test them only for None; the SQL is kept per engine and per shape
    of the arguments (which are None, True or False, and each list's length). On PostgreSQL each
    call sends the kept SQL with its values on the current transaction's connection or a pooled
    one, as Piccolo would, but without Piccolo's per-query work (parsing the SQL template again,
    numbering its values, post-processing rows it does not change); on SQLite it runs as
    Piccolo's raw query. Rows come as dicts, and a query counter sees one statement."""

    def __init__(self, build: Callable[..., Any]):
        self._build = build
        self._compiled: dict[tuple, tuple[Any, str, list, str]] = {}
        self.__doc__ = build.__doc__

    def _compile(self, db: Engine, values: tuple) -> tuple[Any, str, list, str]:
        stand_ins = [[_Value(i, j) for j in range(len(v))] if isinstance(v, (list, tuple))
                     else v if v is None or isinstance(v, bool) else _Value(i) for i, v in enumerate(values)]
        query = self._build(*stand_ins)
        (querystring,) = query.querystrings
        _, fragments, args = querystring.bundle(start_index=1, bundled=[], combined_args=[])
        template = "".join(f.prefix.replace("{", "{{").replace("}", "}}") + ("" if f.no_arg else "{}")
                           for f in fragments)
        sql, _ = QueryString(template, *args).compile_string(engine_type=db.engine_type)
        return query.table, template, args, sql

    async def __call__(self, *values: Any) -> list[dict]:
        db = engine()
        key = (db.engine_type, *(_shape(v) for v in values))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(db, values)
        table, template, args, sql = compiled
        bound = [a if not isinstance(a, _Value) else values[a.index] if a.item is None else values[a.index][a.item]
                 for a in args]
        transaction = db.current_transaction.get()
        if not isinstance(db, PostgresEngine) or (transaction is None and db.pool is None):
            return await table.raw(template, *bound).run()
        afters = [after for watch in _watchers if (after := watch(db, sql, bound)) is not None]
        if transaction is not None:
            rows = await transaction.connection.fetch(sql, *bound)
        else:
            async def fetch() -> list:
                async with db.pool.acquire() as connection:
                    return await connection.fetch(sql, *bound)

            rows = await (_retried(db, fetch) if _is_read(sql) else fetch())
        for after in afters:
            after(rows)
        return [dict(row) for row in rows]
