"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 10
# Verifying against this keeps the response time the same whether or not the
# account exists, so the login form does not reveal which e-mails are known.
_DUMMY_HASH = _hasher.hash("dummy-password-for-timing")


class PasswordPolicyError(ValueError):
    pass


def check_policy(password: str, email: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"Adgangskoden skal være mindst {MIN_LENGTH} tegn")
    if password.isdigit() or password.isalpha():
        raise PasswordPolicyError("Adgangskoden skal indeholde både bogstaver og tal eller tegn")
    if email and email.split("@")[0].lower() in password.lower():
        raise PasswordPolicyError("Adgangskoden må ikke indeholde din e-mailadresse")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
