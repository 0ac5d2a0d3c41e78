"""Account administration by HR: roles with scope, passwords, activation; own password change."""

from __future__ import annotations

from hr import audit
from hr.auth import password_links
from hr.auth.passwords import PasswordPolicyError, check_policy, hash_password, verify_password
from hr.auth.principal import Principal, Role
from hr.auth.tables import Account, RoleAssignment, Session
from hr.db import transaction
from hr.forms import Page, ValidationError, one_line
from hr.org.importer import EMAIL_RE
from hr.org.tables import Employee, Institution, Unit

ASSIGNABLE = (Role.LEADER, Role.HR, Role.AMR, Role.SUPERVISOR)  # staff follows from the employment


async def list_accounts(q: str = "", role: str = "", page: int = 1, per_page: int = 50) -> Page[dict]:
    query = Account.select(Account.id, Account.email, Account.name, Account.active, Account.employee,
                           Account.last_login_at).order_by(Account.name)
    count = Account.count()
    clauses = []
    q = q.strip()
    if q:
        clauses.append(Account.name.ilike(f"%{q}%") | Account.email.ilike(f"%{q}%"))
    if role in ASSIGNABLE:
        ids = [r["account"] for r in await RoleAssignment.select(RoleAssignment.account)
               .where(RoleAssignment.role == role).run()]
        clauses.append(Account.id.is_in(ids or [-1]))
    for clause in clauses:
        query = query.where(clause)
        count = count.where(clause)
    total = await count.run()
    items = await query.limit(per_page).offset((page - 1) * per_page).run()
    roles = await _roles_for([a["id"] for a in items])
    for item in items:
        item["roles"] = roles.get(item["id"], [])
    return Page(items=items, page=page, per_page=per_page, total=total, params={"q": q, "rolle": role})


async def _roles_for(account_ids: list[int]) -> dict[int, list[dict]]:
    rows = await RoleAssignment.select(
        RoleAssignment.all_columns(),
        RoleAssignment.institution.name.as_alias("institution_name"),
        RoleAssignment.unit.name.as_alias("unit_name"),
    ).where(RoleAssignment.account.is_in(account_ids or [-1])).order_by(RoleAssignment.id).run()
    out: dict[int, list[dict]] = {}
    for row in rows:
        row["label"] = Role.LABELS[row["role"]]
        out.setdefault(row["account"], []).append(row)
    return out


async def get_account(actor: Principal, account_id: int) -> dict | None:
    account = await Account.select(
        Account.id, Account.email, Account.name, Account.active, Account.employee, Account.created_at,
        Account.last_login_at, Account.last_login_method, Account.directory_subject,
        Account.password_hash,
        Account.employee.employee_number.as_alias("employee_number"),
        Account.employee.unit.name.as_alias("unit_name"),
    ).where(Account.id == account_id).first().run()
    if account:
        account["has_password"] = bool(account.pop("password_hash"))  # whether, never the hash
        account["roles"] = (await _roles_for([account_id])).get(account_id, [])
        await audit.record(actor, "read", "account", account_id)
    return account


async def add_role(actor: Principal, account_id: int, role: str, institution_id: int | None,
                   unit_id: int | None, staff_responsibility: bool = False) -> int:
    errors: dict[str, str] = {}
    if role not in ASSIGNABLE:
        errors["role"] = "Vælg en rolle"
    if role in (Role.LEADER, Role.AMR) and not institution_id:
        errors["institution"] = "Vælg det tilbud, rollen gælder for"
    if role in (Role.HR, Role.SUPERVISOR):
        institution_id, unit_id, staff_responsibility = None, None, False
    if role == Role.AMR:
        unit_id, staff_responsibility = None, False
    if institution_id and not await Institution.exists().where(Institution.id == institution_id).run():
        errors["institution"] = "Tilbuddet findes ikke"
    if unit_id:
        unit = await Unit.select(Unit.institution).where(Unit.id == unit_id).first().run()
        if not unit:
            errors["unit"] = "Afdelingen findes ikke"
        elif unit["institution"] != institution_id:
            errors["unit"] = "Afdelingen hører ikke til det valgte tilbud"
    if not await Account.exists().where(Account.id == account_id).run():
        errors["account"] = "Brugeren findes ikke"
    if not errors:
        same = RoleAssignment.exists().where(
            (RoleAssignment.account == account_id) & (RoleAssignment.role == role)
        )
        same = same.where(RoleAssignment.institution.is_null() if institution_id is None
                          else RoleAssignment.institution == institution_id)
        same = same.where(RoleAssignment.unit.is_null() if unit_id is None else RoleAssignment.unit == unit_id)
        if await same.run():
            errors["role"] = "Brugeren har allerede denne rolle"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await RoleAssignment.insert(RoleAssignment(
            account=account_id, role=role, institution=institution_id, unit=unit_id,
            staff_responsibility=staff_responsibility,
        )).returning(RoleAssignment.id).run()
        await audit.record(actor, "create", "role", rows[0]["id"], {
            "account": account_id, "role": role, "institution": institution_id, "unit": unit_id,
            "staff_responsibility": staff_responsibility})
    return rows[0]["id"]


