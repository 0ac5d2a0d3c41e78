"""The `hr` command: migrate, serve, demo, import."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

import hr  # noqa: F401  (sets PICCOLO_CONF)
from hr.settings import SettingsError, get_settings


def _run(coro):
    return asyncio.run(coro)


async def _with_db(coro_fn, *args, **kwargs):
    from hr import db

    await db.start()
    try:
        return await coro_fn(*args, **kwargs)
    finally:
        await db.stop()


@click.group()
def main() -> None:
    """HR for Socialområdet: kompetence, supervision og arbejdsmiljø."""
    from hr import logsafe
    from hr.ops import logs

    try:
        settings = get_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    logs.configure(settings.log_format)
    logsafe.install()


@main.command()
def migrate() -> None:
    """Apply database migrations."""
    from hr.migrate import migrate as run

    apps = _run(_with_db(run))
    click.echo(f"Migreret: {', '.join(apps)}")


GRACEFUL_STOP_SECONDS = 10


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=int)
@click.option("--workers", default=1, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application."""
    import uvicorn

    # uvicorn's loggers go through ours (JSON lines); its access log is replaced by the request
    # log (hr.ops.logs), which names route templates rather than paths. A stop gives requests in
    # flight GRACEFUL_STOP_SECONDS to finish, then closes the pool within its own bound (hr.db), so
    # the whole stop stays inside compose's stop_grace_period.
    # Forwarding headers count only from the configured proxies (HR_TRUSTED_PROXIES); uvicorn's own
    # default would trust 127.0.0.1, which any proxy on the machine is.
    proxies = ",".join(str(network) for network in get_settings().trusted_proxies)
    uvicorn.run("hr.app:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None, log_level="info",
                log_config=None, access_log=False, timeout_graceful_shutdown=GRACEFUL_STOP_SECONDS)


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=int)
@click.option("--serve/--no-serve", "do_serve", default=True)
@click.option("--reset", is_flag=True, help="Slet og genskab demodata.")
@click.option("--incident-years", default=4, type=click.IntRange(1, 20), help="År med arbejdsmiljøhændelser.")
@click.option("--incident-scale", default=1.0, type=click.FloatRange(0.1, 20),
              help="Gang hyppigheden af hændelser (10 år ved 5,2 giver over 200.000).")
@click.option("--arbejdskonto/--uden-arbejdskonto", "work_account", default=True,
              help="Start en lokal OpenID-udbyder i stedet for regionens Entra ID (kræver Node.js).")
def demo(host: str, port: int, do_serve: bool, reset: bool, incident_years: int, incident_scale: float,
         work_account: bool) -> None:
    """Migrate, load deterministic demo data, print logins and serve."""
    from hr.demo import DEMO_PASSWORD, directory_people, load_demo
    from hr.migrate import migrate as run_migrate

    async def prepare():
        await run_migrate()
        summary = await load_demo(reset=reset, incident_years=incident_years, incident_scale=incident_scale)
        return summary, await directory_people()

    summary, people = _run(_with_db(prepare))
    click.echo(summary.describe())
    click.echo("")
    click.echo(f"Demo-logins (adgangskode for alle: {DEMO_PASSWORD}):")
    for role, email in summary.logins:
        click.echo(f"  {role:<38} {email}")
    click.echo("")
    if not do_serve:
        return
    provider = _demo_directory(host, port, people) if work_account else None
    click.echo(f"Tjenesten kører på http://{host}:{port}  (stop med Ctrl+C)")
    import logging

    import uvicorn

    logging.getLogger("hr.access").setLevel(logging.WARNING)  # the terminal keeps the logins readable
    try:
        uvicorn.run("hr.app:create_app", factory=True, host=host, port=port, log_level="warning")
    finally:
        if provider is not None:
            provider.close()


def _demo_directory(host: str, port: int, people: list):
    """The local stand-in for the region's Entra ID, with the service's settings pointed at it."""
    import os
    from dataclasses import replace

    from hr.auth.oidc import CALLBACK_PATH
    from hr.devidp import DevIdentityProvider
    from hr.settings import get_settings, set_settings

    base_url = f"http://{host}:{port}"
    provider = DevIdentityProvider(people, redirect_uri=base_url + CALLBACK_PATH, post_logout_uri=base_url + "/login")
    try:
        provider.start()
    except (OSError, RuntimeError) as exc:
        click.echo(f"Arbejdskonto-log-ind er ikke med i demoen: {exc}")
        return None
    values = {"HR_OIDC_ISSUER": provider.issuer, "HR_OIDC_CLIENT_ID": provider.client_id,
              "HR_OIDC_CLIENT_SECRET": provider.client_secret, "HR_BASE_URL": base_url}
    os.environ.update(values)
    set_settings(replace(get_settings(), oidc_issuer=provider.issuer, oidc_client_id=provider.client_id,
                         oidc_client_secret=provider.client_secret, base_url=base_url))
    click.echo(f"Arbejdskonto: en lokal OpenID-udbyder ({provider.issuer}) spiller regionens Entra ID.")
    click.echo("  Vælg »Log ind med din arbejdskonto« og derefter en person, fx den nyansatte uden konto.")
    click.echo("")
    return provider


