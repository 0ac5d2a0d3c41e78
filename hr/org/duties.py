"""What the organisation asks of HR: payroll files the folder refused, until HR has seen them
(hr/org/payroll_drop.py). Nobody else has duties here; HR's costs one query."""

from __future__ import annotations

from datetime import datetime

from hr.auth.principal import Principal
from hr.duties import Duty
from hr.org.tables import PayrollFile

GROUP = "Lønfiler, der ikke blev indlæst"


async def duties(principal: Principal, moment: datetime) -> list[Duty]:
    if not principal.is_hr:
        return []
    rows = await PayrollFile.select(PayrollFile.id, PayrollFile.name, PayrollFile.received_at).where(
        PayrollFile.imported.eq(False) & PayrollFile.seen_at.is_null()).order_by(
        PayrollFile.received_at).limit(100).run()
    return [Duty(kind="org.payroll_refused", group=GROUP, title=f"Lønfilen {row['name']} blev afvist: se hvorfor",
                 link=f"/admin/import#loenfil-{row['id']}", deadline=row["received_at"]) for row in rows]
