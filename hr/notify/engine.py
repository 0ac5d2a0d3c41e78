"""The reminder engine: asks every domain what it wants sent, decides per person (preferences,
HR's switches), records each reminder once per key and writes its e-mail to the outbox in the
same transaction. The outbox worker delivers afterwards.

Safe to run twice, or in two processes at once: the unique key in `notify_reminder` lets each
reminder in only once; a lease keeps a second process from doing the same work at the same
time; and a process that dies mid-sweep rolls back, so the next sweep finds the reminders again.
A sweep costs a fixed number of queries per domain plus one per 500 new reminders."""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import socket
import uuid
from datetime import date, datetime, time, timedelta

from hr.auth.principal import Role
from hr.auth.tables import Account, RoleAssignment
from hr.db import best_effort, is_connection_lost, transaction
from hr.db import now as utcnow
from hr.forms import clean_text
from hr.notify.kinds import family
from hr.notify.outbox import Mail, enqueue
from hr.notify.reminder import Problems, Reminder
from hr.notify.tables import JobLease, JobRun, KindSwitch, Preference, ReminderLog
from hr.settings import TIMEZONE
from hr.web import fmt_date

log = logging.getLogger("hr.reminders")

# Each domain's reminders module, and its name as HR reads it on a run.
SOURCES = {"hr.workenv.reminders": "Arbejdsmiljø", "hr.supervision.reminders": "Supervision",
           "hr.competence.reminders": "Kompetence"}
SWEEP_EVERY = timedelta(minutes=15)
# Short, and renewed while the holder works: a holder that is killed blocks the job for at most
# a minute and a half.
LEASE = timedelta(seconds=90)
RENEW_EVERY = timedelta(seconds=30)
CHUNK = 500
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def collect(moment: datetime, problems: Problems | None = None) -> list[Reminder]:
    """Every domain's reminders; a domain that fails as a whole is reported and the others
    still count (within a domain, each item is handled on its own)."""
    problems = problems if problems is not None else Problems()
    out: list[Reminder] = []
    for name, source in SOURCES.items():
        with problems.whole(source, "alle påmindelser fra modulet"):
            out.extend(await importlib.import_module(name).due(moment, problems))
    return out


async def take_lease(job: str, holder: str = HOLDER, moment: datetime | None = None) -> bool:
    """The job's lease, when it is free or its holder's has run out. Not re-entrant: a process
    that holds it (a sweep running) does not get it again, so two "Kør nu" clicks, or a click
    during the scheduler's own run, never run the job twice at once."""
    moment = moment or utcnow()
    await JobLease.insert(JobLease(job=job, holder="", expires_at=moment)).on_conflict(action="DO NOTHING").run()
    rows = await JobLease.update({JobLease.holder: holder, JobLease.expires_at: moment + LEASE}).where(
        (JobLease.job == job) & ((JobLease.expires_at < moment) | (JobLease.holder == ""))
    ).returning(JobLease.id).run()
    return bool(rows)


async def _keep_lease(job: str, holder: str = HOLDER) -> None:
    while True:
        await asyncio.sleep(RENEW_EVERY.total_seconds())
        await JobLease.update({JobLease.expires_at: utcnow() + LEASE}).where(
            (JobLease.job == job) & (JobLease.holder == holder)).run()


async def release_lease(job: str, holder: str = HOLDER) -> None:
    await JobLease.update({JobLease.holder: "", JobLease.expires_at: utcnow()}).where(
        (JobLease.job == job) & (JobLease.holder == holder)).run()


async def _decide(reminders: list[Reminder]) -> list[tuple[Reminder, str]]:
    """(reminder, delivery) for those that go out: off for everyone (HR's switch) and muted
    optional kinds are dropped; non-urgent ones go in the weekly digest for those who chose it,
    and by default for leaders, who would otherwise get one mail per employee."""
    switched_off = {r["kind"] for r in await KindSwitch.select(KindSwitch.kind).where(
        KindSwitch.enabled.eq(False)).run()}
    prefs = {r["account"]: r for r in await Preference.select().run()}
    leaders = await leader_accounts()
    out = []
    for reminder in reminders:
        fam = family(reminder.kind)
        if fam.prefix in switched_off:
            continue
        pref = prefs.get(reminder.account_id)
        if pref and not fam.mandatory and fam.prefix in pref["muted_kinds"].split(","):
            continue
        mode = pref["mode"] if pref else default_mode(reminder.account_id in leaders)
        out.append((reminder, "digest" if mode == "digest" and not fam.urgent else "immediate"))
    return out


def default_mode(is_leader: bool) -> str:
    return "digest" if is_leader else "immediate"


async def leader_accounts() -> set[int]:
    return {r["account"] for r in await RoleAssignment.select(RoleAssignment.account).where(
        RoleAssignment.role == Role.LEADER).run()}


def _deadline(value: datetime | date | None) -> str:
    return fmt_date(value)


