"""What sign-in asks of HR: first work-account sign-ins waiting for HR's decision
(hr/auth/conflicts.py). Nobody else has duties here; HR's costs one query."""

from __future__ import annotations

from datetime import datetime

from hr.auth.principal import Principal
from hr.auth.tables import SignInConflict
from hr.duties import Duty

GROUP = "Arbejdskonti, der venter på HR"


async def duties(principal: Principal, moment: datetime) -> list[Duty]:
    if not principal.is_hr:
        return []
    from hr.auth.conflicts import PAGE, kind_of

    rows = await SignInConflict.select(
        SignInConflict.id, SignInConflict.kind, SignInConflict.identity_name, SignInConflict.created_at).where(
        SignInConflict.resolved_at.is_null()).order_by(SignInConflict.created_at).limit(200).run()
    out = []
    for row in rows:
        label = kind_of(row["kind"]).label
        what = label[:1].lower() + label[1:]  # "HR" further on keeps its capitals
        out.append(Duty(kind="auth.sign_in_conflict", group=GROUP,
                        title=f"{row['identity_name'] or 'En medarbejder'}: {what}",
                        link=f"{PAGE}#sag-{row['id']}", deadline=row["created_at"]))
    return out
