from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from hr.org.tables import Employee, Institution, Unit


class Account(Table, tablename="auth_account"):
    """A person who can log in. Supervisors may have an account without an employment."""

    email = Varchar(length=254, unique=True)
    name = Varchar(length=200)
    password_hash = Varchar(length=255, default="")
    employee = ForeignKey(Employee, null=True, unique=True, on_delete=OnDelete.set_null)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    # "arbejdskonto" (the region's directory, OpenID Connect) or "adgangskode" (local password).
    last_login_method = Varchar(length=20, default="")
    # The directory's identity for this person, "issuer|subject", set at the first sign-in. Unique
    # through the index of migration hr_2026_12_02t01_19_50 (SQLite cannot add a UNIQUE column).
    directory_subject = Varchar(length=400, null=True, default=None)


class PendingSignIn(Table, tablename="auth_pending_sign_in"):
    """A sign-in sent to the directory and not yet back: what the answer must match. Used once
    (deleted when the answer arrives) and only from the browser that started it."""

    state_hash = Varchar(length=64, unique=True)
    browser_hash = Varchar(length=64)
    nonce = Varchar(length=100)
    code_verifier = Varchar(length=200)
    next_path = Varchar(length=500, default="/")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    # Where it was started from: outstanding sign-ins are limited per address (oidc.begin).
    ip = Varchar(length=64, default="", index=True)


class RoleAssignment(Table, tablename="auth_role_assignment"):
    """A role with its scope: a leader of a unit, or of a whole institution (unit empty);
    an AMR of an institution; an HR administrator (no scope: everything)."""

    account = ForeignKey(Account, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=30)
    institution = ForeignKey(Institution, null=True, on_delete=OnDelete.cascade)
    unit = ForeignKey(Unit, null=True, on_delete=OnDelete.cascade)
    staff_responsibility = Boolean(default=False)
    # "hr": granted by HR by hand; "organisation": follows from payroll (hr/auth/org_rights.py),
    # kept in step with it and never edited by hand.
    source = Varchar(length=20, default="hr")


class Session(Table, tablename="auth_session"):
    """Server-side session: the cookie holds a random token, the table its SHA-256."""

    token_hash = Varchar(length=64, unique=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=300, default="")
    # How the person proved who they are ("arbejdskonto" or "adgangskode"): logging out of a
    # work-account session also ends the directory's session (a shared PC on a ward).
    method = Varchar(length=20, default="")


class PasswordLink(Table, tablename="auth_password_link"):
    """A link mailed to a person to choose a password (first set-up or a forgotten one): only its
    hash is stored; it works once, for 30 minutes."""

    token_hash = Varchar(length=64, unique=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade, index=True)
    purpose = Varchar(length=20, default="reset")  # "setup" or "reset"
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    ip = Varchar(length=64, default="", index=True)


class LoginAttempt(Table, tablename="auth_login_attempt"):
    email = Varchar(length=254, index=True)
    ip = Varchar(length=64, index=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    success = Boolean(default=False)
    # The browser's device id when it had signed in to the account before (hr.auth.services
    # .known_device); "" for any other try. Such a browser counts only its own failures.
    device = Varchar(length=64, default="", index=True)


class ApiToken(Table, tablename="auth_api_token"):
    """Token for integrations. Only a hash is stored; the token is shown once."""

    name = Varchar(length=100)
    prefix = Varchar(length=12)
    token_hash = Varchar(length=64, unique=True)
    scopes = Text(default="")
    account = ForeignKey(Account, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class SignInConflict(Table, tablename="auth_sign_in_conflict"):
    """A first work-account sign-in that was refused because linking it could hand the person
    rights that are not theirs (hr/auth/conflicts.py): kept for HR to decide. One open row per
    identity and kind; a repeated attempt updates it."""

    subject = Varchar(length=400, index=True)  # the directory's "issuer|sub"
    kind = Varchar(length=30)
    identity_name = Varchar(length=200, default="")
    identity_email = Varchar(length=254, default="")
    employee_number = Varchar(length=50, default="")
    employee = ForeignKey(Employee, null=True, on_delete=OnDelete.cascade)
    account = ForeignKey(Account, null=True, on_delete=OnDelete.cascade)
    attempts = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    last_attempt_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None, index=True)
    resolved_by = Varchar(length=254, default="")
    decision = Varchar(length=20, default="")  # "link" or "dismiss"
