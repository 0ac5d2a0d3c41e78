"""A short-lived cache, per process, for the dashboards: on a Monday morning leaders open their
monthly figures again and again, and each page costs tens of queries and chart rendering. A page may be
up to `HR_DASHBOARD_CACHE_SECONDS` old and says when it was computed; 0 turns the cache off.
One computation per key at a time: the others wait for it instead of computing the same again."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime
from time import monotonic
from typing import Any

from hr.auth.principal import Principal
from hr.db import now
from hr.settings import get_settings

MAX_ENTRIES = 512


def scope_key(principal: Principal) -> tuple:
    """What a dashboard's content depends on: roles, the units and institutions they cover, and
    the person's own employee record (some figures count the viewer in)."""
    return (principal.employee_id, principal.roles, principal.leader_unit_ids, principal.leader_institution_ids,
            principal.amr_institution_ids)


class TimedCache:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, datetime, Any]] = OrderedDict()
        self._locks: dict[Hashable, asyncio.Lock] = {}

    def clear(self) -> None:
        self._entries.clear()
        self._locks.clear()

    def _fresh(self, key: Hashable) -> tuple[Any, datetime] | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= monotonic():
            return None
        self._entries.move_to_end(key)
        return entry[2], entry[1]

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> tuple[Any, datetime]:
        """The value for `key` and when it was computed."""
        seconds = get_settings().dashboard_cache_seconds
        if seconds <= 0:
            return await compute(), now()
        hit = self._fresh(key)
        if hit is not None:
            return hit
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            hit = self._fresh(key)
            if hit is not None:
                return hit
            computed_at = now()
            value = await compute()
            self._entries[key] = (monotonic() + seconds, computed_at, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                old, _ = self._entries.popitem(last=False)
                self._locks.pop(old, None)
        return value, computed_at


DASHBOARDS = TimedCache()
