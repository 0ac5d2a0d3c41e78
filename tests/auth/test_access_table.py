"""The role x route table: every route the app registers must be listed here with
the expected outcome for each persona, and each outcome is checked with a real request.
A new route without a row fails `test_every_registered_route_has_a_row`."""

import re

import pytest

from hr.auth.services import create_api_token, load_principal
from tests.conftest import World, login

PERSONAS = ("anon", "staff", "leader", "amr", "hr", "other", "supervisor")
LOGGED_IN = PERSONAS[1:]
EVERYONE = PERSONAS
REPORTERS = ("staff", "leader", "amr", "hr", "other")
AMO = ("leader", "amr", "hr", "other")


def expect(ok=(), hidden=()):
    """ok: allowed; hidden: allowed by role but the object is outside the person's scope (404);
    everyone else: denied (401/403, or sent to login)."""
    return {p: "ok" if p in ok else "hidden" if p in hidden else "deny" for p in PERSONAS}


ACCESS = {
    ("GET", "/"): expect(ok=LOGGED_IN),
    ("GET", "/profil"): expect(ok=LOGGED_IN),
    # Own data: those without an employment (HR, the external supervisor) have none to export.
    ("GET", "/profil/mine-data"): expect(ok=("staff", "leader", "amr", "other"), hidden=("hr", "supervisor")),
    ("GET", "/medarbejdere/{employee_id:int}/indsigt"): expect(ok=("hr",)),
    ("GET", "/login"): expect(ok=EVERYONE),
    ("POST", "/login"): expect(ok=EVERYONE),
    ("GET", "/adgangskode/glemt"): expect(ok=EVERYONE),
    ("POST", "/adgangskode/glemt"): expect(ok=EVERYONE),
    ("GET", "/adgangskode/nulstil/{token:str}"): expect(ok=EVERYONE),
    ("POST", "/adgangskode/nulstil/{token:str}"): expect(ok=EVERYONE),
    # Public, but there only when work-account sign-in is configured (not in this test).
    ("GET", "/login/arbejdskonto"): expect(hidden=EVERYONE),
    ("GET", "/login/arbejdskonto/svar"): expect(hidden=EVERYONE),
    ("POST", "/logout"): expect(ok=LOGGED_IN),
    ("GET", "/health"): expect(ok=EVERYONE),
    ("GET", "/health/live"): expect(ok=EVERYONE),
    ("GET", "/health/ready"): expect(ok=EVERYONE),
    # From the machine itself (the test client is on loopback); elsewhere only with the token
    # (tests/ops/test_metrics.py).
    ("GET", "/metrics"): expect(ok=EVERYONE),
    ("GET", "/tilgaengelighed"): expect(ok=EVERYONE),
    ("GET", "/organisation"): expect(ok=("leader", "amr", "hr", "other")),
    ("GET", "/organisation/tilbud/{institution_id:int}"): expect(ok=("leader", "amr", "hr"), hidden=("other",)),
    ("POST", "/organisation/tilbud/{institution_id:int}/metoder"): expect(ok=("hr",)),
    ("GET", "/organisation/tilbud/ny"): expect(ok=("hr",)),
    ("POST", "/organisation/tilbud/ny"): expect(ok=("hr",)),
    ("GET", "/organisation/tilbud/{institution_id:int}/rediger"): expect(ok=("hr",)),
    ("POST", "/organisation/tilbud/{institution_id:int}/rediger"): expect(ok=("hr",)),
    ("GET", "/organisation/afdelinger/{unit_id:int}"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("GET", "/medarbejdere"): expect(ok=("leader", "hr", "other")),
    ("GET", "/medarbejdere/eksport"): expect(ok=("leader", "hr", "other")),
    ("POST", "/medarbejdere/{employee_id:int}/orlov"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/medarbejdere/{employee_id:int}/orlov/{leave_id:int}/slut"): expect(hidden=("leader", "hr", "other")),
    ("GET", "/medarbejdere/{employee_id:int}"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("GET", "/admin/metoder"): expect(ok=("hr",)),
    ("POST", "/admin/metoder"): expect(ok=("hr",)),
    ("POST", "/admin/metoder/{method_id:int}/status"): expect(ok=("hr",)),
    ("GET", "/admin/import"): expect(ok=("hr",)),
    ("POST", "/admin/import"): expect(ok=("hr",)),
    ("GET", "/admin/api-noegler"): expect(ok=("hr",)),
    ("POST", "/admin/api-noegler"): expect(ok=("hr",)),
    ("POST", "/admin/api-noegler/{token_id:int}/tilbagekald"): expect(ok=("hr",)),
    ("GET", "/admin/revisionslog"): expect(ok=("hr",)),
    ("GET", "/admin/brugere"): expect(ok=("hr",)),
    ("POST", "/admin/brugere"): expect(ok=("hr",)),
    ("GET", "/admin/brugere/{account_id:int}"): expect(ok=("hr",)),
    ("POST", "/admin/brugere/{account_id:int}/roller"): expect(ok=("hr",)),
    ("POST", "/admin/brugere/{account_id:int}/roller/{assignment_id:int}/fjern"): expect(ok=("hr",)),
    ("POST", "/admin/brugere/{account_id:int}/adgangskode"): expect(ok=("hr",)),
    ("POST", "/admin/brugere/{account_id:int}/status"): expect(ok=("hr",)),
    ("GET", "/admin/arbejdskonti"): expect(ok=("hr",)),
    ("POST", "/admin/import/loenfiler/{file_id:int}/set"): expect(hidden=("hr",)),
    ("POST", "/admin/arbejdskonti/{conflict_id:int}"): expect(ok=("hr",)),
    ("GET", "/profil/adgangskode"): expect(ok=LOGGED_IN),
    ("POST", "/profil/adgangskode"): expect(ok=LOGGED_IN),
    ("GET", "/arbejdsmiljoe"): expect(ok=REPORTERS),
    ("POST", "/arbejdsmiljoe/haendelser"): expect(ok=REPORTERS),
    ("GET", "/arbejdsmiljoe/haendelser"): expect(ok=REPORTERS),
    ("GET", "/arbejdsmiljoe/afdelingens-medarbejdere"): expect(ok=REPORTERS),
    # incident_id is a submitted report by the staff member in unit A1.
    ("GET", "/arbejdsmiljoe/haendelser/{incident_id:int}"): expect(ok=("staff", "leader", "amr", "hr"),
                                                                   hidden=("other",)),
    ("GET", "/arbejdsmiljoe/haendelser/{incident_id:int}/rediger"): expect(ok=("staff", "leader", "amr", "hr"),
                                                                           hidden=("other",)),
    ("POST", "/arbejdsmiljoe/haendelser/{incident_id:int}/rediger"): expect(hidden=REPORTERS),
    ("POST", "/arbejdsmiljoe/haendelser/{incident_id:int}/kladde"): expect(hidden=REPORTERS),
    ("POST", "/arbejdsmiljoe/haendelser/{incident_id:int}/ret"): expect(ok=("staff", "leader", "hr"),
                                                                        hidden=("other",)),
    ("GET", "/arbejdsmiljoe/opfoelgning"): expect(ok=("leader", "amr", "hr", "other")),
    ("GET", "/arbejdsmiljoe/opfoelgning/eksport"): expect(ok=("leader", "amr", "hr", "other")),
    ("POST", "/arbejdsmiljoe/haendelser/{incident_id:int}/gennemgang"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/arbejdsmiljoe/haendelser/{incident_id:int}/stoette"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/arbejdsmiljoe/haendelser/{incident_id:int}/eksternt"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/arbejdsmiljoe/haendelser/{incident_id:int}/afslut"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/arbejdsmiljoe/haendelser/{incident_id:int}/fravaer"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/arbejdsmiljoe/haendelser/{incident_id:int}/fravaer/{period_id:int}/afslut"): expect(
        ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/arbejdsmiljoe/haendelser/{incident_id:int}/fravaer/{period_id:int}/slet"): expect(
        ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/arbejdsmiljoe/haendelser/{incident_id:int}/handlinger"): expect(ok=("leader", "hr"),
                                                                               hidden=("other",)),
    ("POST", "/arbejdsmiljoe/haendelser/{incident_id:int}/easy-oplysninger"): expect(ok=("leader", "hr"),
                                                                                    hidden=("other",)),
    # The table's incident is a near miss, which has no EASY sheet: 404 for those who follow up.
    ("GET", "/arbejdsmiljoe/haendelser/{incident_id:int}/easy"): expect(hidden=("leader", "hr", "other")),
    ("GET", "/arbejdsmiljoe/handlinger"): expect(ok=REPORTERS),
    ("GET", "/arbejdsmiljoe/handlinger/eksport"): expect(ok=REPORTERS),
    ("GET", "/arbejdsmiljoe/haendelser/eksport"): expect(ok=REPORTERS),
    ("GET", "/arbejdsmiljoe/paabud/eksport"): expect(ok=AMO),
    ("GET", "/arbejdsmiljoe/apv/eksport"): expect(ok=AMO),
    ("GET", "/arbejdsmiljoe/magtanvendelser/import"): expect(ok=("leader", "hr", "other")),
    ("POST", "/arbejdsmiljoe/magtanvendelser/import"): expect(ok=("leader", "hr", "other")),
    ("GET", "/arbejdsmiljoe/magtanvendelser/maaned"): expect(ok=("leader", "hr", "other")),
    ("GET", "/arbejdsmiljoe/magtanvendelser/maaned/eksport"): expect(ok=("leader", "hr", "other")),
    # The head of the institution or HR reports the month; a unit leader sees the list only.
    ("POST", "/arbejdsmiljoe/magtanvendelser/maaned/indberettet"): expect(ok=("hr",)),
    ("GET", "/arbejdsmiljoe/admin"): expect(ok=("hr",)),
    ("POST", "/arbejdsmiljoe/admin/regler"): expect(ok=("hr",)),
    ("POST", "/arbejdsmiljoe/admin/regler/{rule_id:int}/status"): expect(ok=("hr",)),
    ("POST", "/arbejdsmiljoe/admin/faktorer"): expect(ok=("hr",)),
    ("POST", "/arbejdsmiljoe/admin/faktorer/{factor_id:int}/status"): expect(ok=("hr",)),
    ("GET", "/supervision/supervisorer"): expect(ok=("hr",)),
    ("POST", "/supervision/supervisorer"): expect(ok=("hr",)),
    ("GET", "/supervision/supervisorer/{supervisor_id:int}"): expect(ok=("hr",)),
    ("POST", "/supervision/supervisorer/{supervisor_id:int}"): expect(ok=("hr",)),
    ("POST", "/supervision/supervisorer/{supervisor_id:int}/undtagelser"): expect(ok=("hr",)),
    ("POST", "/supervision/supervisorer/{supervisor_id:int}/tilgaengelighed"): expect(ok=("hr",)),
    ("POST", "/supervision/supervisorer/{supervisor_id:int}/fravaer"): expect(ok=("hr",)),
    # window 999 does not exist: HR gets 404, everyone else is refused before that.
    ("POST", "/supervision/supervisorer/{supervisor_id:int}/tilgaengelighed/{window_id:int}/slet"): expect(
        hidden=("hr",)),
    ("GET", "/supervision/match"): expect(ok=("leader", "hr", "other")),
    ("GET", "/supervision/krav"): expect(ok=("hr",)),
    ("GET", "/supervision/bookinger"): expect(ok=("leader", "hr", "other")),
    ("GET", "/supervision/bookinger/eksport"): expect(ok=("leader", "hr", "other")),
    ("GET", "/supervision/bookinger/deltagere"): expect(ok=("leader", "hr", "other")),
    ("GET", "/supervision/bookinger/ledige"): expect(ok=("leader", "hr", "other")),
    ("GET", "/supervision/bookinger/ny"): expect(ok=("leader", "hr", "other")),
    ("POST", "/supervision/bookinger/ny"): expect(ok=("leader", "hr", "other")),
    # booking_id is booked by the leader of unit A1.
    # ... and supervised by someone else: the supervisor persona's own sessions are theirs to see.
    ("GET", "/supervision/bookinger/{booking_id:int}"): expect(ok=("leader", "hr"), hidden=("other", "supervisor")),
    ("POST", "/supervision/bookinger/{booking_id:int}/aflys"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/supervision/bookinger/{booking_id:int}/flyt"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("GET", "/supervision/kalender"): expect(ok=LOGGED_IN),
    ("GET", "/kompetence"): expect(ok=("leader", "hr", "other")),
    ("GET", "/ledelsesinformation"): expect(ok=("leader", "hr", "other")),
    ("GET", "/ledelsesinformation/eksport"): expect(ok=("leader", "hr", "other")),
    ("GET", "/arbejdsmiljoe/analyse"): expect(ok=("leader", "amr", "hr", "other")),
    ("GET", "/arbejdsmiljoe/analyse/eksport"): expect(ok=("leader", "amr", "hr", "other")),
    ("GET", "/kompetence/eksport"): expect(ok=("leader", "hr", "other")),
    ("GET", "/kompetence/moduler"): expect(ok=("leader", "hr", "other")),
    ("POST", "/kompetence/moduler"): expect(ok=("hr",)),
    ("GET", "/kompetence/moduler/eksport"): expect(ok=("leader", "hr", "other")),
    ("GET", "/kompetence/moduler/import"): expect(ok=("hr",)),
    ("POST", "/kompetence/moduler/import"): expect(ok=("hr",)),
    ("GET", "/kompetence/moduler/{module_id:int}"): expect(ok=("leader", "hr", "other")),
    ("POST", "/kompetence/moduler/{module_id:int}"): expect(ok=("hr",)),
    ("POST", "/kompetence/moduler/{module_id:int}/hold"): expect(ok=("hr",)),
    ("GET", "/kompetence/mit"): expect(ok=LOGGED_IN),
    # employee_id is the staff member in unit A1; the enrolment and certificate are theirs.
    ("GET", "/kompetence/medarbejdere/{employee_id:int}"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/kompetence/medarbejdere/{employee_id:int}/forloeb"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/kompetence/forloeb/{enrolment_id:int}/status"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/kompetence/forloeb/{enrolment_id:int}/bevis"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("GET", "/kompetence/beviser/{certificate_id:int}"): expect(ok=("staff", "leader", "hr"),
                                                               hidden=("amr", "other", "supervisor")),
    ("GET", "/kompetence/planer"): expect(ok=("leader", "hr", "other")),
    ("POST", "/kompetence/planer"): expect(ok=("leader", "hr", "other")),
    ("GET", "/kompetence/planer/{plan_id:int}"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/kompetence/planer/{plan_id:int}/maal"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("GET", "/kompetence/hold"): expect(ok=("leader", "hr", "other")),
    ("POST", "/kompetence/hold"): expect(ok=("hr",)),
    ("GET", "/kompetence/hold/{cohort_id:int}"): expect(ok=("leader", "hr", "other")),
    ("POST", "/kompetence/hold/{cohort_id:int}/indstil"): expect(ok=("leader", "hr", "other")),
    ("POST", "/kompetence/hold/{cohort_id:int}/bekraeft"): expect(ok=("hr",)),
    # nomination_id is the leader's own nomination (institution A).
    ("POST", "/kompetence/indstillinger/{nomination_id:int}/udvaelg"): expect(ok=("hr",)),
    ("POST", "/kompetence/indstillinger/{nomination_id:int}/venteliste"): expect(ok=("hr",)),
    ("POST", "/kompetence/indstillinger/{nomination_id:int}/fravaelg"): expect(ok=("hr",)),
    ("POST", "/kompetence/indstillinger/{nomination_id:int}/traek"): expect(
        ok=("leader", "hr"), hidden=("staff", "amr", "other", "supervisor")),
    ("POST", "/kompetence/indstillinger/{nomination_id:int}/accepter"): expect(
        ok=("leader", "hr"), hidden=("staff", "amr", "other", "supervisor")),
    ("POST", "/kompetence/indstillinger/{nomination_id:int}/afslaa"): expect(
        ok=("leader", "hr"), hidden=("staff", "amr", "other", "supervisor")),
    ("GET", "/admin/post"): expect(ok=("hr",)),
    ("GET", "/admin/post/{message_id:int}"): expect(ok=("hr",)),
    ("POST", "/admin/post/{message_id:int}/send-igen"): expect(ok=("hr",)),
    ("GET", "/admin/paamindelser"): expect(ok=("hr",)),
    ("POST", "/admin/paamindelser/typer"): expect(ok=("hr",)),
    ("POST", "/admin/paamindelser/koer"): expect(ok=("hr",)),
    ("GET", "/profil/notifikationer"): expect(ok=LOGGED_IN),
    ("POST", "/profil/notifikationer"): expect(ok=LOGGED_IN),
    ("GET", "/supervision/overblik"): expect(ok=("leader", "hr", "other")),
    ("GET", "/supervision/overblik/eksport"): expect(ok=("leader", "hr", "other")),
    ("GET", "/supervision/overblik/udvikling/eksport"): expect(ok=("leader", "hr", "other")),
    ("POST", "/supervision/kalender/link"): expect(ok=LOGGED_IN),
    ("POST", "/supervision/kalender/link/slet"): expect(ok=LOGGED_IN),
    ("POST", "/supervision/kalender/bed-om-tid"): expect(ok=LOGGED_IN),
    # A wrong secret token finds nothing, for everyone.
    ("GET", "/supervision/feed/{token:str}"): expect(hidden=EVERYONE),
    ("GET", "/supervision/supervisorer/{supervisor_id:int}/kalender"): expect(ok=("hr",)),
    ("POST", "/supervision/bookinger/{booking_id:int}/afmeld"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/supervision/bookinger/{booking_id:int}/tilfoej"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/supervision/bookinger/{booking_id:int}/fremmoede"): expect(ok=("leader", "hr"),
                                                                          hidden=("other", "supervisor")),
    ("POST", "/supervision/krav"): expect(ok=("hr",)),
    ("GET", "/arbejdsmiljoe/paabud"): expect(ok=AMO),
    ("POST", "/arbejdsmiljoe/paabud"): expect(ok=AMO),
    # order_id and apv_id belong to institution A, unit A1.
    ("GET", "/arbejdsmiljoe/paabud/{order_id:int}"): expect(ok=("leader", "amr", "hr"), hidden=("other",)),
    ("POST", "/arbejdsmiljoe/paabud/{order_id:int}"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/arbejdsmiljoe/paabud/{order_id:int}/handlinger"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/arbejdsmiljoe/paabud/{order_id:int}/dokumenter"): expect(ok=("leader", "hr"), hidden=("other",)),
    # No such document: those who may see the order's documents get 404, the others are refused.
    ("GET", "/arbejdsmiljoe/paabud/{order_id:int}/dokumenter/{document_id:int}"): expect(
        hidden=("leader", "amr", "hr", "other")),
    ("GET", "/arbejdsmiljoe/apv"): expect(ok=AMO),
    ("POST", "/arbejdsmiljoe/apv"): expect(ok=AMO),
    ("POST", "/arbejdsmiljoe/apv/aendret"): expect(ok=AMO),
    ("GET", "/arbejdsmiljoe/apv/{apv_id:int}"): expect(ok=("leader", "amr", "hr"), hidden=("other",)),
    ("POST", "/arbejdsmiljoe/apv/{apv_id:int}"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("POST", "/arbejdsmiljoe/apv/{apv_id:int}/handlinger"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("GET", "/arbejdsmiljoe/droeftelser"): expect(ok=AMO),
    ("POST", "/arbejdsmiljoe/droeftelser"): expect(ok=AMO),
    # action_id is owned by the staff member, in unit A1.
    ("POST", "/arbejdsmiljoe/handlinger/{action_id:int}/luk"): expect(ok=("staff", "leader", "hr"),
                                                                      hidden=("amr", "other")),
    ("GET", "/api/v1/me"): expect(ok=LOGGED_IN),
    ("GET", "/api/v1/me/tasks"): expect(ok=LOGGED_IN),
    ("GET", "/api/v1/institutions"): expect(ok=("leader", "amr", "hr", "other")),
    ("GET", "/api/v1/employees"): expect(ok=("leader", "hr", "other")),
    ("GET", "/api/v1/employees/{employee_id:int}"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("GET", "/api/v1/workenv/incidents"): expect(ok=REPORTERS),
    ("GET", "/api/v1/workenv/incidents/{incident_id:int}"): expect(ok=("staff", "leader", "amr", "hr"),
                                                                 hidden=("other",)),
    ("GET", "/api/v1/workenv/actions"): expect(ok=REPORTERS),
    ("GET", "/api/v1/workenv/orders"): expect(ok=AMO),
    ("GET", "/api/v1/workenv/apvs"): expect(ok=AMO),
    ("GET", "/api/v1/supervision/supervisors"): expect(ok=("leader", "hr", "other")),
    ("GET", "/api/v1/supervision/bookings"): expect(ok=("leader", "hr", "other")),
    ("GET", "/api/v1/supervision/bookings/{booking_id:int}"): expect(ok=("leader", "hr"), hidden=("other",)),
    ("GET", "/api/v1/supervision/compliance"): expect(ok=("leader", "hr", "other")),
    ("GET", "/api/v1/competence/modules"): expect(ok=("leader", "hr", "other")),
    ("GET", "/api/v1/competence/enrolments"): expect(ok=("leader", "hr", "other")),
    ("GET", "/api/v1/competence/cohorts"): expect(ok=("leader", "hr", "other")),
    ("GET", "/api/v1/competence/cohorts/{cohort_id:int}"): expect(ok=("leader", "hr", "other")),
    ("GET", "/api/v1/schema"): expect(ok=EVERYONE),
    ("GET", "/api/v1/schema/openapi.json"): expect(ok=EVERYONE),
    ("GET", "/api/v1/schema/proev"): expect(ok=EVERYONE),  # RapiDoc, to try calls
    ("GET", "/api/v1/schema/{path:str}"): expect(ok=EVERYONE),
    ("GET", "/static/app/{file_path:path}"): expect(ok=EVERYONE),
    ("GET", "/static/vendor/dkfds/{file_path:path}"): expect(ok=EVERYONE),
    ("GET", "/static/vendor/htmx/{file_path:path}"): expect(ok=EVERYONE),
    ("GET", "/static/vendor/rapidoc/{file_path:path}"): expect(ok=EVERYONE),
}

STATIC_FILES = {
    "/static/app/{file_path:path}": "app.css",
    "/static/vendor/dkfds/{file_path:path}": "css/dkfds.min.css",
    "/static/vendor/htmx/{file_path:path}": "htmx.min.js",
    "/static/vendor/rapidoc/{file_path:path}": "rapidoc-min.js",
}


def registered_routes(app):
    for route in app.routes:
        for handler in route.route_handlers:
            for method in getattr(handler, "http_methods", ()):
                yield method, route.path, handler


def test_every_registered_route_has_a_row(app):
    registered = {(m, p) for m, p, _ in registered_routes(app) if m not in ("OPTIONS", "HEAD")}
    assert registered - set(ACCESS) == set(), "routes without a row in the access table"
    assert set(ACCESS) - registered == set(), "rows for routes that no longer exist"


def test_every_handler_names_a_known_permission(app):
    from hr.auth.rules import PERMISSIONS, PUBLIC

    for method, path, handler in registered_routes(app):
        if method == "OPTIONS":
            continue  # Litestar's automatic OPTIONS handlers: refused by the guard, checked below
        permission = handler.opt.get("permission")
        assert permission == PUBLIC or permission in PERMISSIONS, (method, path)
        if path.startswith("/api/v1/") and not path.startswith("/api/v1/schema"):
            assert handler.opt.get("api_scope"), f"API route {path} needs a token scope"


def fill(path: str, values: dict) -> str:
    def replace(match):
        return str(values[match.group(1)])

    return re.sub(r"\{(\w+):\w+\}", replace, path)


def outcome(response) -> str:
    if response.status_code in (401, 403):
        return "deny"
    if response.status_code in (301, 302, 303, 307) and response.headers["location"].startswith("/login?next="):
        return "deny"
    if response.status_code == 404:
        return "hidden"
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    return "ok"


@pytest.mark.parametrize("persona", PERSONAS)
async def test_each_route_allows_and_denies_as_the_table_says(app, new_client, world, persona):
    hr_principal = await load_principal(world.accounts["hr"])
    _, spare_token = await create_api_token(hr_principal, world.accounts["hr"], "spare", ["org:read"])
    spare_id = (await _token_ids())[-1]
    client = new_client()
    headers = {}
    if persona != "anon":
        await login(client, world.personas[persona])
        principal = await load_principal(world.accounts[persona])
        _, token = await create_api_token(principal, world.accounts[persona], "test",
                                          ["org:read", "workenv:read", "supervision:read", "competence:read",
                                           "tasks:read"])
        headers = {"Authorization": f"Bearer {token}"}
    else:
        await client.get("/login")
    values = {"institution_id": world.inst_a, "unit_id": world.unit_a1, "employee_id": world.staff_employee,
              "method_id": world.method_krap, "token_id": spare_id, "path": "openapi.json",
              "account_id": world.accounts["supervisor"], "assignment_id": await _supervisor_role(world),
              "incident_id": await _submitted_incident(world), "action_id": await _action(world),
              "order_id": await _order(world), "apv_id": await _apv(world), "rule_id": 1, "factor_id": 1,
              "supervisor_id": await _supervisor(world), "booking_id": await _booking(world),
              "window_id": 999, "token": "not-a-real-token",
              "leave_id": 999, "period_id": 999, "document_id": 999, "conflict_id": 999, "file_id": 999,
              "message_id": await _message(),
              **await _competence(world)}
    from hr.ops import health

    await health.beat("access-table")  # a scheduler alive, so readiness answers 200
    # Logging out ends the session, so it goes last.
    rows = sorted(ACCESS.items(), key=lambda item: item[0] == ("POST", "/logout"))
    failures = []
    for (method, path), expected in rows:
        url = fill(path, {**values, "file_path": STATIC_FILES.get(path, "")})
        if method == "GET":
            response = await client.get(url, headers=headers if path.startswith("/api/") else {})
        else:
            token = client.cookies.get("csrftoken")
            response = await client.post(url, data={"_csrf_token": token})
        got = outcome(response)
        if got != expected[persona]:
            failures.append(f"{method} {path}: expected {expected[persona]}, got {got} ({response.status_code})")
    assert not failures, "\n".join(failures)


async def _competence(world) -> dict:
    from datetime import date

    from hr.competence.tables import Certificate, Cohort, Enrolment, Module, Nomination, Plan

    async def insert(table, **values) -> int:
        return (await table.insert(table(**values)).returning(table.id).run())[0]["id"]

    module = await insert(Module, code="T-1", title="Testmodul", ects=10)
    enrolment = await insert(Enrolment, employee=world.staff_employee, module=module, state="passed")
    certificate = await insert(Certificate, enrolment=enrolment, filename="bevis.pdf", content_type="application/pdf",
                               size=9, data=b"%PDF-1.4\n")
    plan = await insert(Plan, institution=world.inst_a, year=2027, title="Plan A 2027")
    cohort = await insert(Cohort, year=2027, nomination_deadline=date(2099, 1, 1))
    nomination = await insert(Nomination, cohort=cohort, employee=world.leader_employee, institution=world.inst_a,
                              motivation="En god leder med masser af potentiale")
    return {"module_id": module, "enrolment_id": enrolment, "certificate_id": certificate, "plan_id": plan,
            "cohort_id": cohort, "nomination_id": nomination}


async def _message():
    from hr.db import transaction
    from hr.notify.outbox import Mail, enqueue
    from hr.notify.tables import OutboxMessage

    async with transaction():
        await enqueue(Mail(key="access-test", kind="test", to_address="x@test.example", template="test_message",
                           context={"name": "X", "text": "Y"}))
    await OutboxMessage.update({OutboxMessage.status: "failed"}, force=True).run()
    return (await OutboxMessage.select(OutboxMessage.id).first().run())["id"]


async def _submitted_incident(world):
    from hr.db import now
    from hr.workenv.tables import Incident

    rows = await Incident.insert(Incident(
        kind="near_miss", status="submitted", occurred_at=now(), submitted_at=now(), unit=world.unit_a1,
        institution=world.inst_a, reporter=world.accounts["staff"], place_type="common", description="x",
        severity=1)).returning(Incident.id).run()
    return rows[0]["id"]


async def _order(world):
    from datetime import date

    from hr.workenv.tables import Order

    rows = await Order.insert(Order(case_number="AT-1", received_on=date(2026, 1, 5), order_type="frist",
                                    institution=world.inst_a, unit=world.unit_a1)).returning(Order.id).run()
    return rows[0]["id"]


async def _apv(world):
    from datetime import date

    from hr.workenv.tables import Apv

    rows = await Apv.insert(Apv(institution=world.inst_a, unit=world.unit_a1, started_on=date(2026, 1, 5))
                            ).returning(Apv.id).run()
    return rows[0]["id"]


async def _supervisor(world):
    from hr.supervision.tables import Supervisor

    rows = await Supervisor.insert(Supervisor(name="Sif")).returning(Supervisor.id).run()
    return rows[0]["id"]


async def _booking(world):
    from hr.db import now
    from hr.supervision.tables import Booking, BookingParticipant, Supervisor

    supervisor = (await Supervisor.insert(Supervisor(name="B")).returning(Supervisor.id).run())[0]["id"]
    rows = await Booking.insert(Booking(
        supervisor=supervisor, starts_at=now(), ends_at=now(), session_type="group", capacity=4,
        institution=world.inst_a, unit=world.unit_a1, booked_by=world.accounts["leader"], uid="test-uid",
    )).returning(Booking.id).run()
    await BookingParticipant.insert(BookingParticipant(booking=rows[0]["id"], employee=world.staff_employee)).run()
    return rows[0]["id"]


async def _action(world):
    from hr.workenv.tables import ActionItem

    rows = await ActionItem.insert(ActionItem(
        source_type="incident", source_id=1, institution=world.inst_a, unit=world.unit_a1, problem="p",
        measure="m", owner=world.accounts["staff"], effect_check="e")).returning(ActionItem.id).run()
    return rows[0]["id"]


async def _supervisor_role(world):
    from hr.auth.tables import RoleAssignment

    row = await RoleAssignment.select(RoleAssignment.id).where(
        RoleAssignment.account == world.accounts["supervisor"]).first().run()
    return row["id"]


async def _token_ids():
    from hr.auth.tables import ApiToken

    return [r["id"] for r in await ApiToken.select(ApiToken.id).order_by(ApiToken.id).run()]


async def test_automatic_options_handlers_reveal_nothing(client, world):
    await login(client, World.HR)
    response = await client.options("/medarbejdere")
    assert response.status_code == 403


async def test_the_api_ignores_the_browser_session_cookie(client, world):
    await login(client, World.HR)
    response = await client.get("/api/v1/employees")
    assert response.status_code == 401


async def test_a_token_without_the_scope_is_refused(client, world):
    from hr.auth.tables import ApiToken

    principal = await load_principal(world.accounts["hr"])
    _, token = await create_api_token(principal, world.accounts["hr"], "x", ["org:read"])
    await ApiToken.update({ApiToken.scopes: ""}, force=True).run()
    response = await client.get("/api/v1/employees", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
