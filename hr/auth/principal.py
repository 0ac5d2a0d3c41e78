"""Who is asking: the logged-in person (or API token) with roles and scopes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


class Role:
    STAFF = "staff"
    LEADER = "leader"
    HR = "hr"
    AMR = "amr"
    SUPERVISOR = "supervisor"

    ALL = ("staff", "leader", "hr", "amr", "supervisor")
    LABELS = {
        "staff": "Medarbejder",
        "leader": "Leder",
        "hr": "HR-administrator",
        "amr": "Arbejdsmiljørepræsentant",
        "supervisor": "Supervisor",
    }


@dataclass(frozen=True)
class Principal:
    account_id: int
    email: str
    name: str
    employee_id: int | None = None
    roles: frozenset[str] = frozenset()
    # Units a leader leads directly, and institutions a head leads as a whole.
    leader_unit_ids: frozenset[int] = frozenset()
    leader_institution_ids: frozenset[int] = frozenset()
    leader_unit_institution_ids: frozenset[int] = frozenset()  # the institutions of leader_unit_ids
    amr_institution_ids: frozenset[int] = frozenset()
    staff_responsibility: bool = False
    session_id: int | None = None
    token_id: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    # What is derived from the roles and read once per request (a head's units): a principal is
    # loaded for each request, so this never outlives the organisation it was read from by more.
    derived: dict = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: str, read: Callable[[], Awaitable[Any]]) -> asyncio.Future:
        """What `read` gives, read once for this principal (one request) however many parts of the
        page ask, also when they ask at the same time: the first asker's read is awaited by all."""
        if key not in self.derived:
            self.derived[key] = asyncio.ensure_future(read())
        return self.derived[key]

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_hr(self) -> bool:
        return Role.HR in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [Role.LABELS[r] for r in Role.ALL if r in self.roles]


# The service itself, for scheduled jobs that read or act across the whole region (account 0:
# the audit log records it as the system, not as a person).
SYSTEM = Principal(account_id=0, email="system", name="Systemet", roles=frozenset({Role.HR}))