@main.command()
def scheduler() -> None:
    """Run the reminder and mail jobs in this process (set HR_SCHEDULER=off on the web service)."""
    from hr.notify import scheduler as clock

    async def until_stopped():
        import signal

        running = await clock.start()
        asked = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, asked.set)
        click.echo("Planlæggeren kører. Stop med Ctrl+C.")
        await asked.wait()
        click.echo("Stopper: kørende job gøres færdige (højst 20 sekunder) ...")
        await clock.stop(running)
        click.echo("Planlæggeren er stoppet.")

    _run(_with_db(until_stopped))


@main.command()
@click.option("--deliver/--no-deliver", default=True, help="Send også mails fra udbakken.")
def sweep(deliver: bool) -> None:
    """Run one reminder sweep now (and deliver the outbox).

    Exit codes: 0 done (or a sweep was already running elsewhere); 3 the sweep was not completed
    (recorded as failed or partly failed, and retried at the next interval); 4 mail delivery
    stopped because the database failed (the rest goes at the next delivery)."""
    from hr.notify.services import sweep_now

    outcome = _run(_with_db(sweep_now, deliver))
    click.echo(f"Påmindelser: {outcome.sweep_text}")
    if outcome.delivery is not None:
        click.echo(f"Mails: {outcome.delivery_text}")
    sys.exit(outcome.exit_code)


@main.command()
@click.option("--years", type=click.IntRange(1, 100), default=None, help="Standard: HR_RETENTION_YEARS (10).")
@click.option("--apply", is_flag=True, help="Anonymisér; uden dette tælles kun (prøvekørsel).")
def retention(years: int | None, apply: bool) -> None:
    """Anonymise work-environment episodes older than the retention period."""
    from hr.workenv.retention import anonymise

    result = _run(_with_db(anonymise, None, years=years, dry_run=not apply))
    click.echo(("Prøvekørsel: " if not apply else "") + result.describe())


@main.command()
def health() -> None:
    """Check the database, the migrations and the scheduler's heartbeat; exit 1 if one fails. The
    scheduler container's health check (a web worker's readiness leaves the heartbeat out)."""
    from hr.ops.health import scheduler_health

    checks = _run(_with_db(scheduler_health))
    for name, check in checks.items():
        click.echo(f"{'ok' if check.ok else 'FEJL'}  {name}: {check.detail}")
    if not all(check.ok for check in checks.values()):
        sys.exit(1)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))  # our own checks, in Danish
def backup(file: Path) -> None:
    """Back up the whole database to FILE (pg_dump -Fc on PostgreSQL, a SQLite copy otherwise)."""
    from hr.ops.backup import BackupError
    from hr.ops.backup import backup as run

    try:
        result = run(get_settings(), file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(result.describe("Backup skrevet"))


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Spørg ikke: overskriv databasen.")
def restore(file: Path, yes: bool) -> None:
    """Replace the whole database with the backup in FILE. Stop the service and the scheduler first."""
    from hr import audit
    from hr.ops.backup import BackupError
    from hr.ops.backup import restore as run

    if not yes:
        click.confirm("Gendannelsen erstatter ALLE data i databasen med backuppens. Er tjenesten og "
                      "planlæggeren stoppet, og vil du fortsætte?", abort=True)
    try:
        result = run(get_settings(), file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    # The restored audit trail says from then on that it was restored, and from which file.
    _run(_with_db(audit.record, None, "restore", "database", detail={"file": file.name}))
    click.echo(result.describe("Gendannet fra"))
    click.echo("Kør hr migrate, hvis backuppen er fra en ældre version, og start så tjenesten og planlæggeren.")


@main.group(name="import")
def import_group() -> None:
    """Import data from payroll exports."""


@import_group.command(name="employees")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Vis hvad der ville ændres, uden at skrive.")
@click.option("--mark-missing", is_flag=True,
              help="Filen er et fuldt udtræk: medarbejdere, der ikke er med, markeres fratrådt.")
def import_employees(file: Path, dry_run: bool, mark_missing: bool) -> None:
    """Import employees and units from a CSV or XLSX payroll export."""
    from hr.org.importer import ImportFileError, run_import

    try:
        result = _run(_with_db(run_import, file.name, file.read_bytes(), dry_run=dry_run,
                               mark_missing=mark_missing, principal=None))
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from exc
    for err in result.errors:
        click.echo(f"Række {err.row}: {err.field}: {err.message}", err=True)
    click.echo(result.describe())
    if result.errors:
        sys.exit(1)


@import_group.command(name="drop-folder")
def import_drop_folder() -> None:
    """Import the payroll files waiting in HR_PAYROLL_DROP now (the scheduler does it every half hour)."""
    from hr.notify import scheduler as clock

    result = _run(_with_db(clock.payroll))
    messages = {"off": "HR_PAYROLL_DROP er ikke sat: der er ingen mappe til lønfiler.",
                "idle": "Der ligger ingen lønfiler, som er klar til indlæsning.",
                "skipped": "En anden proces indlæser lønfiler lige nu."}
    click.echo(messages.get(result["status"]) or result["detail"])
    for problem in result.get("problems", []):
        click.echo(f"{problem['item'].removeprefix('fil:')}: {problem['error']}", err=True)
    if result.get("problems"):
        sys.exit(1)


@main.command(name="create-admin")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
def create_admin(email: str, name: str, password: str) -> None:
    """Create an HR administrator account."""
    from hr.auth.services import PasswordPolicyError, create_account

    async def go():
        return await create_account(email=email, name=name, password=password, roles=[("hr", None, None)])

    try:
        _run(_with_db(go))
    except PasswordPolicyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"HR-administrator oprettet: {email}")


if __name__ == "__main__":
    main()
