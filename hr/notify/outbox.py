"""Writing mail to the outbox and delivering it over SMTP with retry and back-off.

`enqueue` runs inside the caller's transaction: the message exists exactly when the change
that caused it was committed. `deliver_due` claims messages one by one with a conditional
UPDATE, so two workers never send the same message. Each attempt records how far it got
(`phase`), so `recover_stale` knows what a worker that died left behind: a mail the server
never had is due again, one it may have is `uncertain` and resent later with the same
Message-ID."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from hr.db import best_effort, now
from hr.notify.kinds import family
from hr.notify.reminder import Problems
from hr.notify.tables import KindSwitch, OutboxMessage
from hr.settings import PROJECT_ROOT, Settings, get_settings
from hr.web import fmt_date, fmt_number

log = logging.getLogger("hr.mail")

BACKOFF_CAP = timedelta(hours=1)
SCRUB_AFTER_SENDING = ("account.password_link",)
STALE_AFTER = timedelta(minutes=10)

_env = Environment(loader=FileSystemLoader(PROJECT_ROOT / "templates" / "mail"),
                   autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True)
_env.filters["dato"] = fmt_date
_env.filters["tal"] = fmt_number


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    content_type: str = "text/calendar"
    method: str = ""  # iCalendar METHOD, repeated in the MIME type so Outlook shows Accept/Decline


@dataclass(frozen=True)
class Mail:
    key: str
    kind: str
    to_address: str
    template: str  # templates/mail/<template>.txt and .html
    context: dict
    account_id: int | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


def render(template: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html): the subject is the text template's first line."""
    context = {"base_url": get_settings().base_url, **context}
    text = _env.get_template(f"{template}.txt").render(context)
    subject, _, body = text.partition("\n")
    html = _env.get_template(f"{template}.html").render(context)
    return subject.strip(), body.lstrip("\n"), html


async def enqueue(*mails: Mail, problems: Problems | None = None) -> int:
    """Write messages to the outbox (call inside the transaction of the change). A key that is
    already there is skipped, so calling twice for the same event sends once. One query per
    500 messages. Returns the number of new messages.

    A mail whose template cannot be rendered raises, so the change that caused it fails whole;
    a job that passes `problems` gets it reported there instead, and the other mails written."""
    rows = []
    for mail in mails:
        if not mail.to_address:
            continue
        try:
            subject, text, html = render(mail.template, mail.context)
        except Exception as exc:
            if problems is None:
                raise
            problems.report("Udbakke", mail.key, exc)
            continue
        rows.append(OutboxMessage(
            key=mail.key[:300], kind=mail.kind, account=mail.account_id, to_address=mail.to_address,
            subject=subject[:300], text_body=text, html_body=html,
            attachments=json.dumps([a.__dict__ for a in mail.attachments])))
    created = 0
    for start in range(0, len(rows), 500):
        created += len(await OutboxMessage.insert(*rows[start:start + 500]).on_conflict(
            action="DO NOTHING").returning(OutboxMessage.id).run())
    return created


