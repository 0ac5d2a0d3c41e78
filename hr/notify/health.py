"""Is mail getting out? What HR is warned about on every one of their pages: mail waiting longer
than it should (naming the mail server's last answer), mail that failed or may not have arrived,
and a reminder sweep that is late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hr.cache import TimedCache
from hr.db import as_utc, now
from hr.notify.engine import last_success, latest_finished, sweep_is_stale
from hr.notify.tables import OutboxMessage
from hr.ops.health import HEARTBEAT_FRESH, last_heartbeat
from hr.settings import get_settings

_cache = TimedCache(max_entries=1)


@dataclass(frozen=True)
class MailHealth:
    oldest_waiting: datetime | None  # when the oldest mail still waiting was written
    failed: int
    uncertain: int
    sweep_late: bool
    last_sweep: datetime | None
    last_error: str  # the mail server's latest answer to a mail not yet delivered
    waiting_too_long: bool
    scheduler_silent_since: datetime | None = None  # a scheduler that beat, and stopped beating
    sweep_unfinished_at: datetime | None = None  # the latest sweep ended without doing all of it
    digest_unfinished: str = ""  # "waiting" (for a complete sweep) or "partial"

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.waiting_too_long:
            since = self.oldest_waiting.astimezone(get_settings().timezone)
            out.append(f"Der er mails, som har ventet siden {since:%d.%m.%Y kl. %H:%M} uden at blive sendt.")
        if self.failed:
            out.append(f"{self.failed} {'mail kunne' if self.failed == 1 else 'mails kunne'} ikke leveres.")
        if self.uncertain:
            out.append(f"{self.uncertain} {'mail blev' if self.uncertain == 1 else 'mails blev'} afbrudt under "
                       "afsendelsen og er måske ikke nået frem.")
        if self.sweep_late:
            last = (f" (senest {self.last_sweep.astimezone(get_settings().timezone):%d.%m.%Y kl. %H:%M})"
                    if self.last_sweep else "")
            out.append(f"Påmindelserne kører ikke: ingen vellykket gennemgang i over en halv time{last}. "
                       "Kontrollér, at tjenesten eller hr scheduler kører.")
        if self.sweep_unfinished_at:
            at = self.sweep_unfinished_at.astimezone(get_settings().timezone)
            out.append(f"Seneste gennemgang af påmindelser (kl. {at:%H:%M}) blev ikke fuldført. Den gøres igen ved "
                       "næste kørsel inden for et kvarter; se Påmindelser og mails.")
        if self.digest_unfinished == "waiting":
            out.append("Ugens samlemail er ikke sendt endnu: den venter på en fuldstændig gennemgang af påmindelserne.")
        elif self.digest_unfinished:
            out.append("Ugens samlemail nåede ikke ud til alle; resten sendes efter næste fuldstændige gennemgang.")
        if self.scheduler_silent_since:
            since = self.scheduler_silent_since.astimezone(get_settings().timezone)
            out.append(f"Planlæggeren har ikke givet livstegn siden {since:%d.%m.%Y kl. %H:%M}: påmindelser, mails "
                       "og lønfiler venter. Siderne virker som før. Kontrollér, at hr scheduler kører.")
        return out


async def oldest_waiting() -> datetime | None:
    """When the oldest mail still waiting to be sent was written (None: nothing waits)."""
    waiting = await OutboxMessage.select(OutboxMessage.created_at).where(
        OutboxMessage.status.is_in(["pending", "sending"])).order_by(OutboxMessage.created_at).first().run()
    return as_utc(waiting["created_at"]) if waiting else None


async def _compute() -> MailHealth:
    settings = get_settings()
    oldest = await oldest_waiting()
    beat = await last_heartbeat()
    sweep_run, digest_run = await latest_finished("sweep"), await latest_finished("digest")
    latest = await OutboxMessage.select(OutboxMessage.last_error).where(
        OutboxMessage.status.is_in(["pending", "failed"]) & (OutboxMessage.last_error != "")).order_by(
        OutboxMessage.next_attempt_at, ascending=False).first().run()
    # Without a mail server (dev, demo) mail stays in the outbox on purpose; in production it must not.
    delivering = bool(settings.smtp_host) or settings.mode == "production"
    too_long = bool(oldest and delivering and now() - oldest > timedelta(minutes=settings.mail_warn_minutes))
    return MailHealth(
        oldest_waiting=oldest,
        failed=await _recent("failed"), uncertain=await _recent("uncertain"),
        sweep_late=await sweep_is_stale(), last_sweep=await last_success("sweep"),
        last_error=latest["last_error"] if latest else "", waiting_too_long=too_long,
        scheduler_silent_since=beat if beat and now() - beat > HEARTBEAT_FRESH else None,
        sweep_unfinished_at=(as_utc(sweep_run["finished_at"]) if sweep_run and sweep_run["status"] in UNFINISHED
                             else None),
        digest_unfinished=digest_run["status"] if digest_run and digest_run["status"] in ("waiting", "partial") else "")


UNFINISHED = ("partial", "failed")


# Failed and interrupted mail is warned about for a week; after that it is history on the outbox page.
RECENT = timedelta(days=7)


async def _recent(status: str) -> int:
    return await OutboxMessage.count().where((OutboxMessage.status == status)
                                             & (OutboxMessage.created_at > now() - RECENT)).run()


async def mail_health() -> MailHealth:
    """At most a few seconds old (the dashboards' cache setting): HR's every page asks."""
    value, _ = await _cache.get("mail", _compute)
    return value


async def warn_hr(request) -> None:
    """Before each page HR opens: put the mail warnings where base.html shows them."""
    user = request.scope.get("user")
    if user is not None and user.is_hr and not request.url.path.startswith(("/api/", "/static/")):
        health = await mail_health()
        if health.warnings:
            request.state.mail_health = health