async def record(decided: list[tuple[Reminder, str]], problems: Problems | None = None) -> list[dict]:
    """Insert new reminders (existing keys are skipped by the unique constraint) and queue the
    immediate ones' mails, 500 at a time, each batch in its own transaction. A batch that fails
    is done again one reminder at a time, so one that cannot be written is reported and every
    other still goes out. Returns the rows that were new."""
    problems = problems if problems is not None else Problems()
    unique = {r.key: (r, d) for r, d in decided}  # one key once, even if a domain repeats it
    items = list(unique.values())
    new: list[dict] = []
    for start in range(0, len(items), CHUNK):
        batch = items[start:start + CHUNK]
        try:
            async with transaction():
                new.extend(await _record_batch(batch))
        except Exception:
            for reminder, delivery in batch:
                with problems.item("Påmindelser", reminder.key):
                    async with transaction():
                        new.extend(await _record_batch([(reminder, delivery)]))
    return new


async def _record_batch(batch: list[tuple[Reminder, str]]) -> list[dict]:
    rows = [ReminderLog(key=clean_text(r.key)[:300], kind=r.kind, account=r.account_id,
                        title=clean_text(r.title)[:300], link=clean_text(r.link)[:300],
                        deadline=_deadline(r.deadline), delivery=d) for r, d in batch]
    new = await ReminderLog.insert(*rows).on_conflict(action="DO NOTHING").returning(
        *ReminderLog.all_columns()).run()
    immediate = [r for r in new if r["delivery"] == "immediate"]
    accounts = await _accounts([r["account"] for r in immediate])
    await enqueue(*[Mail(key=f"reminder|{r['key']}", kind=r["kind"], to_address=accounts[r["account"]]["email"],
                         account_id=r["account"], template="reminder",
                         context={"reminder": r, "name": accounts[r["account"]]["name"],
                                  "mandatory": family(r["kind"]).mandatory})
                    for r in immediate if r["account"] in accounts])
    return new


async def _accounts(ids: list[int]) -> dict[int, dict]:
    out = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), CHUNK):
        for row in await Account.select(Account.id, Account.email, Account.name).where(
                Account.id.is_in(unique[start:start + CHUNK]) & Account.active.eq(True)).run():
            out[row["id"]] = row
    return out


class Postponed(Exception):
    """A job that should not run yet (a digest waiting for a complete sweep): recorded as waiting,
    with the reason in Danish, and run again later."""


async def run_job(job: str, work) -> dict:
    """Run one job under its lease, logged in notify_job_run. `work(problems)` handles each item
    on its own and reports in `problems` what it could not do; the run records them for HR. A run
    that left a part undone (problems.incomplete) is recorded as partly failed ("partial"), not as
    OK: HR is warned, and the job's next regular run does it again."""
    from hr.notify.outbox import stopping

    if stopping.requested or not await take_lease(job):
        return {"status": "skipped"}
    # Holding the lease, nobody else runs this job: a run still marked running was killed.
    await JobRun.update({JobRun.status: "interrupted", JobRun.finished_at: utcnow(),
                         JobRun.detail: "Afbrudt: processen stoppede, før kørslen var færdig"}).where(
        (JobRun.job == job) & (JobRun.status == "running")).run()
    rows = await JobRun.insert(JobRun(job=job)).returning(JobRun.id).run()
    run_id = rows[0]["id"]
    problems = Problems()
    keeper = asyncio.create_task(_keep_lease(job))
    try:
        detail = await work(problems)
    except asyncio.CancelledError:  # stopped before it finished: its transaction rolled back
        await asyncio.shield(JobRun.update({JobRun.status: "interrupted", JobRun.finished_at: utcnow(),
                                            JobRun.detail: "Afbrudt: tjenesten blev stoppet"}).where(
            JobRun.id == run_id).run())
        raise
    except Postponed as exc:
        await JobRun.update({JobRun.status: "waiting", JobRun.finished_at: utcnow(),
                             JobRun.detail: str(exc)}).where(JobRun.id == run_id).run()
        return {"status": "waiting", "detail": str(exc), "problems": []}
    except Exception as exc:
        if is_connection_lost(exc):  # the database's fault, not the code's: no traceback to read
            log.error("job %s failed: the database connection was lost (%s)", job, exc.__class__.__name__)
        else:
            log.exception("job %s failed", job)
        # If it cannot be written, the run stays "running" and the lease's next holder marks it interrupted.
        await best_effort(JobRun.update({JobRun.status: "failed", JobRun.finished_at: utcnow(),
                                         JobRun.detail: f"{exc.__class__.__name__}: {exc}"[:2000]}).where(
            JobRun.id == run_id).run(), "could not record a failed job run", log)
        raise
    finally:
        keeper.cancel()
        await best_effort(release_lease(job), "could not release a job lease; it runs out by itself", log)
    status = "partial" if problems.incomplete else "ok"
    if problems.incomplete:
        detail += (f". Ikke fuldført: {', '.join(problems.incomplete)}; det gøres ved næste kørsel")
    elif problems:
        detail += f"; {len(problems)} kunne ikke behandles"
    await JobRun.update({JobRun.status: status, JobRun.finished_at: utcnow(), JobRun.detail: detail[:2000],
                         JobRun.problem_count: len(problems),
                         JobRun.problems: json.dumps(problems.as_rows(), ensure_ascii=False)}).where(
        JobRun.id == run_id).run()
    return {"status": status, "detail": detail, "problems": problems.as_rows()}


