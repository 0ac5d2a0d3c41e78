"""The central access rules: which roles may use which permission.

Every route handler names exactly one permission in its opt (use `allow(...)`);
a handler without one is refused (fail closed) and fails the route-table test.
Object-level scope (which units, which institution) is applied in services via
`hr.auth.scope`.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from hr.auth.principal import Principal, Role
from hr.forms import MAX_ID

PUBLIC = "public"

PERMISSIONS: dict[str, frozenset[str]] = {
    # Any logged-in person: own dashboard, own profile, logout.
    "self": frozenset(Role.ALL),
    # Organisation lists (institutions, units, employees), scoped per role in services.
    "org.view": frozenset({Role.LEADER, Role.HR, Role.AMR}),
    # Employee records: leaders (their units) and HR (all). AMR see no personnel lists.
    "org.employees": frozenset({Role.LEADER, Role.HR}),
    # Maintaining organisation data, import, accounts, roles, tokens, audit log.
    "org.manage": frozenset({Role.HR}),
    "accounts.manage": frozenset({Role.HR}),
    "audit.view": frozenset({Role.HR}),
    # Work environment: everyone employed reports and sees their own reports; leaders their
    # units; AMR their institution, anonymised; HR all (narrowed in hr.workenv.services).
    "workenv.report": frozenset({Role.STAFF, Role.LEADER, Role.AMR, Role.HR}),
    "workenv.worklist": frozenset({Role.LEADER, Role.AMR, Role.HR}),
    "workenv.followup": frozenset({Role.LEADER, Role.HR}),
    # Orders, APVs and the yearly discussion: AMR read, leaders and HR also record.
    "workenv.amo": frozenset({Role.LEADER, Role.AMR, Role.HR}),
    "workenv.admin": frozenset({Role.HR}),
    # Supervision: HR keeps the supervisor registry and the requirements; leaders book.
    "supervision.manage": frozenset({Role.HR}),
    "supervision.book": frozenset({Role.LEADER, Role.HR}),
    # A session's page and its attendance: also the session's own supervisor (narrowed in
    # hr.supervision.booking), who is there and registers who came.
    "supervision.attendance": frozenset({Role.LEADER, Role.HR, Role.SUPERVISOR}),
    # Compliance with the requirements: leaders for their units, HR for all.
    "supervision.compliance": frozenset({Role.LEADER, Role.HR}),
    # Competence: leaders see and plan their units' staff and nominate (heads); HR everything,
    # including the catalogue and the cohort selection. Everyone sees their own profile ("self").
    "competence.view": frozenset({Role.LEADER, Role.HR}),
    "competence.manage": frozenset({Role.HR}),
    # Monthly management information across the three domains.
    "mi.view": frozenset({Role.LEADER, Role.HR}),
    "api.admin": frozenset({Role.HR}),
    # The outbox, the scheduled jobs and switching reminder kinds on and off.
    "notify.admin": frozenset({Role.HR}),
}


def allow(permission: str, scope: str | None = None) -> dict:
    """Route opt: `@get("/x", opt=allow("org.view", scope="org:read"))`."""
    if permission != PUBLIC and permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}")
    return {"permission": permission, "api_scope": scope}


def roles_for(permission: str) -> frozenset[str] | None:
    """None means public (no login)."""
    return None if permission == PUBLIC else PERMISSIONS[permission]


def is_allowed(principal: Principal | None, permission: str | None, api_scope: str | None) -> bool:
    if permission is None:
        return False
    if permission == PUBLIC:
        return True
    if principal is None:
        return False
    if not principal.roles & PERMISSIONS[permission]:
        return False
    if principal.token_id is not None and (api_scope is None or api_scope not in principal.scopes):
        return False
    return True


async def access_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    # async although it awaits nothing: Litestar runs a plain function guard in a worker thread, a
    # thread hop on every request for a check of a few dictionary lookups.
    permission = handler.opt.get("permission")
    principal: Principal | None = connection.scope.get("user")
    if permission is None:
        raise PermissionDeniedException("Ingen adgangsregel for denne side")
    if permission != PUBLIC and principal is None:
        raise NotAuthorizedException("Log ind for at fortsætte")
    if not is_allowed(principal, permission, handler.opt.get("api_scope")):
        raise PermissionDeniedException("Du har ikke adgang til denne side")
    for value in connection.path_params.values():
        # An id beyond the 32-bit range names no record: not found, not a driver error.
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            raise NotFoundException()
