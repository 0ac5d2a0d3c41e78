"""Secrets never reach a log line: calendar-feed tokens, sign-in and reset links in paths, and
token-like query parameters are masked in every record, whichever logger writes it (uvicorn's
access log writes the full path and query of each request)."""

from __future__ import annotations

import logging
import re

MASK = "***"
# Path prefixes whose next segment is a secret (the calendar feed; sign-in and reset links).
SECRET_PATHS = re.compile(r"(/supervision/feed/|/login/link/|/adgangskode/nulstil/|/konto/aktiver/)[^/?#\s\"]+")
SECRET_QUERY = re.compile(r"([?&](?:token|key|secret|code|state|nonce|password|adgangskode)=)[^&#\s\"]*",
                          re.IGNORECASE)


def mask(text: str) -> str:
    return SECRET_QUERY.sub(rf"\g<1>{MASK}", SECRET_PATHS.sub(rf"\g<1>{MASK}", text))


def _masked(value):
    return mask(value) if isinstance(value, str) else value


_installed: list = []


def install() -> None:
    """Mask secrets in every log record from now on (idempotent)."""
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def masking_factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.msg = _masked(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        return record

    logging.setLogRecordFactory(masking_factory)
    _installed.append(masking_factory)