async def sweep(moment: datetime | None = None) -> dict:
    moment = moment or utcnow()

    async def work(problems: Problems) -> str:
        reminders = await collect(moment, problems)
        decided = await _decide(reminders)
        new = await record(decided, problems)
        immediate = sum(1 for r in new if r["delivery"] == "immediate")
        return f"{len(reminders)} påmindelser vurderet, {len(new)} nye ({immediate} sendt straks)"

    return await run_job("sweep", work)


DIGEST_DUTIES = 20  # the most urgent open duties in the weekly mail; the front page has them all


async def _open_duties(account_id: int, moment: datetime) -> list[dict]:
    """The person's open duties, as the front page lists them (hr/duties.py)."""
    from hr.auth.services import load_principal
    from hr.duties import duties_for

    principal = await load_principal(account_id)
    if principal is None:
        return []
    found = await duties_for(principal, moment)
    return [d.as_json(found.today) for d in found.items]


def last_digest_time(moment: datetime) -> datetime:
    """The latest Monday 07:00 (Danish time) at or before the moment: when this week's digest was due."""
    local = moment.astimezone(TIMEZONE)
    due = datetime.combine(local.date() - timedelta(days=local.weekday()), time(7), TIMEZONE)
    return due if due <= local else due - timedelta(days=7)


async def digest_missed(moment: datetime) -> bool:
    """This week's digest is due and has not gone out whole (never, or only in part)."""
    last = await last_success("digest")
    return last is None or last < last_digest_time(moment)


async def send_digests(moment: datetime | None = None) -> dict:
    """One mail per person with everything collected for their digest since the last one, sent
    only after a complete sweep (else a week's digest would go out with part of the week in it,
    as if whole): otherwise it waits, and the scheduler's next complete sweep sends it. Someone
    whose digest could not be made (the database failed under it) gets it at that retry; someone
    who already had this week's gets no second one."""
    moment = moment or utcnow()

    async def work(problems: Problems) -> str:
        latest = await latest_finished("sweep")
        if latest is None or latest["status"] != "ok" or await sweep_is_stale(moment):
            raise Postponed("Venter på en fuldstændig gennemgang af påmindelserne; samlemailen sendes, når den er "
                            "kørt")
        week = last_digest_time(moment)
        had_this_week = {r["account"] for r in await ReminderLog.select(ReminderLog.account).where(
            ReminderLog.digest_sent_at >= week).distinct().run()}
        waiting = await ReminderLog.select().where((ReminderLog.delivery == "digest")
                                                   & ReminderLog.digest_sent_at.is_null()).order_by(
            ReminderLog.id).run()
        by_account: dict[int, list[dict]] = {}
        for row in waiting:
            if row["account"] not in had_this_week:
                by_account.setdefault(row["account"], []).append(row)
        accounts = await _accounts(list(by_account))
        sent = included = 0
        # One person's digest at a time: a mail that cannot be built is reported, theirs stays
        # waiting for the next digest, and everyone else's goes out.
        for account, items in by_account.items():
            with problems.item("Samlemail", f"account:{account}"):
                async with transaction():
                    if account in accounts:
                        duties = await _open_duties(account, moment)
                        await enqueue(Mail(key=f"digest|{account}|{items[-1]['id']}", kind="digest",
                                           to_address=accounts[account]["email"], account_id=account,
                                           template="digest",
                                           context={"items": items, "name": accounts[account]["name"],
                                                    "duties": duties[:DIGEST_DUTIES], "duty_count": len(duties)}))
                        sent += 1
                    ids = [r["id"] for r in items]
                    for start in range(0, len(ids), CHUNK):
                        await ReminderLog.update({ReminderLog.digest_sent_at: moment}).where(
                            ReminderLog.id.is_in(ids[start:start + CHUNK])).run()
                    included += len(items)
        return f"{sent} samlemails med {included} påmindelser"

    return await run_job("digest", work)


async def latest_finished(job: str) -> dict | None:
    """The job's latest run that has ended, whatever its outcome."""
    return await JobRun.select(JobRun.status, JobRun.detail, JobRun.finished_at).where(
        (JobRun.job == job) & JobRun.finished_at.is_not_null()).order_by(
        JobRun.finished_at, ascending=False).first().run()


async def last_success(job: str) -> datetime | None:
    row = await JobRun.select(JobRun.finished_at).where((JobRun.job == job) & (JobRun.status == "ok")).order_by(
        JobRun.finished_at, ascending=False).first().run()
    return row["finished_at"] if row else None


async def sweep_is_stale(moment: datetime | None = None) -> bool:
    """True when no sweep has succeeded for more than twice its interval: a dead scheduler."""
    last = await last_success("sweep")
    return last is None or (moment or utcnow()) - last > 2 * SWEEP_EVERY
