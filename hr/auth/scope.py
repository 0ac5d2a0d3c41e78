"""Object-level scope: which units and institutions a person may see.

`None` means "everything" (HR); an empty set means nothing.
"""

from __future__ import annotations

from hr.auth.principal import Principal, Role
from hr.org.tables import Unit


async def leader_unit_ids(principal: Principal) -> set[int]:
    """The units a leader leads: directly, or as head of their institution (read once per request:
    a front page asks in several places)."""
    if not principal.leader_institution_ids:
        return set(principal.leader_unit_ids)

    async def read() -> frozenset[int]:
        rows = await Unit.select(Unit.id).where(Unit.institution.is_in(list(principal.leader_institution_ids))).run()
        return frozenset(principal.leader_unit_ids | {r["id"] for r in rows})

    return set(await principal.once("leader_units", read))


async def led_unit_list(principal: Principal) -> list[int] | None:
    """The units a leader leads, as a list for a query's IN; None when the person leads none."""
    if Role.LEADER not in principal.roles:
        return None
    return list(await leader_unit_ids(principal)) or None


async def visible_unit_ids(principal: Principal) -> set[int] | None:
    """Units whose employees the person may see."""
    if principal.is_hr:
        return None
    if Role.LEADER in principal.roles:
        return await leader_unit_ids(principal)
    return set()


async def visible_institution_ids(principal: Principal) -> set[int] | None:
    """Institutions whose organisation (and work-environment data, for AMR) the person may see."""
    if principal.is_hr:
        return None
    return set(principal.amr_institution_ids) | set(principal.leader_institution_ids) \
        | set(principal.leader_unit_institution_ids)
