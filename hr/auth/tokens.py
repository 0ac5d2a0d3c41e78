"""How a secret token (a session, an API key, a password link, a sign-in's state) is kept: only
its SHA-256, so a copy of the database opens nothing."""

from __future__ import annotations

import hashlib


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
