"""APScheduler as a clock only (memory job store): the state that matters (which reminders
went out, which mail is pending, when a job last succeeded) lives in our tables, so several
processes may run a scheduler and a restart loses nothing.

Late runs are never dropped: `misfire_grace_time=None` runs a late job however late, and
`coalesce` runs a backlog once. A sweep that was missed while no process was running is made
up at start-up, as is a missed weekly digest, even when a killed process still holds the lease."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from hr.auth.services import KNOWN_DEVICE
from hr.auth.tables import LoginAttempt, PasswordLink, Session
from hr.db import now
from hr.notify import engine, outbox
from hr.notify.tables import JobRun
from hr.ops import health
from hr.org import payroll_drop
from hr.settings import TIMEZONE, get_settings
from hr.workenv.retention import anonymise

log = logging.getLogger("hr.scheduler")

DIGEST = CronTrigger(day_of_week="mon", hour=7, minute=0, timezone=TIMEZONE)
DELIVER_EVERY = timedelta(minutes=1)
JOBS = {
    "sweep": "Påmindelser: find hvad der skal sendes (hvert 15. minut)",
    "deliver": "Send mails fra udbakken (hvert minut, med genforsøg)",
    "digest": "Ugentlig samlemail til dem, der har valgt den (mandag kl. 7)",
    "purge": "Slet udløbne sessioner og gamle loginforsøg (hver nat kl. 3)",
    "retention": "Anonymisér arbejdsmiljøhændelser ældre end opbevaringsperioden (hver nat kl. 2)",
    "heartbeat": "Livstegn til overvågningen (hvert halve minut)",
    "payroll": "Indlæs lønsystemets fil fra den aftalte mappe (hver halve time, når der ligger en)",
}


# The jobs as HR reads them on the schedule page.
JOB_NAMES = {"sweep": "Gennemgang af påmindelser", "deliver": "Afsendelse af mail", "digest": "Ugentlig samlemail",
             "purge": "Oprydning i sessioner og loginforsøg", "retention": "Anonymisering efter opbevaringsperioden",
             "heartbeat": "Livstegn", "payroll": "Indlæsning af lønfil"}


DELIVERY_BUDGET = timedelta(seconds=50)  # a run a minute, each as long as mail is due, within the minute


async def deliver() -> None:
    task = asyncio.current_task()
    RUNNING.add(task)
    try:
        await _deliver()
    finally:
        RUNNING.discard(task)


async def _deliver() -> None:
    started = now()
    try:
        while now() - started < DELIVERY_BUDGET:
            counts = await outbox.deliver_due()
            if not any(counts.values()):
                break  # nothing due (or delivery is pausing for an unanswering server)
    except outbox.DeliveryInterrupted:
        pass  # the database failed: logged by delivery; the next minute goes on where this stopped
    except Exception:  # the next minute tries again; the error is logged, nothing is lost
        log.exception("mail delivery failed")


async def heartbeat() -> None:
    await health.beat(engine.HOLDER)


PAYROLL_EVERY = timedelta(minutes=30)


async def payroll() -> dict:
    """Import what lies in the drop folder, each file on its own. A run without files is not
    recorded: the time since the last successful run is the age of the latest import."""
    settings = get_settings()
    folder = payroll_drop.configured(settings)
    if folder is None:
        return {"status": "off"}
    try:
        if not payroll_drop.waiting_files(folder):
            return {"status": "idle"}
    except OSError:
        pass  # the run below records the folder's problem for HR and the monitoring

    async def work(problems) -> str:
        moment = now()
        outcomes = []
        for path in payroll_drop.waiting_files(folder):
            with problems.item("Lønfil", f"fil:{path.name}"):
                outcomes.append(await payroll_drop.import_file(path, settings.payroll_max_deactivate_percent, moment))
        refused = [o for o in outcomes if not o.imported]
        for outcome in refused:
            problems.refuse("Lønfil", f"fil:{outcome.name}", outcome.detail)
        with problems.item("Lønfil", "mail til HR"):
            await payroll_drop.tell_hr(refused, moment)
        return "; ".join(f"{o.name}: {'indlæst' if o.imported else 'afvist'}" + (f". {o.detail}" if o.imported else "")
                         for o in outcomes) or "Ingen filer"

    return await engine.run_job("payroll", work)


async def purge() -> dict:
    async def work(problems) -> str:
        sessions = await Session.delete().where(Session.expires_at < now()).returning(Session.id).run()
        # Failures matter for a quarter of an hour; a success marks a known address for 30 days.
        attempts = await LoginAttempt.delete().where(
            ((LoginAttempt.at < now() - timedelta(days=1)) & LoginAttempt.success.eq(False))
            | (LoginAttempt.at < now() - KNOWN_DEVICE)).returning(LoginAttempt.id).run()
        links = await PasswordLink.delete().where(PasswordLink.expires_at < now() - timedelta(days=1)).returning(
            PasswordLink.id).run()
        return f"{len(sessions)} sessioner, {len(attempts)} loginforsøg og {len(links)} udløbne links slettet"

    return await engine.run_job("purge", work)


async def retention() -> dict:
    async def work(problems) -> str:
        return (await anonymise(None, dry_run=False)).describe()

    return await engine.run_job("retention", work)


RUNNING: set[asyncio.Task] = set()
STOP_WITHIN = timedelta(seconds=20)


async def _safe(job) -> None:
    task = asyncio.current_task()
    RUNNING.add(task)
    try:
        await job()
    except Exception:
        log.exception("scheduled job failed")
    finally:
        RUNNING.discard(task)


async def stop(clock: AsyncIOScheduler | None, within: timedelta = STOP_WITHIN) -> None:
    """An orderly stop (SIGTERM, SIGINT, the service shutting down): start nothing new, claim no
    more mail, let running jobs finish for up to `within`, then cancel them; a cancelled job
    releases its lease, hands back the mail it had not yet given the server, and is recorded as
    interrupted."""
    outbox.stopping.requested = True
    if clock is not None:
        clock.pause()  # no new runs; shutting down now would cancel the running ones at once
    running = [t for t in RUNNING if not t.done()]
    if running:
        _, late = await asyncio.wait(running, timeout=within.total_seconds())
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
    if clock is not None:
        clock.shutdown(wait=False)


CATCH_UP_RETRY = timedelta(seconds=10)


async def _until_done(job, still_missed) -> None:
    """A start-up catch-up that finds the job's lease held (by a process that may have been killed
    holding it) tries again until the lease has run out, rather than waiting for the next regular
    run; it stops once the job has run, here or elsewhere."""
    give_up = now() + 2 * engine.LEASE
    while True:
        try:
            result = await job()
        except Exception:
            log.exception("catch-up of a missed job failed")
            return
        if result.get("status") != "skipped" or outbox.stopping.requested or now() > give_up:
            return
        await asyncio.sleep(CATCH_UP_RETRY.total_seconds())
        if not await still_missed():
            return


async def sweep_and_catch_up() -> dict:
    """The regular sweep; once it is complete, a digest that is due and has not gone out whole
    (it waited for this sweep, or the database failed under some of it) is sent."""
    result = await engine.sweep()
    if result.get("status") == "ok" and await engine.digest_missed(now()):
        await engine.send_digests()
    return result


async def start(moment: datetime | None = None) -> AsyncIOScheduler:
    """Start the clock in the running event loop, making up missed runs first."""
    outbox.stopping.requested = False
    moment = moment or now()
    scheduler = AsyncIOScheduler(timezone=TIMEZONE, job_defaults={"coalesce": True, "max_instances": 1,
                                                                 "misfire_grace_time": None})
    sweep_missed, digest_late = await engine.sweep_is_stale(moment), await engine.digest_missed(moment)
    scheduler.add_job(_safe, IntervalTrigger(minutes=15, timezone=TIMEZONE), args=[sweep_and_catch_up], id="sweep",
                      next_run_time=moment + engine.SWEEP_EVERY)
    scheduler.add_job(deliver, IntervalTrigger(seconds=int(DELIVER_EVERY.total_seconds()), timezone=TIMEZONE),
                      id="deliver", next_run_time=moment + timedelta(seconds=5))
    scheduler.add_job(_safe, DIGEST, args=[engine.send_digests], id="digest")
    if sweep_missed or digest_late:
        # A missed digest waits for a missed sweep: it sends what the sweep finds, so they run in one
        # job in that order.
        async def catch_up() -> None:
            if sweep_missed:
                await _until_done(engine.sweep, engine.sweep_is_stale)
            if digest_late:
                await _until_done(engine.send_digests, lambda: engine.digest_missed(now()))

        scheduler.add_job(_safe, DateTrigger(run_date=moment, timezone=TIMEZONE), args=[catch_up], id="catch-up")
    scheduler.add_job(_safe, IntervalTrigger(seconds=int(health.HEARTBEAT_EVERY.total_seconds()), timezone=TIMEZONE),
                      args=[heartbeat], id="heartbeat", next_run_time=moment)
    scheduler.add_job(_safe, CronTrigger(hour=3, minute=0, timezone=TIMEZONE), args=[purge], id="purge")
    if get_settings().payroll_drop:
        scheduler.add_job(_safe, IntervalTrigger(minutes=int(PAYROLL_EVERY.total_seconds() // 60), timezone=TIMEZONE),
                          args=[payroll], id="payroll", next_run_time=moment + timedelta(seconds=20))
    scheduler.add_job(_safe, CronTrigger(hour=2, minute=0, timezone=TIMEZONE), args=[retention], id="retention")
    scheduler.start()
    return scheduler


# Where HR looks at (and mends) an item a job could not handle, by the kind of id it names.
PROBLEM_LINKS = {"incident": "/arbejdsmiljoe/haendelser/{}", "employee": "/medarbejdere/{}",
                 "booking": "/supervision/bookinger/{}", "order": "/arbejdsmiljoe/paabud/{}",
                 "account": "/admin/brugere/{}", "unit": "/organisation/afdelinger/{}"}


def problem_link(item: str) -> str | None:
    kind, _, number = item.partition(":")
    return PROBLEM_LINKS[kind].format(number) if kind in PROBLEM_LINKS and number.isdigit() else None


async def recent_runs(limit: int = 30) -> list[dict]:
    runs = await JobRun.select().order_by(JobRun.started_at, ascending=False).limit(limit).run()
    for run in runs:
        run["problems"] = [{**p, "link": problem_link(p["item"])} for p in json.loads(run["problems"] or "[]")]
    return runs
