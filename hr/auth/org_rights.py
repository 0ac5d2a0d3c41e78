"""Rights that follow from the organisation, not from hand entry: the employee payroll names as
leading a unit gets the leader role for that unit, one leading an institution (its head) for the
institution, both with staff responsibility. Kept in step after every payroll import and at each
first sign-in; when such a right goes (the leader moved, the employee left), every open session of
that account ends at once, so nobody keeps yesterday's rights until their session runs out.
The directory's app roles can grant HR and supervisor (`sync_directory`, at each work-account
sign-in). HR still grants by hand what no data gives (AMR, a deputy's leader role)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hr import audit
from hr.auth.principal import Principal, Role
from hr.auth.tables import Account, RoleAssignment, Session
from hr.org.tables import Unit

ORGANISATION = "organisation"
DIRECTORY = "directory"
CHUNK = 500


@dataclass
class RightsChange:
    granted: list[tuple[int, str]] = field(default_factory=list)  # (account, "leader of ...")
    removed: list[tuple[int, str]] = field(default_factory=list)
    sessions_ended: int = 0

    @property
    def accounts_changed(self) -> set[int]:
        return {a for a, _ in self.granted} | {a for a, _ in self.removed}

    def describe(self) -> str:
        if not (self.granted or self.removed or self.sessions_ended):
            return "Lederroller: ingen ændringer."
        return (f"Lederroller: {len(self.granted)} givet, {len(self.removed)} fjernet; "
                f"{self.sessions_ended} åbne sessioner afsluttet.")


def _key(row: dict) -> tuple:
    return row["role"], row["institution"], row["unit"]


async def sync(principal: Principal | None, account_ids: list[int] | None = None) -> RightsChange:
    """Bring the organisation's roles of these accounts (all accounts linked to an employee when
    None) in line with payroll. Runs inside the caller's transaction when there is one."""
    query = Account.select(Account.id, Account.employee, Account.employee.active.as_alias("employee_active"),
                           Account.employee.leads.as_alias("leads"),
                           Account.employee.unit.as_alias("unit"),
                           Account.employee.unit.institution.as_alias("institution")).where(
        Account.employee.is_not_null())
    if account_ids is not None:
        query = query.where(Account.id.is_in(account_ids or [-1]))
    accounts = await query.run()
    wanted: dict[int, set[tuple]] = {}
    left: list[int] = []
    for account in accounts:
        keys = set()
        if not account["employee_active"]:
            left.append(account["id"])
        elif account["leads"] == "unit" and account["unit"]:
            keys.add((Role.LEADER, account["institution"], account["unit"]))
        elif account["leads"] == "institution" and account["institution"]:
            keys.add((Role.LEADER, account["institution"], None))
        wanted[account["id"]] = keys
    have: dict[int, dict[tuple, int]] = {a: {} for a in wanted}
    ids = list(wanted)
    for start in range(0, len(ids), CHUNK):
        for row in await RoleAssignment.select(RoleAssignment.id, RoleAssignment.account, RoleAssignment.role,
                                               RoleAssignment.institution, RoleAssignment.unit).where(
                RoleAssignment.account.is_in(ids[start:start + CHUNK])
                & (RoleAssignment.source == ORGANISATION)).run():
            have[row["account"]][_key(row)] = row["id"]
    labels = await _unit_labels()
    change = RightsChange()
    new_rows, stale_ids = [], []
    for account_id, keys in wanted.items():
        for key in keys - have[account_id].keys():
            new_rows.append(RoleAssignment(account=account_id, role=key[0], institution=key[1], unit=key[2],
                                           staff_responsibility=True, source=ORGANISATION))
            change.granted.append((account_id, labels(key)))
        for key, assignment_id in have[account_id].items():
            if key not in keys:
                stale_ids.append(assignment_id)
                change.removed.append((account_id, labels(key)))
    for start in range(0, len(new_rows), CHUNK):
        await RoleAssignment.insert(*new_rows[start:start + CHUNK]).run()
    for start in range(0, len(stale_ids), CHUNK):
        await RoleAssignment.delete().where(RoleAssignment.id.is_in(stale_ids[start:start + CHUNK])).run()
    # Sessions end where a right went, and for everyone who left (their account no longer lets them in).
    ending = sorted({a for a, _ in change.removed} | set(left))
    for start in range(0, len(ending), CHUNK):
        ended = await Session.delete().where(Session.account.is_in(ending[start:start + CHUNK])).returning(
            Session.id).run()
        change.sessions_ended += len(ended)
    for account_id, label in change.granted:
        await audit.record(principal, "grant", "role", account_id, {"source": ORGANISATION, "role": label})
    for account_id, label in change.removed:
        await audit.record(principal, "revoke", "role", account_id, {"source": ORGANISATION, "role": label})
    return change


async def _unit_labels():
    units = {r["id"]: r["name"] for r in await Unit.select(Unit.id, Unit.name).run()}
    institutions = {r["institution"]: r["institution_name"] for r in await Unit.select(
        Unit.institution, Unit.institution.name.as_alias("institution_name")).run()}

    def label(key: tuple) -> str:
        _, institution, unit = key
        return f"Leder af {units.get(unit, unit)}" if unit else f"Leder af {institutions.get(institution, institution)}"

    return label


async def sync_directory(account_id: int, app_roles: tuple[str, ...], role_map: tuple[tuple[str, str], ...]) -> None:
    """The roles the directory's app roles grant (HR, supervisor), as of this sign-in: added when
    the directory sends them, gone when it stops."""
    wanted = {role for app_role, role in role_map if app_role in app_roles}
    have = {r["role"]: r["id"] for r in await RoleAssignment.select(RoleAssignment.id, RoleAssignment.role).where(
        (RoleAssignment.account == account_id) & (RoleAssignment.source == DIRECTORY)).run()}
    for role in wanted - have.keys():
        await RoleAssignment.insert(RoleAssignment(account=account_id, role=role, source=DIRECTORY)).run()
        await audit.record(None, "grant", "role", account_id, {"source": DIRECTORY, "role": role})
    for role, assignment_id in have.items():
        if role not in wanted:
            await RoleAssignment.delete().where(RoleAssignment.id == assignment_id).run()
            await audit.record(None, "revoke", "role", account_id, {"source": DIRECTORY, "role": role})