def build_message(row: dict, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row["to_address"]  # always one recipient: nobody sees another's address
    message["Subject"] = row["subject"]
    message["Date"] = format_datetime(now())
    domain = parseaddr(settings.mail_from)[1].partition("@")[2] or "hr.invalid"
    message["Message-ID"] = f"<{hashlib.sha256(row['key'].encode()).hexdigest()[:32]}@{domain}>"
    message.set_content(row["text_body"])
    if row["html_body"]:
        message.add_alternative(row["html_body"], subtype="html")
    for item in json.loads(row["attachments"] or "[]"):
        maintype, _, subtype = item["content_type"].partition("/")
        params = {"method": item["method"]} if item.get("method") else {}
        message.add_attachment(item["content"].encode("utf-8"), maintype=maintype, subtype=subtype,
                               filename=item["filename"], params=params)
    return message


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def jittered(delay: timedelta) -> timedelta:
    """The delay give or take a fifth, so mails refused together (greylisting, a server down) are
    not all retried in the same second."""
    # Spreading retries, not a secret.
    return delay * random.uniform(0.8, 1.2)  # nosec B311


def retry_horizon(settings: Settings) -> timedelta:
    return timedelta(hours=settings.mail_retry_hours)


def classify(exc: BaseException) -> tuple[bool, str]:
    """(temporary, the server's reply as text) for a failed delivery, by the SMTP reply code:
    4xx (421 at any step included) is temporary and retried, 5xx is final; no reply at all
    (connection refused or lost, a timeout) is temporary."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        refusals = exc.recipients
        temporary = all(400 <= r.code < 500 for r in refusals)
        return temporary, "; ".join(f"{r.code} {r.message}" for r in refusals)
    if isinstance(exc, aiosmtplib.SMTPResponseException) and exc.code >= 400:
        return exc.code < 500, f"{exc.code} {exc.message}"
    return True, f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__


async def recover_stale(settings: Settings | None = None) -> int:
    """Messages left `sending` by a worker that died. Interrupted before the server had the whole
    mail: simply due again. Interrupted after DATA was sent but before the acceptance was
    recorded: `uncertain`, shown to HR, and resent automatically with the same Message-ID after
    `HR_MAIL_UNCERTAIN_RESEND_MINUTES` (0: never; HR resends by hand), unless HR made its kind
    at-most-once."""
    settings = settings or get_settings()
    stale = (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now() - STALE_AFTER)
    due_again = await OutboxMessage.update({
        OutboxMessage.status: "pending", OutboxMessage.next_attempt_at: now(),
        OutboxMessage.last_error: "Afsendelsen blev afbrudt, før mailserveren fik mailen; den sendes igen",
    }).where(stale & (OutboxMessage.phase != "data_sent")).returning(OutboxMessage.id).run()
    uncertain = await OutboxMessage.update({
        OutboxMessage.status: "uncertain",
        OutboxMessage.last_error: "Afsendelsen blev afbrudt, efter mailserveren fik mailen, men før den bekræftede "
                                  "den; måske er den nået frem",
    }).where(stale & (OutboxMessage.phase == "data_sent")).returning(OutboxMessage.id).run()
    if settings.mail_uncertain_resend_minutes:
        waited = (OutboxMessage.status == "uncertain") & (OutboxMessage.claimed_at < now() - timedelta(
            minutes=settings.mail_uncertain_resend_minutes))
        at_most_once = {r["kind"] for r in await KindSwitch.select(KindSwitch.kind).where(
            KindSwitch.at_most_once.eq(True)).run()}
        resend = [r["id"] for r in await OutboxMessage.select(OutboxMessage.id, OutboxMessage.kind).where(waited).run()
                  if family(r["kind"]).prefix not in at_most_once]
        if resend:
            await OutboxMessage.update({
                OutboxMessage.status: "pending", OutboxMessage.next_attempt_at: now(), OutboxMessage.phase: "",
                OutboxMessage.last_error: "Sendt igen automatisk efter en afbrudt afsendelse (samme Message-ID, så en "
                                          "eventuel dublet kan genkendes)",
            }).where(waited & OutboxMessage.id.is_in(resend)).run()
    return len(due_again) + len(uncertain)


class PhasedSMTP(aiosmtplib.SMTP):
    """An SMTP client that says when it is about to send DATA: until then an interrupted attempt
    left nothing with the server; after it, the mail may have arrived."""

    before_data = None  # an async callable, set per message

    async def data(self, message, /, **options):
        if self.before_data is not None:
            await self.before_data()
        return await super().data(message, **options)


async def _hand_back(message_id: int) -> None:
    """A claimed mail the server never had is due again at once, its claim not counted as a try."""
    await OutboxMessage.update({OutboxMessage.status: "pending", OutboxMessage.next_attempt_at: now(),
                                OutboxMessage.attempts: OutboxMessage.attempts - 1}).where(
        (OutboxMessage.id == message_id) & (OutboxMessage.status == "sending")
        & (OutboxMessage.phase != "data_sent")).run()


async def _phase(message_id: int, phase: str) -> None:
    await OutboxMessage.update({OutboxMessage.phase: phase}).where(OutboxMessage.id == message_id).run()


async def _claim(message_id: int) -> dict | None:
    rows = await OutboxMessage.update({OutboxMessage.status: "sending", OutboxMessage.claimed_at: now(),
                                       OutboxMessage.phase: "claimed",
                                       OutboxMessage.attempts: OutboxMessage.attempts + 1}).where(
        (OutboxMessage.id == message_id) & (OutboxMessage.status == "pending")).returning(
        *OutboxMessage.all_columns()).run()
    return rows[0] if rows else None


class DatabaseFault(Exception):
    """A statement of delivery's own bookkeeping failed (a dropped connection, a restarting
    database): nothing about the mail or the mail server, so no mail is marked failed for it."""


class DeliveryInterrupted(Exception):
    """Delivery stopped because the database failed; what it had not handed to the server is due
    again (or, if the database stayed away, made due by `recover_stale`)."""

    def __init__(self, counts: dict[str, int]):
        super().__init__("Afsendelsen stoppede, fordi forbindelsen til databasen blev afbrudt")
        self.counts = counts


async def _db(statement):
    """Runs one of delivery's database statements; its failure, whatever the driver calls it
    (an OSError among them), is a DatabaseFault and never taken for the mail server's."""
    try:
        return await statement
    except Exception as exc:
        raise DatabaseFault(exc.__class__.__name__) from exc


