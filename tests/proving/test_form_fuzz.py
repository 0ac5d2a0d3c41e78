"""Property-based: every HTML form the app shows, posted with generated values as each role.

The forms are found the way a person finds them: every page of the access table that the role
may open is fetched (with real objects behind each id) and every POST form on it is read (its
action, fields and the options of its selects, radios and checkboxes). Hypothesis then posts
generated values, mixing the form's own options with hostile ones (control characters, numbers
beyond any database range, dates in year 1 and 9999, CPR numbers, overlong text). The answer is
never a 5xx, and an answer that refuses (4xx) leaves every table as it was."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.auth.test_access_table import (
    ACCESS,
    _action,
    _apv,
    _booking,
    _competence,
    _message,
    _order,
    _submitted_incident,
    _supervisor,
    _supervisor_role,
    fill,
)
from tests.conftest import login

EXAMPLES = 25  # per form and role: a bounded budget for CI
# Forms that end the session or the persona's ability to sign in, which would stop the run
# without finding anything; the login form has its own throttling tests.
SKIPPED_ACTIONS = ("/logout", "/login", "/profil/adgangskode")
# Tables a refused request may legitimately write: the audit trail of reads, login bookkeeping.
UNTRACKED = {"audit_event", "auth_login_attempt", "auth_session"}
# A report draft keeps the valid part of a refused save (nothing typed on a phone is lost; see
# tests/workenv/test_reporting.py), so there a 400 may write the draft's own rows.
KEEPS_VALID_PART = re.compile(r"^/arbejdsmiljoe/haendelser/\d+/(rediger|kladde)$")

HOSTILE = [
    "", " ", "0", "-1", "1", "2147483647", "2147483648", "-2147483649", "99999999999999999999999", "1e309",
    "NaN", "1,5", "1.5", "9999-12-31", "0001-01-01", "2026-02-30", "31-12-9999", "01.01.0001", "23:30",
    "24:00", "99:99", "-00:01", "a\x00b", "\x00", "\x07\x1b[31m", "tab\there", "<script>alert(1)</script>",
    "010190-1234", "0101 90\u20131234", "ø" * 6000, "x" * 25000, "🙂" * 50, "' OR 1=1 --", "../../etc/passwd",
]


@dataclass
class Form:
    page: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> the form's own values
    fixed: dict[str, str] = field(default_factory=dict)  # hidden fields: kept as given


class FormReader(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.page, self.forms, self.current, self.select, self.autosave = page, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = Form(self.page, a.get("action") or self.page)
            self.autosave = a.get("hx-post")  # the same fields, saved as they are typed
        elif self.current is None:
            return
        elif tag in ("input", "button", "textarea", "select") and a.get("name"):
            name, kind = a["name"], (a.get("type") or "").lower()
            if name == "_csrf_token":
                return
            if kind == "hidden":
                self.current.fixed[name] = a.get("value") or ""
                return
            values = self.current.fields.setdefault(name, [])
            if a.get("value") is not None:
                values.append(a["value"])
            if tag == "select":
                self.select = name
        elif tag == "option" and self.select and a.get("value") is not None:
            self.current.fields[self.select].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form" and self.current is not None:
            self.forms.append(self.current)
            if self.autosave:
                self.forms.append(Form(self.page, self.autosave, self.current.fields, self.current.fixed))
            self.current = None


async def _objects(world) -> dict:
    return {"institution_id": world.inst_a, "unit_id": world.unit_a1, "employee_id": world.staff_employee,
            "method_id": world.method_krap, "account_id": world.accounts["supervisor"],
            "assignment_id": await _supervisor_role(world), "incident_id": await _submitted_incident(world),
            "action_id": await _action(world), "order_id": await _order(world), "apv_id": await _apv(world),
            "rule_id": 1, "factor_id": 1, "supervisor_id": await _supervisor(world),
            "booking_id": await _booking(world), "message_id": await _message(), "token_id": 1, "window_id": 1,
            "leave_id": await _leave(world), "token": "x", "path": "x", "file_path": "x",
            **await _competence(world)}


async def _leave(world) -> int:
    from hr.org.tables import EmployeeLeave

    rows = await EmployeeLeave.insert(EmployeeLeave(employee=world.staff_employee, starts_on=date(2026, 10, 1),
                                                    kind="barsel")).returning(EmployeeLeave.id).run()
    return rows[0]["id"]


async def _own_draft(client) -> str:
    """A draft of the persona's own, so the report form and its autosave are found too."""
    created = await client.post("/arbejdsmiljoe/haendelser", data={"_csrf_token": client.cookies.get("csrftoken")})
    return created.headers.get("location", "")


