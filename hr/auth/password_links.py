"""Choosing a password by a link in an e-mail: the first set-up of a local account (nobody else
ever types a person's password) and a forgotten password. A link works once, for 30 minutes;
only its hash is stored. Asking for one answers the same whether or not the address has an
account, and a person gets at most a few links a quarter of an hour. Using one ends every other
session and lifts the login back-off, so the link works even while an attacker is trying."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from hr import audit
from hr.auth.passwords import PasswordPolicyError, check_policy, hash_password
from hr.auth.principal import Principal
from hr.auth.services import load_principal
from hr.auth.tables import Account, LoginAttempt, PasswordLink, Session
from hr.auth.tokens import token_hash
from hr.db import now, transaction
from hr.forms import ValidationError
from hr.notify.outbox import Mail, enqueue
from hr.settings import get_settings

log = logging.getLogger("hr.auth.password_links")
LIFETIME = timedelta(minutes=30)
PATH = "/adgangskode/nulstil/"
PER_ACCOUNT = 3  # links a quarter of an hour to one person
PER_ADDRESS = 20  # links an hour asked for from one address
KIND = "account.password_link"  # the outbox hides such mail's text from HR: it holds the link


@dataclass(frozen=True)
class LinkAccount:
    account_id: int
    email: str
    name: str
    purpose: str


async def _account_for(email: str) -> dict | None:
    account = await Account.select(Account.id, Account.email, Account.name, Account.active, Account.employee,
                                   Account.employee.active.as_alias("employee_active")).where(
        Account.email == email.strip().lower()).first().run()
    if not account or not account["active"] or (account["employee"] and not account["employee_active"]):
        return None
    return account


async def request_link(email: str, ip: str = "") -> None:
    """A person asks for a link. Nothing in the answer, its timing aside, tells whether the
    address has an account: the caller always says the same."""
    account = await _account_for(email)
    if account is None:
        return
    since = now() - timedelta(minutes=15)
    if await PasswordLink.count().where((PasswordLink.account == account["id"])
                                        & (PasswordLink.created_at > since)).run() >= PER_ACCOUNT:
        return
    if ip and await PasswordLink.count().where((PasswordLink.ip == ip) & (
            PasswordLink.created_at > now() - timedelta(hours=1))).run() >= PER_ADDRESS:
        return
    settings = get_settings()
    principal = await load_principal(account["id"])
    directory_only = settings.oidc_enabled and principal and principal.roles & settings.local_login_off_for
    await send_link(None, account["id"], "directory" if directory_only else "reset", ip=ip)


async def request_link_quietly(email: str, ip: str = "") -> None:
    """`request_link` after the answer has gone: a failure is logged (never the address), as the
    person has already been told what to expect."""
    try:
        await request_link(email, ip)
    except Exception as exc:  # the answer is sent; nobody is waiting for this one
        log.error("password link request failed (%s)", exc.__class__.__name__)


async def send_link(actor: Principal | None, account_id: int, purpose: str, ip: str = "") -> None:
    """Mail the person a link to choose a password ("setup": a new account; "reset"), or, for
    someone who signs in with the work account only ("directory"), a mail that says so. A link
    row is written in every case, so the per-person limit counts these mails too."""
    account = await Account.select(Account.id, Account.email, Account.name).where(
        Account.id == account_id).first().run()
    if account is None:
        raise ValidationError({"account": "Brugeren findes ikke"})
    settings = get_settings()
    token = secrets.token_urlsafe(32)
    async with transaction():
        rows = await PasswordLink.insert(PasswordLink(
            token_hash=token_hash(token), account=account_id, purpose=purpose, expires_at=now() + LIFETIME,
            ip=ip[:64], used_at=now() if purpose == "directory" else None)).returning(PasswordLink.id).run()
        await enqueue(Mail(key=f"password-link|{rows[0]['id']}", kind=KIND, to_address=account["email"],
                           template="password_link", account_id=account_id, context={
                               "name": account["name"], "purpose": purpose, "minutes": int(LIFETIME.seconds / 60),
                               "link": f"{settings.base_url}{PATH}{token}"}))
        await audit.record(actor, "send", "password_link", account_id, {"purpose": purpose}, ip=ip)


async def valid_link(token: str) -> LinkAccount | None:
    row = await PasswordLink.select(
        PasswordLink.account, PasswordLink.purpose, PasswordLink.account.email.as_alias("email"),
        PasswordLink.account.name.as_alias("name")).where(
        (PasswordLink.token_hash == token_hash(token)) & PasswordLink.used_at.is_null()
        & (PasswordLink.expires_at > now())).first().run() if token else None
    if row is None or await _account_for(row["email"]) is None:
        return None
    return LinkAccount(row["account"], row["email"], row["name"], row["purpose"])


async def choose_password(token: str, password: str, repeat: str, ip: str = "") -> int:
    """The person chose a password through the link. Returns the account."""
    link = await valid_link(token)
    if link is None:
        raise ValidationError({"link": "Linket er udløbet eller allerede brugt. Bed om et nyt."})
    errors: dict[str, str] = {}
    current = await Account.select(Account.password_hash).where(Account.id == link.account_id).first().run()
    try:
        check_policy(password, link.email, link.name, current_hash=current["password_hash"] or None)
    except PasswordPolicyError as exc:
        errors["password"] = str(exc)
    if not errors and password != repeat:
        errors["repeat"] = "De to adgangskoder er ikke ens"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        used = await PasswordLink.update({PasswordLink.used_at: now()}).where(
            (PasswordLink.token_hash == token_hash(token)) & PasswordLink.used_at.is_null()).returning(
            PasswordLink.id).run()
        if not used:  # the same link, used twice at once: the first one wins
            raise ValidationError({"link": "Linket er udløbet eller allerede brugt. Bed om et nyt."})
        await Account.update({Account.password_hash: hash_password(password)}).where(
            Account.id == link.account_id).run()
        await PasswordLink.update({PasswordLink.used_at: now()}).where(
            (PasswordLink.account == link.account_id) & PasswordLink.used_at.is_null()).run()
        await Session.delete().where(Session.account == link.account_id).run()
        await LoginAttempt.delete().where((LoginAttempt.email == link.email) & LoginAttempt.success.eq(False)).run()
        await audit.record(None, "update", "account_password", link.account_id,
                           {"via": "link", "purpose": link.purpose}, ip=ip)
    return link.account_id
