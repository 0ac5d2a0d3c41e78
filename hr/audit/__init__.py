"""Audit trail: who read or changed which sensitive record, when."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from piccolo.columns import ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from hr.auth.tables import Account
from hr.db import now, prepared

if TYPE_CHECKING:
    from hr.auth.principal import Principal


class AuditEvent(Table, tablename="audit_event"):
    at = Timestamptz(default=TimestamptzNow(), index=True)
    account = ForeignKey(Account, null=True, on_delete=OnDelete.set_null, index=True)
    actor = Varchar(length=254, default="")
    action = Varchar(length=30, index=True)
    entity = Varchar(length=60, index=True)
    entity_id = Varchar(length=60, default="")
    detail = Text(default="")
    ip = Varchar(length=64, default="")


# Every write of the service records an event: the statement is kept rather than built by Piccolo each time.
_insert_event = prepared(lambda at, account, actor, action, entity, entity_id, detail, ip: AuditEvent.raw(
    "INSERT INTO audit_event (at, account, actor, action, entity, entity_id, detail, ip) "
    "VALUES ({}, {}, {}, {}, {}, {}, {}, {})", at, account, actor, action, entity, entity_id, detail, ip))


async def record(
    principal: "Principal | None",
    action: str,
    entity: str,
    entity_id: Any = "",
    detail: dict | list | str | None = None,
    ip: str = "",
) -> None:
    if detail is not None and not isinstance(detail, str):
        detail = json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True)
    await _insert_event(now(), (principal.account_id or None) if principal else None,  # 0: the system itself
                        principal.email if principal else "system", action, entity, str(entity_id), detail or "", ip)