async def _forms(client, persona: str, objects: dict) -> list[Form]:
    forms: dict[str, Form] = {}
    pages = [fill(path, objects) for (method, path), expected in ACCESS.items()
             if method == "GET" and expected[persona] == "ok" and not path.startswith(("/api/", "/static"))
             and not any(word in path for word in ("eksport", "/feed", "indsigt", "mine-data"))]
    draft = await _own_draft(client)
    for page in [*pages, *([draft] if draft.endswith("/rediger") else [])]:
        response = await client.get(page)
        if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        reader = FormReader(page)
        reader.feed(response.text)
        for form in reader.forms:
            if form.action.startswith(SKIPPED_ACTIONS):
                continue
            known = forms.setdefault(form.action, form)
            for name, values in form.fields.items():
                known.fields.setdefault(name, []).extend(values)
    return list(forms.values())


async def _fingerprint() -> dict[str, int]:
    from piccolo.conf.apps import Finder

    from hr.auth.tables import Account

    names = sorted(t._meta.tablename for t in Finder().get_table_classes() if t._meta.tablename not in UNTRACKED)
    sql = " UNION ALL ".join(f"SELECT '{n}' AS name, COUNT(*) AS n FROM \"{n}\"" for n in names)
    return {r["name"]: r["n"] for r in await Account.raw(sql).run()}


ANY_VALUE = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.integers(-2**40, 2**40).map(str),
                      st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat))


@st.composite
def _values(draw, form: Form) -> dict:
    """Mostly what the form offers, so validation gets past the first check, with one or two
    fields replaced by a generated or hostile value (each field's own check is reached)."""
    out = {}
    for name, own in form.fields.items():
        if own and draw(st.integers(0, 9)) < 8:
            out[name] = draw(st.sampled_from(sorted(set(own))))
        elif draw(st.booleans()):
            out[name] = draw(ANY_VALUE)
    names = sorted(form.fields)
    if names:
        for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)):
            out[name] = draw(ANY_VALUE)
    return out


@pytest.mark.parametrize("persona", ["staff", "leader", "amr", "hr", "supervisor"])
async def test_every_form_survives_generated_values(client, world, persona):
    objects = await _objects(world)
    await login(client, world.personas[persona])
    forms = await _forms(client, persona, objects)
    assert len(forms) >= 2, f"found only {[f.action for f in forms]}"
    loop = asyncio.get_running_loop()
    failures: list[str] = []
    statuses: dict[int, int] = {}

    async def post(form: Form, values: dict) -> None:
        before = await _fingerprint()
        data = {**form.fixed, **values, "_csrf_token": client.cookies.get("csrftoken")}
        response = await client.post(form.action, data=data)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            failures.append(f"{form.action} {values!r:.300}: {response.status_code}")
        elif response.status_code >= 400 and not KEEPS_VALID_PART.match(form.action):
            after = await _fingerprint()
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            if changed:
                failures.append(f"{form.action} {values!r:.300}: {response.status_code} but wrote {changed}")

    def explore(form: Form) -> None:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(_values(form))
        def check(values):
            asyncio.run_coroutine_threadsafe(post(form, values), loop).result(timeout=120)

        check()

    for form in forms:
        await asyncio.to_thread(explore, form)
    print(persona, len(forms), "forms", statuses, sorted(f.action for f in forms))
    assert not failures, "\n".join(failures[:30])


def test_the_reader_finds_fields_options_and_hidden_values():
    reader = FormReader("/x")
    reader.feed('<form method="post" action="/y"><input type="hidden" name="_csrf_token" value="t">'
                '<input type="hidden" name="kind" value="a"><select name="unit"><option value="1">A</option>'
                '<option value="2">B</option></select><textarea name="note"></textarea>'
                '<button name="action" value="save">Gem</button></form><form method="get" action="/z"></form>')
    assert [f.action for f in reader.forms] == ["/y"]
    form = reader.forms[0]
    assert form.fixed == {"kind": "a"} and form.fields == {"unit": ["1", "2"], "note": [], "action": ["save"]}
    assert re.match(r"^/", form.action)
