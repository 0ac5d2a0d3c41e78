"""First work-account sign-ins that could hand a person rights that are not theirs, kept for HR.

A directory identity is linked automatically only to the employee its employee number names
(or, with no employee number, its verified e-mail names, when that employee has no account yet),
and only to that employee's own account when the account holds nothing but what payroll and
the directory give. Anything else is refused at the door (`services._first_sign_in`) and lands
here with what HR must decide: link the identity after all (HR has checked it is the person's
own account) or dismiss it. An e-mail from payroll never moves an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hr import audit
from hr.auth import org_rights
from hr.auth.principal import Principal, Role
from hr.auth.tables import Account, RoleAssignment, SignInConflict
from hr.db import now, transaction
from hr.forms import ValidationError


@dataclass(frozen=True)
class Kind:
    label: str  # what happened, as HR reads it
    decide: str  # what HR must decide
    linkable: bool  # HR may link the identity to the account after checking


KINDS: dict[str, Kind] = {
    "hand_roles": Kind(
        "Kontoen har roller, som HR har givet i hånden",
        "Medarbejderens konto har roller, som hverken lønsystemet eller arbejdskontoen giver. Tjek, at kontoen "
        "er personens egen, og at rollerne stadig skal gælde, før du knytter arbejdskontoen til den.", True),
    "other_identity": Kind(
        "Ansættelsen er allerede knyttet til en anden arbejdskonto",
        "Knyt kun den nye arbejdskonto, hvis personen har fået en ny konto i regionens katalog. Den gamle "
        "arbejdskonto kan derefter ikke logge ind.", True),
    "email_has_account": Kind(
        "Kataloget sendte kun en e-mail, og medarbejderen har allerede en konto",
        "Kataloget sendte ikke et medarbejdernummer. Knyt kun, hvis du har sikret dig, at arbejdskontoen og "
        "kontoen tilhører samme person; ellers bed IT om at sende medarbejdernummeret med.", True),
    "email_taken": Kind(
        "E-mailadressen fra lønsystemet bruges allerede af en anden konto",
        "Ret e-mailadressen i lønsystemet eller den anden kontos e-mail under Brugere. Personen kan derefter "
        "logge ind igen. En e-mail fra lønsystemet flytter aldrig en konto.", False),
}

def kind_of(code: str) -> Kind:
    """The kind of a stored case; one no longer known reads as its code, never linkable."""
    return KINDS.get(code) or Kind(code, "", False)


REFUSED = ("Din arbejdskonto kunne ikke knyttes til din konto i HR-systemet uden HR's godkendelse. HR har fået "
           "besked; prøv igen, når HR har set på det, eller kontakt HR.")
PAGE = "/admin/arbejdskonti"
SOURCES = {org_rights.ORGANISATION: "fra lønsystemet", org_rights.DIRECTORY: "fra arbejdskontoen"}


async def record(subject: str, kind: str, identity_name: str, identity_email: str, employee_number: str,
                 employee_id: int | None, account_id: int | None) -> None:
    """Keep the refused first sign-in for HR: one open row per identity and kind."""
    open_row = await SignInConflict.select(SignInConflict.id, SignInConflict.attempts).where(
        (SignInConflict.subject == subject) & (SignInConflict.kind == kind)
        & SignInConflict.resolved_at.is_null()).first().run()
    if open_row:
        await SignInConflict.update({SignInConflict.attempts: open_row["attempts"] + 1,
                                     SignInConflict.last_attempt_at: now(), SignInConflict.employee: employee_id,
                                     SignInConflict.account: account_id}).where(
            SignInConflict.id == open_row["id"]).run()
        return
    await SignInConflict.insert(SignInConflict(
        subject=subject[:400], kind=kind, identity_name=identity_name[:200], identity_email=identity_email[:254],
        employee_number=employee_number[:50], employee=employee_id, account=account_id)).run()


@dataclass(frozen=True)
class Conflict:
    id: int
    kind: str
    label: str
    decide: str
    linkable: bool
    identity_name: str
    identity_email: str
    employee_number: str
    employee_id: int | None
    employee_name: str
    account_id: int | None
    account_email: str
    roles: tuple[str, ...]
    attempts: int
    created_at: datetime
    last_attempt_at: datetime


async def open_conflicts() -> list[Conflict]:
    rows = await SignInConflict.select(
        SignInConflict.all_columns(), SignInConflict.employee.name.as_alias("employee_name"),
        SignInConflict.account.email.as_alias("account_email")).where(
        SignInConflict.resolved_at.is_null()).order_by(SignInConflict.created_at).run()
    accounts = [r["account"] for r in rows if r["account"]]
    roles: dict[int, list[str]] = {}
    for assignment in await RoleAssignment.select(
            RoleAssignment.account, RoleAssignment.role, RoleAssignment.source,
            RoleAssignment.institution.name.as_alias("institution_name"),
            RoleAssignment.unit.name.as_alias("unit_name")).where(
            RoleAssignment.account.is_in(accounts)).run() if accounts else []:
        place = assignment["unit_name"] or assignment["institution_name"] or "hele regionen"
        how = SOURCES.get(assignment["source"], "givet i hånden af HR")
        roles.setdefault(assignment["account"], []).append(
            f"{Role.LABELS.get(assignment['role'], assignment['role'])} ({place}; {how})")
    out = []
    for row in rows:
        kind = kind_of(row["kind"])
        out.append(Conflict(row["id"], row["kind"], kind.label, kind.decide, kind.linkable, row["identity_name"],
                            row["identity_email"], row["employee_number"], row["employee"],
                            row["employee_name"] or "", row["account"], row["account_email"] or "",
                            tuple(roles.get(row["account"], [])), row["attempts"], row["created_at"],
                            row["last_attempt_at"]))
    return out


async def resolve(principal: Principal, conflict_id: int, decision: str) -> str:
    """HR's decision: "link" (the identity signs in to the account from now on) or "dismiss".
    Returns what was done, in Danish."""
    if decision not in ("link", "dismiss"):
        raise ValidationError({"decision": "Vælg at knytte eller afvise"})
    async with transaction():
        row = await SignInConflict.select().where(
            (SignInConflict.id == conflict_id) & SignInConflict.resolved_at.is_null()).first().run()
        if row is None:
            raise ValidationError({"conflict": "Sagen er allerede afgjort, eller den findes ikke"})
        if decision == "link":
            await _link(principal, row)
        await SignInConflict.update({SignInConflict.resolved_at: now(), SignInConflict.resolved_by: principal.email,
                                     SignInConflict.decision: decision}).where(
            (SignInConflict.subject == row["subject"]) & SignInConflict.resolved_at.is_null()
            & ((SignInConflict.id == conflict_id) | (SignInConflict.account == row["account"]))).run()
        await audit.record(principal, "decide", "sign_in_conflict", conflict_id,
                           {"decision": decision, "kind": row["kind"], "account": row["account"],
                            "employee": row["employee"]})
    if decision == "link":
        return f"Arbejdskontoen er knyttet til kontoen. {row['identity_name'] or 'Personen'} kan logge ind nu."
    return "Sagen er afvist. Arbejdskontoen er ikke knyttet til nogen konto."


async def _link(principal: Principal, row: dict) -> None:
    if not kind_of(row["kind"]).linkable or not row["account"]:
        raise ValidationError({"decision": "Denne sag kan ikke løses ved at knytte: ret e-mailadressen, og "
                                           "markér den derefter som løst"})
    account = await Account.select(Account.id, Account.active, Account.employee,
                                   Account.employee.active.as_alias("employee_active")).where(
        Account.id == row["account"]).first().run()
    if (account is None or not account["active"] or account["employee"] != row["employee"]
            or not account["employee_active"]):
        raise ValidationError({"decision": "Kontoen hører ikke længere til den aktive ansættelse: afvis sagen, "
                                           "og lad personen logge ind igen"})
    holder = await Account.select(Account.id).where(Account.directory_subject == row["subject"]).first().run()
    if holder and holder["id"] != account["id"]:
        raise ValidationError({"decision": "Arbejdskontoen er allerede knyttet til en anden konto"})
    await Account.update({Account.directory_subject: row["subject"]}).where(Account.id == account["id"]).run()
    await audit.record(principal, "link", "account", account["id"],
                       {"method": "arbejdskonto", "employee": row["employee"], "decided_by": "hr"})
    await org_rights.sync(principal, [account["id"]])