SENT_RECORD_TRIES = 3


async def _record_sent(row: dict) -> None:
    """The server has the mail: recording it is retried on a fresh connection, since sending it
    again would deliver it twice. If the database stays away the mail stays `data_sent`, and
    `recover_stale` shows it to HR as uncertain."""
    values = {OutboxMessage.status: "sent", OutboxMessage.sent_at: now(), OutboxMessage.phase: "accepted",
              OutboxMessage.last_error: ""}
    if row["kind"] in SCRUB_AFTER_SENDING:  # a personal link need not outlive its mail
        values |= {OutboxMessage.text_body: "(slettet efter afsendelse)", OutboxMessage.html_body: ""}
    for attempt in range(SENT_RECORD_TRIES):
        try:
            await OutboxMessage.update(values).where(OutboxMessage.id == row["id"]).run()
            return
        except Exception as exc:
            if attempt == SENT_RECORD_TRIES - 1:
                raise DatabaseFault(exc.__class__.__name__) from exc
            await asyncio.sleep(0.5 * (attempt + 1))


CONNECTIONS = 4  # parallel SMTP connections per delivery run: enough for 1,800 digests in minutes


BREAKER_FIRST = timedelta(minutes=1)
BREAKER_CAP = timedelta(minutes=15)


class Breaker:
    """One per process, which has one mail server. When the server does not answer (refused,
    lost, hanging), delivery claims no mail for a pause that starts at a minute and doubles to at
    most 15; a run's failures count once, however many connections met the outage. While paused,
    each run (every minute) only knocks: a connection that opens ends the pause, so delivery
    resumes within a minute of the server's return. If mail then fails again although the server
    answered the knock, knocking waits for the pause to end (the pause is what protects it)."""

    def __init__(self):
        self.reset()

    def paused(self) -> bool:
        return self.paused_until is not None and now() < self.paused_until

    def may_knock(self) -> bool:
        return not self.knock_misled

    def trip(self, run: object) -> None:
        if run is self.tripped_by:
            return
        self.tripped_by = run
        self.knock_misled = self.knocked
        self.failures += 1
        self.paused_until = now() + jittered(min(BREAKER_FIRST * 2 ** (self.failures - 1), BREAKER_CAP))

    def knocked_and_answered(self) -> None:
        self.paused_until, self.knocked = None, True

    def reset(self) -> None:
        self.failures, self.paused_until, self.tripped_by = 0, None, None
        self.knocked = self.knock_misled = False


breaker = Breaker()


class Stopping:
    """Set when the process is asked to stop: delivery claims no more mail (what is in flight is
    finished or handed back)."""

    def __init__(self):
        self.requested = False


stopping = Stopping()
# No answer at all: the connection is gone or never came (as opposed to a reply with a code).
NO_ANSWER = (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError, aiosmtplib.SMTPTimeoutError,
             ConnectionError, TimeoutError, OSError)


async def _connect(settings: Settings) -> aiosmtplib.SMTP:
    smtp = PhasedSMTP(hostname=settings.smtp_host, port=settings.smtp_port,
                           username=settings.smtp_username or None, password=settings.smtp_password or None,
                           start_tls=settings.smtp_starttls, timeout=settings.smtp_timeout_seconds)
    await smtp.connect()
    return smtp


