"""What the organisation asks of HR: payroll files the folder refused, until HR has seen them
(hr/org/payroll_drop.py). Nobody else has duties here; HR's costs one query."""

from __future__ import annotations

from datetime import datetime

from hr.auth.principal import Principal
from hr.duties import Duty

GROUP = "Lønfiler, der ikke blev indlæst"


async def duties(principal: Principal, moment: datetime) -> list[Duty]:
    if not principal.is_hr:
        return []
    from hr.org.payroll_drop import refused_unseen

    return [Duty(kind="org.payroll_refused", group=GROUP, title=f"Lønfilen {row['name']} blev afvist: se hvorfor",
                 link=f"/admin/import#loenfil-{row['id']}", deadline=row["received_at"])
            for row in await refused_unseen()]
