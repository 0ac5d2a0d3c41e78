"""What the mailbox asks of HR: mail that could not be sent (the recipient never heard about a
booking, a deadline or an offer). One line with the count, to the outbox filtered to the failed
ones; one query, and only for those who may open the outbox."""

from __future__ import annotations

from datetime import datetime

from piccolo.query.functions.aggregate import Count, Min

from hr.auth.principal import Principal
from hr.auth.rules import roles_for
from hr.db import as_utc
from hr.duties import Duty
from hr.notify.tables import OutboxMessage

GROUP = "Mails, der ikke kunne sendes"


async def duties(principal: Principal, moment: datetime) -> list[Duty]:
    if not principal.roles & roles_for("notify.admin"):
        return []
    found = (await OutboxMessage.select(Count(OutboxMessage.id, alias="count"),
                                        Min(OutboxMessage.created_at, alias="oldest")).where(
        OutboxMessage.status == "failed").run())[0]
    count = found["count"]
    if not count:
        return []
    title = f"{count} mail kunne ikke sendes" if count == 1 else f"{count} mails kunne ikke sendes"
    return [Duty("notify.failed", GROUP, f"{title}: se fejlen, ret adressen, og send igen",
                 "/admin/post?status=failed", as_utc(found["oldest"]))]
