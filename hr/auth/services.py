"""Accounts, login with throttling, server-side sessions and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Iterable

from hr import audit
from hr.auth import conflicts, oidc, org_rights
from hr.auth.oidc import Identity, SignInRefused
from hr.auth.passwords import (
    PasswordPolicyError,
    check_policy,
    hash_password,
    verify_password,
)
from hr.auth.principal import Principal, Role
from hr.auth.tables import Account, ApiToken, LoginAttempt, RoleAssignment, Session
from hr.auth.tokens import token_hash
from hr.db import is_unique_violation, now, prepared, transaction
from hr.org.tables import Employee
from hr.settings import get_settings

__all__ = [
    "PasswordPolicyError",
    "LoginError",
    "create_account",
    "login",
    "logout",
    "principal_for_session",
    "principal_for_token",
    "create_api_token",
    "revoke_api_token",
    "API_SCOPES",
]

log = logging.getLogger("hr.auth")

THROTTLE_WINDOW = timedelta(minutes=15)
FREE_FAILURES = 5  # wrong passwords from one address (or one known browser) at one account before it must wait
MAX_WAIT = timedelta(minutes=15)
ACCOUNT_FLOOD = 50  # failures at one account from all addresses: a spread-out attack
ADDRESS_SLOW = 20  # failures from one address at all accounts before that address must wait (spraying)
ADDRESS_REFUSE = 100  # failures from one address at all accounts: it is refused for the window
MAX_FAILURES_IN_FLOOD = 10  # during a flood, a browser unknown to the account waits the longest
KNOWN_DEVICE = timedelta(days=30)  # a browser that signed in to the account successfully
WRONG = "Forkert e-mail eller adgangskode, eller kontoen er ikke aktiv."
API_SCOPES = {
    "org:read": "Læse organisation og medarbejdere",
    "workenv:read": "Læse arbejdsmiljø: indberetninger, handlinger, påbud og APV",
    "supervision:read": "Læse supervision: supervisorer, bookinger og overholdelse af krav",
    "competence:read": "Læse kompetence: modulkatalog, forløb og lederuddannelsens hold",
    "tasks:read": "Læse nøgleejerens egne opgaver (det samme som forsiden viser)",
}


class LoginError(Exception):
    def __init__(self, message: str, throttled: bool = False):
        super().__init__(message)
        self.message = message
        self.throttled = throttled


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_account(
    email: str,
    name: str,
    password: str | None,
    roles: Iterable[tuple[str, int | None, int | None]] = (),
    employee_id: int | None = None,
    staff_responsibility: bool = False,
) -> int:
    """roles: (role, institution_id, unit_id) triples."""
    email = normalise_email(email)
    if password is not None:
        check_policy(password, email)
    async with transaction():
        rows = await Account.insert(
            Account(
                email=email,
                name=name,
                password_hash=hash_password(password) if password else "",
                employee=employee_id,
            )
        ).returning(Account.id).run()
        account_id = rows[0]["id"]
        for role, institution_id, unit_id in roles:
            await RoleAssignment.insert(
                RoleAssignment(account=account_id, role=role, institution=institution_id,
                               unit=unit_id, staff_responsibility=staff_responsibility)
            ).run()
    return account_id


async def load_principal(account_id: int, **extra) -> Principal | None:
    account = await Account.select(
        Account.id, Account.email, Account.name, Account.active, Account.employee,
        Account.employee.active.as_alias("employee_active"),
    ).where(Account.id == account_id).first().run()
    if not account:
        return None
    assignments = await RoleAssignment.select(
        RoleAssignment.all_columns(), RoleAssignment.unit.institution.as_alias("unit_institution")).where(
        RoleAssignment.account == account_id).run()
    return _principal(account, assignments, **extra)


def _principal(account: dict, assignments: list[dict], **extra) -> Principal | None:
    # An account linked to an employment that has ended lets nobody in, whatever roles it holds.
    if not account["active"] or (account["employee"] and not account["employee_active"]):
        return None
    roles = {a["role"] for a in assignments}
    if account["employee"] and account["employee_active"]:
        roles.add(Role.STAFF)
    leader = [a for a in assignments if a["role"] == Role.LEADER]
    return Principal(
        account_id=account["id"],
        email=account["email"],
        name=account["name"],
        employee_id=account["employee"],
        roles=frozenset(roles),
        leader_unit_ids=frozenset(a["unit"] for a in leader if a["unit"]),
        leader_unit_institution_ids=frozenset(a["unit_institution"] for a in leader
                                              if a["unit"] and a["unit_institution"]),
        leader_institution_ids=frozenset(
            a["institution"] for a in leader if a["institution"] and not a["unit"]
        ),
        amr_institution_ids=frozenset(
            a["institution"] for a in assignments if a["role"] == Role.AMR and a["institution"]
        ),
        staff_responsibility=any(a["staff_responsibility"] for a in leader),
        **extra,
    )


def backoff(failures: int) -> timedelta:
    """How long one address must wait before its next try at one account: free for the first
    FREE_FAILURES, then 30 s, doubling up to 15 minutes."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(MAX_WAIT, timedelta(seconds=30 * 2 ** (failures - FREE_FAILURES)))


