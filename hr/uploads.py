"""The one set of rules for a document a person uploads (a certificate, a letter from the labour
inspectorate): at most 5 MB, a PDF, PNG or JPEG judged by its content rather than its name or the
browser's word, and a file name that is safe to send back."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hr.cpr import contains_cpr
from hr.forms import ValidationError

MAX_BYTES = 5 * 1024 * 1024
# Room for the form's other fields around the file.
MAX_REQUEST_BODY = MAX_BYTES + 1024 * 1024
SIGNATURES = ((b"%PDF-", "application/pdf", ".pdf"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
              (b"\xff\xd8\xff", "image/jpeg", ".jpg"))


@dataclass(frozen=True)
class Document:
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


def sniff(content: bytes) -> tuple[str, str] | None:
    for signature, content_type, suffix in SIGNATURES:
        if content.startswith(signature):
            return content_type, suffix
    return None


def safe_filename(name: str, suffix: str, fallback: str = "dokument") -> str:
    base = re.sub(r"[^A-Za-z0-9ÆØÅæøå._ -]", "_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    stem = base.rsplit(".", 1)[0][:100] or fallback
    return stem + suffix


def checked(filename: str, content: bytes, *, field: str = "file", what: str = "Filen",
            fallback: str = "dokument") -> Document:
    """The upload as a Document, or a field error in Danish."""
    if contains_cpr(filename):
        raise ValidationError({field: "Filens navn ser ud til at indeholde et CPR-nummer. Giv filen et andet navn, "
                                      "og vælg den igen."})
    if not content:
        raise ValidationError({field: "Vælg en fil"})
    if len(content) > MAX_BYTES:
        raise ValidationError({field: "Filen er større end 5 MB"})
    kind = sniff(content)
    if kind is None:
        raise ValidationError({field: f"{what} skal være en PDF-, PNG- eller JPEG-fil"})
    content_type, suffix = kind
    return Document(safe_filename(filename, suffix, fallback), content_type, content)


def download_headers(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store"}