async def _close(smtp: aiosmtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        await smtp.quit()
    except Exception:  # the server may already be gone; the mail is recorded either way
        smtp.close()


async def deliver_due(settings: Settings | None = None, limit: int = 500) -> dict[str, int]:
    """Send what is due over a few reused SMTP connections. Without an SMTP host (dev, demo) mail
    stays in the outbox. A server that does not answer pauses delivery (see Breaker). A database
    that fails stops the run: the mail in flight is handed back (never marked failed for it), the
    conversation with the server is ended, and DeliveryInterrupted says so."""
    settings = settings or get_settings()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if not settings.smtp_host or stopping.requested:
        return counts
    knock = None
    if breaker.paused():
        if not breaker.may_knock():
            return counts
        try:
            knock = await _connect(settings)
        except (aiosmtplib.SMTPException, *NO_ANSWER):
            return counts  # still away: the pause goes on
        breaker.knocked_and_answered()
    try:
        await _db(recover_stale(settings))
        queue = [r["id"] for r in await _db(OutboxMessage.select(OutboxMessage.id).where(
            (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now())).order_by(
            OutboxMessage.id).limit(limit).run())]
    except DatabaseFault:
        await _close(knock)
        raise DeliveryInterrupted(counts) from None
    queue.reverse()  # pop() from the end takes the oldest first
    run = object()  # the breaker counts this run's failures once
    # The first connection goes alone until the server has taken a mail: a server that does not
    # answer costs one try, not one per connection.
    answered = asyncio.Event()
    lost = asyncio.Event()  # the database failed: no connection claims more

    async def connection(first: bool) -> None:
        smtp = knock if first else None
        if not first:
            await answered.wait()
        try:
            while queue and not breaker.paused() and not stopping.requested and not lost.is_set():
                row = await _db(_claim(queue.pop()))
                if row is None:
                    continue  # another worker took it
                try:
                    message = build_message(row, settings)
                except Exception as exc:  # a malformed address, header or stored body: no retry will fix it
                    counts["failed"] += 1
                    await _db(_failed(row, f"Mailen kunne ikke dannes: {exc}", True))
                    continue
                try:
                    if smtp is None:
                        smtp = await _connect(settings)
                    await _db(_phase(row["id"], "connected"))
                    smtp.before_data = lambda message_id=row["id"]: _db(_phase(message_id, "data_sent"))
                    await smtp.send_message(message)
                except DatabaseFault:
                    # Mid-conversation (MAIL and RCPT given, no DATA): end it rather than leave the next
                    # mail to meet "503 nested MAIL command"; the server never had this one.
                    await _close(smtp)
                    smtp = None
                    await best_effort(_hand_back(row["id"]),
                                      "mail delivery could not hand back a mail; recover_stale does later", log)
                    raise
                except (aiosmtplib.SMTPException, *NO_ANSWER) as exc:
                    temporary, reply = classify(exc)
                    no_answer = isinstance(exc, NO_ANSWER)
                    # No answer says nothing about this mail: it is due as soon as the server is back.
                    final = await _db(_failed(row, reply, permanent=not temporary, due_now=no_answer))
                    counts["failed" if final else "retry"] += 1
                    if no_answer or getattr(exc, "code", 0) == 421 or smtp is None or not smtp.is_connected:
                        await _close(smtp)  # 421: the server closes the connection
                        smtp = None
                        if no_answer:
                            breaker.trip(run)
                except Exception as exc:  # anything else: this message is set aside, the batch goes on
                    await _close(smtp)  # where the conversation stopped is unknown: start a new one
                    smtp = None
                    counts["failed"] += 1
                    await _db(_failed(row, f"Uventet fejl under afsendelse: {exc.__class__.__name__}: {exc}", True))
                except asyncio.CancelledError:  # stopped mid-send: hand back what the server never had
                    await asyncio.shield(_hand_back(row["id"]))
                    raise
                else:
                    breaker.reset()
                    answered.set()
                    counts["sent"] += 1
                    await _record_sent(row)
        except DatabaseFault:
            lost.set()
        finally:
            answered.set()  # the others may go (or see the pause, or an empty queue)
            await _close(smtp)

    connections = min(CONNECTIONS, len(queue))
    if not connections and knock is not None:
        await _close(knock)  # knocked and answered, and nothing is due: the server is back
        breaker.reset()
    await asyncio.gather(*[connection(first=n == 0) for n in range(connections)])
    if lost.is_set():
        log.warning("mail delivery stopped: the database failed; unsent mail is due again")
        raise DeliveryInterrupted(counts)
    return counts


async def _failed(row: dict, error: str, permanent: bool, due_now: bool = False) -> bool:
    """Records a failed attempt; returns whether it was the last (a final refusal, or temporary
    refusals for longer than the retry horizon)."""
    horizon = retry_horizon(get_settings())
    final = permanent or now() - row["created_at"] >= horizon
    if final and not permanent:
        error = f"Opgivet efter {horizon.total_seconds() / 3600:g} timers forsøg. Seneste svar: {error}"
    # The reply text may name the recipient: it is kept on the message for HR, not in the log.
    log.warning("mail %s failed (attempt %s, %s)", row["id"], row["attempts"], "final" if final else "retried")
    await OutboxMessage.update({
        OutboxMessage.status: "failed" if final else "pending",
        OutboxMessage.next_attempt_at: now() if due_now else now() + jittered(backoff(row["attempts"])),
        OutboxMessage.last_error: error[:2000],
    }).where(OutboxMessage.id == row["id"]).run()
    return final


def sender_address(settings: Settings | None = None) -> tuple[str, str]:
    name, address = parseaddr((settings or get_settings()).mail_from)
    return name, address
