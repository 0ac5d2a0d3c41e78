"""The fair baseline of the load benchmark: what each flow asks of PostgreSQL, without our code.

`record` runs a flow's requests once through the real application (in-process) and keeps every
SQL statement it sends, with its arguments, grouped the way they ran: alone (autocommit) or in a
transaction that committed. benchmarks/baseline_app.py replays a recording on a bare Litestar
route (`/replay/{name}`), so the ratio of a flow's rate to its replay's shows the cost of our
own code (routing, sessions, rules, templates), not the database work the flow must do anyway.

Rows a flow creates are created afresh by each replay: the ids an INSERT returned when recorded
are kept with it, and where a later statement of the flow names one of them (the draft a report
is then written into), the replay puts the id its own INSERT returned (ids here are far beyond
the small numbers of units and people, so a recorded id does not meet another value)."""

from __future__ import annotations

import pickle  # nosec B403 - the file is written by this benchmark run and read by its own baseline
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path

Statement = tuple[str, list, list[int]]  # SQL, its values, the ids it returned when it inserted
Group = tuple[bool, list[Statement]]  # (in a transaction, statements)


class StatementRecorder:
    """Keeps what the PostgreSQL engine runs while active (through hr.db.watching_queries, as
    hr.db.QueryCounter counts it)."""

    def __init__(self):
        self.groups: list[Group] = []
        self._last_transaction: object | None = None
        self._watching = ExitStack()

    def _saw(self, db, sql, values):
        transaction = db.current_transaction.get()
        if not self.groups or transaction is None or transaction is not self._last_transaction:
            self.groups.append((transaction is not None, []))
        self._last_transaction = transaction
        created: list[int] = []
        self.groups[-1][1].append((sql, values, created))
        if sql.lstrip().upper().startswith("INSERT"):
            return lambda rows: created.extend(row["id"] for row in rows or () if "id" in row)
        return None

    def __enter__(self) -> StatementRecorder:
        from hr.db import watching_queries

        self._watching.enter_context(watching_queries(self._saw))
        return self

    def __exit__(self, *exc) -> None:
        self._watching.close()

    @property
    def statements(self) -> int:
        return sum(len(statements) for _, statements in self.groups)

    @property
    def commits(self) -> int:
        return sum(1 for in_transaction, _ in self.groups if in_transaction)


async def record(steps: Callable[[], Awaitable[None]]) -> StatementRecorder:
    """What `steps` (one user's requests of a flow, through the application) sends to the database."""
    with StatementRecorder() as recorder:
        await steps()
    return recorder


def save(recordings: dict[str, StatementRecorder], path: Path) -> None:
    path.write_bytes(pickle.dumps({name: r.groups for name, r in recordings.items()}))


def load(path: str) -> dict[str, list[Group]]:
    return pickle.loads(Path(path).read_bytes())  # nosec B301 - see the import


async def replay(pool, groups: list[Group]) -> int:
    """Runs a recording's statements as they ran in the product, on rows of its own; returns how many."""
    fresh: dict[int, int] = {}

    async def run(connection, sql: str, values: list, created: list[int]) -> None:
        rows = await connection.fetch(sql, *(fresh.get(v, v) if type(v) is int else v for v in values))
        fresh.update(zip(created, (row["id"] for row in rows), strict=False))

    async with pool.acquire() as connection:
        for in_transaction, statements in groups:
            if in_transaction:
                async with connection.transaction():
                    for statement in statements:
                        await run(connection, *statement)
            else:
                for statement in statements:
                    await run(connection, *statement)
    return sum(len(statements) for _, statements in groups)