def device_token(email: str, moment=None) -> str:
    """The cookie a browser gets when it signs in to an account with its password: "this browser
    has proved it knows the account" for KNOWN_DEVICE. Signed with the service's secret; holds
    the time and a digest of the address, not the address."""
    issued = int((moment or now()).timestamp())
    return f"{issued}.{_device_signature(email, issued)}"


def _device_signature(email: str, issued: int) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"device|{normalise_email(email)}|{issued}".encode(), hashlib.sha256).hexdigest()[:32]


def known_device(email: str, token: str) -> str:
    """The device's id (its signature) when the cookie was issued to this account's browser in
    the last KNOWN_DEVICE; "" otherwise."""
    issued, _, signature = (token or "").partition(".")
    if not issued.isdigit() or len(signature) != 32:
        return ""
    if now().timestamp() - int(issued) > KNOWN_DEVICE.total_seconds():
        return ""
    return signature if hmac.compare_digest(signature, _device_signature(email, int(issued))) else ""


async def _failures(where) -> tuple[int, object]:
    rows = await LoginAttempt.select(LoginAttempt.at).where(
        where & LoginAttempt.success.eq(False) & (LoginAttempt.at > now() - THROTTLE_WINDOW)).order_by(
        LoginAttempt.at, ascending=False).run()
    return len(rows), rows[0]["at"] if rows else None


