"""Test set-up: a real database per run (SQLite or PostgreSQL, chosen by HR_TEST_DB),
migrated with the committed migrations, emptied after each test; shared personas."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest_plugins = ["tests.confirmations"]

ENGINE = os.environ.get("HR_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("HR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
# One database per test process: parallel runs (two checkouts, xdist workers) never collide.
PG_DB = f"hr_test_{os.getpid()}"


def _prepare_url() -> str:
    if ENGINE == "postgres":
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"
    if ENGINE != "sqlite":
        raise pytest.UsageError(f"HR_TEST_DB must be sqlite or postgres, not {ENGINE!r}")
    path = Path(tempfile.mkdtemp(prefix="hr-test-")) / "test.sqlite"
    return f"sqlite:///{path}"


# Must happen before anything imports hr.piccolo_conf (the engine is chosen at import).
os.environ["HR_DATABASE_URL"] = _prepare_url()
os.environ["HR_MODE"] = "dev"
os.environ["HR_SCHEDULER"] = "off"  # tests start the scheduler themselves where they test it
os.environ["HR_DASHBOARD_CACHE_SECONDS"] = "0"  # tests read their own writes; the cache has its own test
os.environ.pop("HR_SECRET_KEY", None)

import httpx  # noqa: E402

from hr import db  # noqa: E402
from hr.auth.principal import Role  # noqa: E402
from hr.auth.services import create_account  # noqa: E402
from hr.org.tables import Employee, Institution, InstitutionMethod, Method, Unit  # noqa: E402

PASSWORD = "Test-adgang-2026"
_HASH: list[str] = []


def password_hash() -> str:
    """Hashing is deliberately slow (argon2); hash the shared test password once."""
    if not _HASH:
        from hr.auth.passwords import hash_password

        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


def pytest_report_header(config):
    return f"hr database engine: {ENGINE} ({os.environ['HR_DATABASE_URL']})"


async def _recreate_pg_database() -> None:
    import asyncpg

    try:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
    except Exception as exc:  # unreachable PostgreSQL must fail the run, never skip it
        pytest.exit(f"PostgreSQL is unreachable at {PG_ADMIN_URL}: {exc}", returncode=3)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{PG_DB}"')
    finally:
        await conn.close()


async def _drop_pg_database() -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    finally:
        await conn.close()


def all_tables():
    from piccolo.conf.apps import Finder

    return Finder().get_table_classes()


@pytest.fixture(scope="session", autouse=True)
async def database():
    if ENGINE == "postgres":
        await _recreate_pg_database()
    from hr.migrate import migrate

    await db.start()
    await migrate()
    yield
    await db.stop()
    if ENGINE == "postgres":
        await _drop_pg_database()


@pytest.fixture(autouse=True)
async def clean(database):
    yield
    tables = all_tables()
    if ENGINE == "postgres":
        names = ", ".join(f'"{t._meta.tablename}"' for t in tables)
        await db.engine().run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    else:
        for table in reversed(_dependency_order(tables)):
            await table.delete(force=True).run()
    await reseed()


async def reseed() -> None:
    """Seed data that migrations put in (rules from law, starting lists) comes back after each test."""
    import importlib

    seed = importlib.import_module("hr.workenv.piccolo_migrations.workenv_2026_11_27t02_20_00_000000")
    await seed.ReportingRule.insert(*[seed.ReportingRule(**rule) for rule in seed.RULES]).run()
    await seed.ContributingFactor.insert(*[seed.ContributingFactor(name=n) for n in seed.FACTORS]).run()
    debriefing = importlib.import_module("hr.workenv.piccolo_migrations.workenv_2026_12_02t18_30_54_000000")
    await debriefing.ReportingRule.insert(*[debriefing.ReportingRule(**rule) for rule in debriefing.RULES]).run()
    children = importlib.import_module("hr.workenv.piccolo_migrations.workenv_2026_12_03t06_47_25_000000")
    await children.seed()
    preapproved = importlib.import_module("hr.workenv.piccolo_migrations.workenv_2026_12_03t07_13_36_000000")
    await preapproved.seed()
    esaw = importlib.import_module("hr.workenv.piccolo_migrations.workenv_2026_12_03t07_20_00_000000")
    await esaw.seed()
    supervision = importlib.import_module("hr.supervision.piccolo_migrations.supervision_2026_11_27t03_20_00_000000")
    await supervision.Requirement.insert(*[supervision.Requirement(**row) for row in supervision.DEFAULTS]).run()


def _dependency_order(tables):
    from piccolo.table import sort_table_classes

    return sort_table_classes(tables)


@pytest.fixture(scope="session")
def app(database):
    from hr.app import create_app

    return create_app()


@pytest.fixture
async def client(app):
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def new_client(app):
    """Factory for extra, independent browsers (another person logged in)."""
    clients = []

    def make(ip: str = "127.0.0.1") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(ip, 50000))
        c = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(c)
        return c

    yield make
    for c in clients:
        asyncio.get_event_loop().create_task(c.aclose())


CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: httpx.AsyncClient, path: str = "/login") -> str:
    response = await client.get(path)
    match = CSRF_RE.search(response.text)
    assert match, f"no CSRF token on {path} (status {response.status_code})"
    return match.group(1)


async def post_form(client: httpx.AsyncClient, path: str, data: dict | None = None,
                    files=None, token_from: str = "/login") -> httpx.Response:
    # The form token equals the CSRF cookie; fetch a page only when there is no cookie yet.
    token = client.cookies.get("csrftoken") or await csrf_token(client, token_from)
    return await client.post(path, data={**(data or {}), "_csrf_token": token}, files=files)


async def followed(client: httpx.AsyncClient, response: httpx.Response) -> str:
    """An action's answer is a redirect (post/redirect/get): the page it leads to, where the
    confirmation is shown."""
    assert response.status_code in (302, 303), f"{response.status_code}: {response.text[:300]}"
    return (await client.get(response.headers["location"])).text


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    response = await post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, f"login as {email} failed: {response.status_code}"
    return response


@dataclass
class World:
    """A small region: institution A (units A1, A2) and institution B (unit B1)."""

    inst_a: int
    inst_b: int
    unit_a1: int
    unit_a2: int
    unit_b1: int
    method_krap: int
    staff_employee: int
    leader_employee: int
    other_employee: int
    accounts: dict[str, int]

    STAFF = "staff@test.example"
    LEADER = "leader@test.example"
    AMR = "amr@test.example"
    HR = "hr@test.example"
    OTHER = "other@test.example"
    SUPERVISOR = "supervisor@test.example"

    @property
    def personas(self) -> dict[str, str]:
        return {"staff": self.STAFF, "leader": self.LEADER, "amr": self.AMR, "hr": self.HR,
                "other": self.OTHER, "supervisor": self.SUPERVISOR}


async def make_account(email, name, employee_id=None, roles=(), staff_responsibility=False) -> int:
    from hr.auth.tables import Account

    account_id = await create_account(email, name, None, roles=roles, employee_id=employee_id,
                                      staff_responsibility=staff_responsibility)
    await Account.update({Account.password_hash: password_hash()}).where(Account.id == account_id).run()
    return account_id


async def _insert(table, **values) -> int:
    rows = await table.insert(table(**values)).returning(table.id).run()
    return rows[0]["id"]


@pytest.fixture
async def world() -> World:
    krap = await _insert(Method, name="KRAP")
    await _insert(Method, name="Low Arousal")
    inst_a = await _insert(Institution, code="A", name="Tilbud A", kind="Botilbud", places=20)
    inst_b = await _insert(Institution, code="B", name="Tilbud B", kind="Sikret", places=10)
    await InstitutionMethod.insert(InstitutionMethod(institution=inst_a, method=krap)).run()
    a1 = await _insert(Unit, code="A1", name="Afdeling A1", institution=inst_a)
    a2 = await _insert(Unit, code="A2", name="Afdeling A2", institution=inst_a)
    b1 = await _insert(Unit, code="B1", name="Afdeling B1", institution=inst_b)
    leader_e = await _insert(Employee, employee_number="900", name="Lene Leder", email=World.LEADER,
                             job_title="Afdelingsleder", unit=a1)
    staff_e = await _insert(Employee, employee_number="901", name="Søren Ståbi", email=World.STAFF,
                            job_title="Socialpædagog", unit=a1, manager=leader_e)
    amr_e = await _insert(Employee, employee_number="902", name="Åse Amr", email=World.AMR,
                          job_title="Socialpædagog", unit=a2)
    other_e = await _insert(Employee, employee_number="903", name="Bo Andetsted", email=World.OTHER,
                            job_title="Afdelingsleder", unit=b1)
    await _insert(Employee, employee_number="904", name="Ib Kollega", email="ib@test.example",
                  job_title="Socialpædagog", unit=a2)
    accounts = {
        "staff": await make_account(World.STAFF, "Søren Ståbi", employee_id=staff_e),
        "leader": await make_account(World.LEADER, "Lene Leder", employee_id=leader_e,
                                       roles=[(Role.LEADER, inst_a, a1)], staff_responsibility=True),
        "amr": await make_account(World.AMR, "Åse Amr", employee_id=amr_e,
                                    roles=[(Role.AMR, inst_a, None)]),
        "hr": await make_account(World.HR, "Hanne HR", roles=[(Role.HR, None, None)]),
        "other": await make_account(World.OTHER, "Bo Andetsted", employee_id=other_e,
                                      roles=[(Role.LEADER, inst_b, b1)], staff_responsibility=True),
        "supervisor": await make_account(World.SUPERVISOR, "Sif Supervisor",
                                           roles=[(Role.SUPERVISOR, None, None)]),
    }
    return World(inst_a=inst_a, inst_b=inst_b, unit_a1=a1, unit_a2=a2, unit_b1=b1, method_krap=krap,
                 staff_employee=staff_e, leader_employee=leader_e, other_employee=other_e,
                 accounts=accounts)


class Inbox:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self, port: int):
        self.envelopes: list = []
        self.refuse = False
        self.port = port
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Prøv igen senere"
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        from email import message_from_bytes, policy

        return [message_from_bytes(e.original_content or e.content, policy=policy.default)
                for e in self.envelopes]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def mail_server_at(port: int, **settings):
    """Points the service's mail settings at a server on loopback, with delivery's pause (after a
    server that did not answer) cleared before and after."""
    from dataclasses import replace

    from hr.notify import outbox
    from hr.settings import get_settings, set_settings

    before = get_settings()
    set_settings(replace(before, smtp_host="127.0.0.1", smtp_port=port, **settings))
    outbox.breaker.reset()
    try:
        yield
    finally:
        set_settings(before)
        outbox.breaker.reset()


@contextmanager
def smtp_server(handler, **settings):
    """A real SMTP server on loopback (aiosmtpd) answering as `handler` says, with the service's
    mail settings pointed at it; yields its port."""
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with mail_server_at(controller.port, **settings):
            yield controller.port
    finally:
        controller.stop()


@pytest.fixture
def smtp():
    """Starts the SMTP server and points the service's settings at it."""
    inbox = Inbox(free_port())
    inbox.start()
    with mail_server_at(inbox.port):
        yield inbox
    inbox.stop()
