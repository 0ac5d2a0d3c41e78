"""What a domain wants sent, as data: each domain's `reminders.due(now)` returns these, and the
reminder engine decides, deduplicates on `key` and sends."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Iterator

from hr.auth.tables import Account, RoleAssignment
from hr.db import is_connection_lost


@dataclass(frozen=True)
class Reminder:
    kind: str
    subject: str  # what it is about, e.g. "incident:17"
    period: str  # which deadline: the same reminder is never sent twice for one period
    account_id: int
    title: str
    link: str
    deadline: datetime | date | None
    mandatory: bool = True

    @property
    def key(self) -> str:
        return f"{self.kind}|{self.subject}|{self.period}|{self.account_id}"


log = logging.getLogger("hr.jobs")
MAX_LISTED = 200  # problems kept per run; the count holds them all


@dataclass(frozen=True)
class Problem:
    source: str  # e.g. "Supervision"
    item: str  # what could not be handled, by id: "employee:17", never a name
    error: str


@dataclass
class Problems:
    """What a job could not handle, item by item: a job runs each item inside `item()`, so one
    that raises is logged, counted and shown to HR, and every other item is still done.

    Some failures leave the run incomplete rather than one item undone: a whole part that could
    not be read (`whole()`, e.g. a domain's reminders), or any item the database failed under (its
    connection dropped, as opposed to a row it refused). An incomplete run is recorded as partly
    failed, warned about and done again at the next interval (hr.notify.engine.run_job)."""

    found: list[Problem] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)  # what was not done, in Danish, once each

    @contextmanager
    def item(self, source: str, item: str) -> Iterator[None]:
        try:
            yield
        except Exception as exc:  # one bad item must not stop the rest; it is reported instead
            self.report(source, item, exc)
            if is_connection_lost(exc):
                self._left_undone(f"{source} (forbindelsen til databasen blev afbrudt)")

    @contextmanager
    def whole(self, source: str, what: str) -> Iterator[None]:
        """A part the run cannot do without: its failure leaves the run incomplete."""
        try:
            yield
        except Exception as exc:  # the other parts still run; the run is recorded as partly failed
            self.report(source, what, exc)
            reason = "forbindelsen til databasen blev afbrudt" if is_connection_lost(exc) else "kunne ikke læses"
            self._left_undone(f"{source} ({reason})")

    def _left_undone(self, what: str) -> None:
        if what not in self.incomplete:
            self.incomplete.append(what)

    def report(self, source: str, item: str, exc: Exception) -> None:
        # The log names the item by id and the kind of error; the message (which may quote a
        # stored value) is kept for HR on the job run.
        log.error("%s: %s could not be handled (%s)", source, item, exc.__class__.__name__)
        self.found.append(Problem(source, item, f"{exc.__class__.__name__}: {exc}"[:500]))

    def refuse(self, source: str, item: str, reason: str) -> None:
        """An item the job declined on purpose, with the reason in Danish for HR."""
        log.warning("%s: %s refused", source, item)
        self.found.append(Problem(source, item, reason[:500]))

    def as_rows(self) -> list[dict]:
        return [asdict(p) for p in self.found[:MAX_LISTED]]

    def __len__(self) -> int:
        return len(self.found)


class Leaders:
    """The leader accounts per unit, falling back to the institution's head: one query."""

    def __init__(self, unit_leaders: dict[int, set[int]], heads: dict[int, set[int]]):
        self.unit_leaders, self.heads = unit_leaders, heads

    @classmethod
    async def load(cls) -> "Leaders":
        unit_leaders: dict[int, set[int]] = {}
        heads: dict[int, set[int]] = {}
        for row in await RoleAssignment.select().where(RoleAssignment.role == "leader").run():
            if row["unit"]:
                unit_leaders.setdefault(row["unit"], set()).add(row["account"])
            elif row["institution"]:
                heads.setdefault(row["institution"], set()).add(row["account"])
        return cls(unit_leaders, heads)

    def of(self, unit: int | None, institution: int | None) -> set[int]:
        return self.unit_leaders.get(unit, set()) or self.heads.get(institution, set())


async def employee_accounts() -> dict[int, int]:
    """The active account of each employee who has one (reminders go to accounts)."""
    return {r["employee"]: r["id"] for r in await Account.select(Account.id, Account.employee).where(
        Account.employee.is_not_null() & Account.active.eq(True)).run()}