async def login_wait(email: str, ip: str, device: str = "") -> timedelta:
    """How long this browser must wait before trying this account again.

    A browser that has signed in to the account before (`device`, from its cookie) counts only
    its own failures: a colleague or an attacker behind the same address (a ward's NAT) typing
    the person's address cannot lock the person out. Any other try counts the failures of its
    address at this account (back-off after FREE_FAILURES), and of its address at all accounts:
    spraying one password over many accounts is slowed after ADDRESS_SLOW failures and refused
    after ADDRESS_REFUSE. A flood at one account from many addresses makes unknown browsers wait
    the longest. A link to a new password always works, and lifts the back-off."""
    if device:
        count, last = await _failures((LoginAttempt.email == email) & (LoginAttempt.device == device))
        return max(timedelta(0), last + backoff(count) - now()) if count else timedelta(0)
    unknown = (LoginAttempt.ip == ip) & (LoginAttempt.device == "")
    pair, last = await _failures((LoginAttempt.email == email) & unknown)
    wait = max(timedelta(0), last + backoff(pair) - now()) if pair else timedelta(0)
    address, address_last = await _failures(unknown)
    if address >= ADDRESS_REFUSE:
        wait = max(wait, address_last + THROTTLE_WINDOW - now())
    elif address >= ADDRESS_SLOW:
        wait = max(wait, address_last + backoff(FREE_FAILURES + (address - ADDRESS_SLOW) // 5) - now())
    if pair and (await _failures(LoginAttempt.email == email))[0] >= ACCOUNT_FLOOD:
        wait = max(wait, last + backoff(max(pair, MAX_FAILURES_IN_FLOOD)) - now())
    return max(timedelta(0), wait)


def _minutes(wait: timedelta) -> str:
    seconds = int(wait.total_seconds()) + 1
    return f"{seconds} sekunder" if seconds < 90 else f"{(seconds + 59) // 60} minutter"


async def login(email: str, password: str, ip: str = "", user_agent: str = "",
                session_hours: int = 10, device_cookie: str = "") -> tuple[str, Principal]:
    """Returns a new session token (always a new one: the session id rotates at login). A wrong
    password, an unknown address and an account that may not sign in get the same answer."""
    email = normalise_email(email)
    device = known_device(email, device_cookie)
    wait = await login_wait(email, ip, device)
    if wait:
        raise LoginError(f"For mange forkerte forsøg fra denne enhed. Vent {_minutes(wait)}, og prøv igen, eller "
                         "få et link til en ny adgangskode.", throttled=True)
    account = await Account.select(Account.id, Account.password_hash, Account.active).where(
        Account.email == email
    ).first().run()
    ok = verify_password(account["password_hash"] if account else None, password)
    principal = await load_principal(account["id"]) if ok and account["active"] else None
    if principal is None:  # a wrong password, no such account, or one that is not active
        await LoginAttempt.insert(LoginAttempt(email=email, ip=ip, success=False, device=device)).run()
        raise LoginError(WRONG)
    settings = get_settings()
    if settings.oidc_enabled and principal and principal.roles & settings.local_login_off_for:
        raise LoginError("Log ind med din arbejdskonto: knappen øverst på siden.")
    await LoginAttempt.insert(LoginAttempt(email=email, ip=ip, success=True, device=device)).run()
    return await start_session(account["id"], "adgangskode", ip, user_agent, session_hours, principal)


async def start_session(account_id: int, method: str, ip: str, user_agent: str,
                        session_hours: int, principal: Principal | None = None) -> tuple[str, Principal]:
    """A new session for a person who has proved who they are (always a new token: the session
    id rotates at every sign-in). `principal`: the person already loaded by the caller."""
    token = secrets.token_urlsafe(32)
    async with transaction():
        rows = await Session.insert(
            Session(token_hash=token_hash(token), account=account_id,
                    expires_at=now() + timedelta(hours=session_hours),
                    ip=ip[:64], user_agent=user_agent[:300], method=method)
        ).returning(Session.id).run()
        await Account.update({Account.last_login_at: now(), Account.last_login_method: method}).where(
            Account.id == account_id).run()
    principal = replace(principal, session_id=rows[0]["id"]) if principal else await load_principal(
        account_id, session_id=rows[0]["id"])
    await audit.record(principal, "login", "account", account_id, {"method": method}, ip=ip)
    return token, principal


REFUSED_UNKNOWN = ("Din arbejdskonto er ikke knyttet til en aktiv ansættelse i HR-systemet. Er du nyansat, kan der "
                   "gå et døgn, før lønsystemet har meldt dig ind; ellers kontakt HR.")


class LinkConflict(SignInRefused):
    """A first sign-in that linking could turn into someone else's rights: refused, and kept for
    HR to decide (hr/auth/conflicts.py)."""

    def __init__(self, kind: str, employee_id: int | None, account_id: int | None):
        super().__init__(kind, conflicts.REFUSED, {"employee": employee_id, "account": account_id})
        self.kind, self.employee_id, self.account_id = kind, employee_id, account_id


async def directory_sign_in(identity: Identity, ip: str = "", user_agent: str = "",
                            session_hours: int = 10, retry: bool = True) -> tuple[str, Principal]:
    """The person the directory vouched for gets in when they are an active employee: the first
    time, the identity is linked to the employee (by employee number, or a verified work e-mail)
    and to that employee's own account, or an account is created; after that the identity finds
    the account. A link that could hand over rights that are not the employee's is refused and
    kept for HR (`LinkConflict`)."""
    account = await Account.select(Account.id, Account.active, Account.employee,
                                   Account.employee.active.as_alias("employee_active")).where(
        Account.directory_subject == identity.subject).first().run()
    if account:
        if not account["active"] or (account["employee"] and not account["employee_active"]):
            raise SignInRefused("inactive", REFUSED_UNKNOWN, {"account": account["id"]})
        await org_rights.sync_directory(account["id"], identity.roles, get_settings().oidc_role_map)
        return await start_session(account["id"], "arbejdskonto", ip, user_agent, session_hours)
    employee = await _employee_for(identity)
    try:
        account_id = await _first_sign_in(identity, employee, ip)
    except Exception as exc:
        if not is_unique_violation(exc) or not retry:
            raise
        # The same person's other first sign-in got there a moment before: now the identity finds it.
        return await directory_sign_in(identity, ip, user_agent, session_hours, retry=False)
    return await start_session(account_id, "arbejdskonto", ip, user_agent, session_hours)


async def sign_in_from_directory(params: dict[str, str], browser: str, ip: str = "", user_agent: str = "",
                                 session_hours: int = 10) -> tuple[str, Principal, str]:
    """The provider's answer to a sign-in started here: checked (`oidc.finish`), then let in or
    refused. A refusal is in the audit trail with its reason, a link conflict also on HR's list;
    the log names only the reason."""
    identity = None
    try:
        identity, next_path = await oidc.finish(params, browser)
        token, principal = await directory_sign_in(identity, ip, user_agent, session_hours)
    except SignInRefused as exc:
        await audit.record(None, "refused", "sign_in", "", {"method": "arbejdskonto", "reason": exc.reason,
                                                            **exc.detail}, ip=ip)
        if isinstance(exc, LinkConflict) and identity is not None:
            await conflicts.record(identity.subject, exc.kind, identity.name, identity.email,
                                   identity.employee_number, exc.employee_id, exc.account_id)
        log.warning("directory sign-in refused: %s", exc.reason)
        raise
    return token, principal, next_path


async def _first_sign_in(identity: Identity, employee: dict, ip: str) -> int:
    """Link the identity to the employee's own account, or create the account. Returns its id.
    Never links to an account without an employee, nor by e-mail to an existing account."""
    async with transaction():
        linked = await Account.select(Account.id, Account.active, Account.directory_subject).where(
            Account.employee == employee["id"]).first().run()
        if linked is not None:
            if not linked["active"]:
                raise SignInRefused("inactive", REFUSED_UNKNOWN, {"account": linked["id"]})
            if linked["directory_subject"] and linked["directory_subject"] != identity.subject:
                # Already someone else's identity: never move it silently.
                raise LinkConflict("other_identity", employee["id"], linked["id"])
            if employee["matched_by"] == "email":
                # Only the employee number may name an employee who already has an account.
                raise LinkConflict("email_has_account", employee["id"], linked["id"])
            if await RoleAssignment.exists().where(
                    (RoleAssignment.account == linked["id"])
                    & RoleAssignment.source.not_in([org_rights.ORGANISATION, org_rights.DIRECTORY])).run():
                # Rights granted by hand are HR's to confirm before a directory identity gets them.
                raise LinkConflict("hand_roles", employee["id"], linked["id"])
            await Account.update({Account.directory_subject: identity.subject}).where(
                Account.id == linked["id"]).run()
            account_id, action = linked["id"], "link"
        else:
            email = normalise_email(employee["email"] or identity.email)
            holder = await Account.select(Account.id, Account.directory_subject).where(
                Account.email == email).first().run()
            # The holder may be this identity's own account, made a moment ago by its other first
            # sign-in: the insert below then fails as a duplicate, and the retry finds it.
            if not email or (holder and holder["directory_subject"] != identity.subject):
                raise LinkConflict("email_taken", employee["id"], holder["id"] if holder else None)
            rows = await Account.insert(Account(email=email, name=employee["name"], employee=employee["id"],
                                                directory_subject=identity.subject)).returning(Account.id).run()
            account_id, action = rows[0]["id"], "create"
        await audit.record(None, action, "account", account_id,
                           {"method": "arbejdskonto", "employee": employee["id"]}, ip=ip)
        await org_rights.sync(None, [account_id])  # a unit leader is a leader from the first sign-in
        await org_rights.sync_directory(account_id, identity.roles, get_settings().oidc_role_map)
    return account_id


async def _employee_for(identity: Identity) -> dict:
    columns = (Employee.id, Employee.email, Employee.name, Employee.active)
    employee, matched_by = None, ""
    if identity.employee_number:
        employee = await Employee.select(*columns).where(
            Employee.employee_number == identity.employee_number).first().run()
        matched_by = "number"
    elif identity.email and identity.email_trusted:
        matches = await Employee.select(*columns).where(Employee.email == identity.email).run()
        active = [m for m in matches if m["active"]]
        employee = active[0] if len(active) == 1 else (matches[0] if len(matches) == 1 else None)
        matched_by = "email"
    if employee is None or not employee["active"]:
        raise SignInRefused("unknown_employee" if employee is None else "inactive", REFUSED_UNKNOWN,
                            {"employee_number": identity.employee_number, "email": identity.email})
    return {**employee, "matched_by": matched_by}


# Every page request resolves its session: one query (session, account, employee and role
# assignments joined, with the institution of each unit led) instead of three.
_SESSION_SQL = (
    "SELECT s.id AS session_id, a.id AS id, a.email AS email, a.name AS name, "
    "a.active AS active, a.employee AS employee, e.active AS employee_active, r.role AS role, r.unit AS unit, "
    "r.institution AS institution, r.staff_responsibility AS staff_responsibility, u.institution AS unit_institution "
    "FROM auth_session s JOIN auth_account a ON a.id = s.account "
    "LEFT JOIN org_employee e ON e.id = a.employee "
    "LEFT JOIN auth_role_assignment r ON r.account = a.id "
    "LEFT JOIN org_unit u ON u.id = r.unit "
    "WHERE s.token_hash = {} AND s.expires_at > {}"
)
_session_rows = prepared(lambda token_hash, at: Session.raw(_SESSION_SQL, token_hash, at))


async def principal_for_session(token: str) -> Principal | None:
    if not token:
        return None
    rows = await _session_rows(token_hash(token), now())
    if not rows:
        return None
    first = rows[0]
    account = {key: first[key] for key in ("id", "email", "name", "active", "employee", "employee_active")}
    account["active"], account["employee_active"] = bool(account["active"]), bool(account["employee_active"])
    assignments = [{**row, "staff_responsibility": bool(row["staff_responsibility"])}
                   for row in rows if row["role"]]
    return _principal(account, assignments, session_id=first["session_id"])


async def logout(token: str) -> str:
    """Ends the session; returns how it was signed in to."""
    rows = await Session.delete().where(Session.token_hash == token_hash(token)).returning(Session.method).run()
    return rows[0]["method"] if rows else ""


async def purge_expired_sessions() -> int:
    rows = await Session.delete().where(Session.expires_at <= now()).returning(Session.id).run()
    return len(rows)


async def create_api_token(actor: Principal, account_id: int, name: str,
                           scopes: Iterable[str]) -> tuple[int, str]:
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in API_SCOPES]
    if unknown:
        raise ValueError(f"Ukendt scope: {', '.join(unknown)}")
    token = "hrt_" + secrets.token_urlsafe(32)
    async with transaction():
        rows = await ApiToken.insert(
            ApiToken(name=name, prefix=token[:10], token_hash=token_hash(token),
                     scopes=" ".join(scopes), account=account_id)
        ).returning(ApiToken.id).run()
        await audit.record(actor, "create", "api_token", rows[0]["id"], {"name": name, "scopes": scopes})
    return rows[0]["id"], token


async def revoke_api_token(actor: Principal, token_id: int) -> bool:
    async with transaction():
        rows = await ApiToken.update({ApiToken.revoked_at: now()}).where(
            (ApiToken.id == token_id) & ApiToken.revoked_at.is_null()
        ).returning(ApiToken.id).run()
        if rows:
            await audit.record(actor, "revoke", "api_token", token_id)
    return bool(rows)


async def principal_for_token(token: str) -> Principal | None:
    row = await ApiToken.select(ApiToken.id, ApiToken.account, ApiToken.scopes, ApiToken.last_used_at).where(
        (ApiToken.token_hash == token_hash(token)) & ApiToken.revoked_at.is_null()
    ).first().run()
    if not row:
        return None
    # "Last used" to the minute is enough; skipping the write keeps API reads read-only.
    if row["last_used_at"] is None or now() - row["last_used_at"] > timedelta(minutes=5):
        await ApiToken.update({ApiToken.last_used_at: now()}).where(ApiToken.id == row["id"]).run()
    return await load_principal(row["account"], token_id=row["id"],
                                scopes=frozenset(row["scopes"].split()))
