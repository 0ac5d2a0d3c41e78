"""Password hashing (argon2id) and the password policy, in the spirit of NIST SP 800-63B: long
rather than complicated (at least 12 characters, no rules about character classes), and refused
when it is a known common or breached password (a list of 30,000, hr/auth/common_passwords.txt,
also with digits or signs merely added at the end), a run or repetition of characters, the
person's name or e-mail, only spaces, or the current password."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; this only keeps a pasted novel out
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
# Keyboard rows and sequences people walk along.
SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyzæøå", "qwertyuiopå", "asdfghjklæø", "zxcvbnm",
             "1qaz2wsx3edc4rfv", "qwertzuiop")
# Words of this service's own context (NIST: "context-specific words").
CONTEXT = ("socialomraadet", "socialområdet", "adgangskode", "password", "region")
# Verifying against this keeps the response time the same whether or not the
# account exists, so the login form does not reveal which e-mails are known.
_DUMMY_HASH = _hasher.hash("dummy-password-for-timing")


class PasswordPolicyError(ValueError):
    pass


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _is_walk(text: str) -> bool:
    """A run along a sequence (forwards or backwards), or the same few characters over and over."""
    if len(set(text)) <= 2:
        return True
    for sequence in SEQUENCES:
        doubled = sequence * 3
        if text in doubled or text[::-1] in doubled:
            return True
    return False


def check_policy(password: str, email: str = "", name: str = "", current_hash: str | None = None) -> None:
    if not password.strip():
        raise PasswordPolicyError("Adgangskoden må ikke kun bestå af mellemrum")
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"Adgangskoden skal være mindst {MIN_LENGTH} tegn. Brug gerne en sætning "
                                  "eller flere ord, som kun du kender")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"Adgangskoden må højst være {MAX_LENGTH} tegn")
    folded = _fold(password)
    compact = re.sub(r"\s+", "", folded)
    # A common password with digits or signs added at the end (password2026!) is still that password.
    stem = re.sub(r"[\d\W_]+$", "", compact)
    common = common_passwords()
    if compact in common or (len(stem) >= 4 and stem in common):
        raise PasswordPolicyError("Adgangskoden er kendt fra lister over almindelige eller lækkede adgangskoder. "
                                  "Vælg en anden")
    if _is_walk(compact) or (len(stem) >= 4 and _is_walk(stem)):
        raise PasswordPolicyError("Adgangskoden er en række eller gentagelse af tegn (fx 123456… eller "
                                  "qwerty…). Vælg en anden")
    local = _fold(email.split("@")[0]) if email else ""
    parts = [local, *re.split(r"[.\-_+]", local), *_fold(name).split()]
    if any(len(part) >= 3 and part in compact for part in parts):
        raise PasswordPolicyError("Adgangskoden må ikke indeholde dit navn eller din e-mailadresse")
    if any(word in compact and len(compact) - len(word) < 6 for word in CONTEXT):
        raise PasswordPolicyError("Adgangskoden ligner for meget ord som »adgangskode« eller systemets navn. "
                                  "Vælg en anden")
    if current_hash and verify_password(current_hash, password):
        raise PasswordPolicyError("Den nye adgangskode skal være forskellig fra den nuværende")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