async def remove_role(actor: Principal, account_id: int, assignment_id: int) -> bool:
    row = await RoleAssignment.select().where(
        (RoleAssignment.id == assignment_id) & (RoleAssignment.account == account_id)
    ).first().run()
    if not row:
        return False
    if row["role"] == Role.HR and account_id == actor.account_id:
        raise ValidationError({"role": "Du kan ikke fjerne din egen HR-rolle"})
    if row["source"] == "organisation":
        raise ValidationError({"role": "Rollen følger lønsystemets oplysninger om, hvem der leder hvad; ret den dér"})
    if row["source"] == "directory":
        raise ValidationError({"role": "Rollen kommer fra en approlle på arbejdskontoen; fjern den i kataloget"})
    async with transaction():
        await RoleAssignment.delete().where(RoleAssignment.id == assignment_id).run()
        await audit.record(actor, "delete", "role", assignment_id, {"account": account_id, "role": row["role"]})
    return True


async def create_account(actor: Principal, email: str, name: str, employee_id: int | None = None) -> int:
    """A local account (an external supervisor, say): the person chooses the password through the
    link mailed to them; nobody else ever types it."""
    email = email.strip().lower()
    errors: dict[str, str] = {}
    name = one_line(name, errors, "name", max_length=200)
    if employee_id:
        employee = await Employee.select(Employee.name, Employee.email).where(Employee.id == employee_id).first().run()
        if not employee:
            errors["employee"] = "Medarbejderen findes ikke"
        else:
            email = email or (employee["email"] or "")
            name = name or employee["name"]
            if await Account.exists().where(Account.employee == employee_id).run():
                errors["employee"] = "Medarbejderen har allerede en bruger"
    if not EMAIL_RE.match(email):
        errors["email"] = "Skriv en gyldig e-mailadresse"
    elif await Account.exists().where(Account.email == email).run():
        errors["email"] = "Der findes allerede en bruger med denne e-mail"
    if not name:
        errors["name"] = "Skriv navnet"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await Account.insert(Account(email=email, name=name, employee=employee_id)).returning(Account.id).run()
        await audit.record(actor, "create", "account", rows[0]["id"], {"email": email})
        await password_links.send_link(actor, rows[0]["id"], "setup")
    return rows[0]["id"]


async def send_password_link(actor: Principal, account_id: int) -> str:
    """HR asks for a new-password link to be mailed to the person. Returns the address."""
    account = await Account.select(Account.email).where(Account.id == account_id).first().run()
    if not account:
        raise ValidationError({"account": "Brugeren findes ikke"})
    await password_links.send_link(actor, account_id, "reset")
    return account["email"]


async def set_password(actor: Principal, account_id: int, password: str) -> None:
    """The person's own new password (checked against the policy by the caller)."""
    async with transaction():
        await Account.update({Account.password_hash: hash_password(password)}).where(
            Account.id == account_id).run()
        # A new password ends every other session of that person.
        await Session.delete().where(
            (Session.account == account_id) & (Session.id != (actor.session_id or -1))).run()
        await audit.record(actor, "update", "account_password", account_id)


async def change_own_password(principal: Principal, current: str, new: str, repeat: str) -> None:
    row = await Account.select(Account.password_hash).where(Account.id == principal.account_id).first().run()
    errors: dict[str, str] = {}
    if not verify_password(row["password_hash"] if row else None, current):
        errors["current"] = "Den nuværende adgangskode er forkert"
    if new != repeat:
        errors["repeat"] = "De to nye adgangskoder er ikke ens"
    try:
        check_policy(new, principal.email, principal.name, current_hash=row["password_hash"] if row else None)
    except PasswordPolicyError as exc:
        errors["new"] = str(exc)
    if errors:
        raise ValidationError(errors)
    await set_password(principal, principal.account_id, new)


async def set_active(actor: Principal, account_id: int, active: bool) -> bool:
    if account_id == actor.account_id and not active:
        raise ValidationError({"active": "Du kan ikke deaktivere dig selv"})
    async with transaction():
        rows = await Account.update({Account.active: active}).where(
            Account.id == account_id).returning(Account.id).run()
        if rows and not active:
            await Session.delete().where(Session.account == account_id).run()
        if rows:
            await audit.record(actor, "update", "account_active", account_id, {"active": active})
    return bool(rows)


async def scope_choices() -> dict:
    institutions = await Institution.select(Institution.id, Institution.name).order_by(Institution.name).run()
    units = await Unit.select(Unit.id, Unit.name, Unit.institution).where(
        Unit.active.eq(True)).order_by(Unit.name).run()
    return {"institutions": institutions, "units": units,
            "roles": [(r, Role.LABELS[r]) for r in ASSIGNABLE]}
