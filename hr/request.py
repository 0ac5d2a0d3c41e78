"""The one place every submitted value passes before any controller sees it."""

from __future__ import annotations

from urllib.parse import unquote

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException

from hr.forms import CONTROL_CHARS, MAX_FIELD_LENGTH, clean_text

FORM_TYPES = {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}


class HRRequest(Request):
    """A request whose form holds no control characters (tab and newline aside) and no value
    longer than any field takes, and that refuses a body that is not a form (a JSON body posted
    to a form would otherwise read as an empty form and blank what it saves)."""

    async def form(self) -> FormMultiDict:
        if getattr(self, "_cleaned_form", None) is not None:
            return self._cleaned_form
        content_type, _ = self.content_type
        if content_type not in FORM_TYPES and (content_type or await self.body()):
            raise ValidationException("Formularen skal sendes som formulardata")
        items = []
        for key, value in (await super().form()).multi_items():
            if isinstance(value, str):
                value = clean_text(value)
                if len(value) > MAX_FIELD_LENGTH:
                    raise ValidationException(f"Feltet {clean_text(key)[:40]} er for langt")
            items.append((clean_text(key), value))
        self._cleaned_form = FormMultiDict(items)
        return self._cleaned_form


def has_control_characters(path: str, query_string: bytes) -> bool:
    """True when the path or the query holds a character no link or search box produces."""
    query = unquote(query_string.decode("latin-1").replace("+", " "), errors="replace")
    return bool(CONTROL_CHARS.search(path) or CONTROL_CHARS.search(query))
