"""The e-mail outbox: every message is written here in the same transaction as the change
that caused it, and delivered afterwards by a worker, so a crash never loses a message and a
rollback never sends one."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from hr.auth.tables import Account

# pending: waiting for delivery (or for the next retry); sending: claimed by a worker;
# sent; failed: given up after retries or refused by the server; uncertain: a worker died
# after the server had the whole mail but before its acceptance was recorded: resent with the
# same Message-ID after a wait (a rare duplicate is recognisable; a lost legal reminder is not).
STATUSES = {
    "pending": "Venter",
    "sending": "Sendes",
    "sent": "Sendt",
    "failed": "Fejlet",
    "uncertain": "Uvis (afbrudt under afsendelse)",
}


class OutboxMessage(Table, tablename="notify_outbox"):
    key = Varchar(length=300, unique=True)  # one message per key: a re-run never sends twice
    kind = Varchar(length=60, index=True)
    account = ForeignKey(Account, null=True, on_delete=OnDelete.set_null, index=True)
    to_address = Varchar(length=254)
    subject = Varchar(length=300)
    text_body = Text()
    html_body = Text(default="")
    attachments = Text(default="[]")  # JSON: [{"filename", "content_type", "method", "content"}]
    status = Varchar(length=20, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    claimed_at = Timestamptz(null=True, default=None)
    # How far the latest attempt got: claimed, connected, data_sent (the server has the whole mail
    # but has not yet said it accepted it), accepted. Decides what an interrupted attempt becomes.
    phase = Varchar(length=20, default="")
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class ReminderLog(Table, tablename="notify_reminder"):
    """Every reminder ever decided, once per key (kind|subject|period|account): the unique key is
    what makes a re-run, a crash mid-sweep or a second process harmless."""

    key = Varchar(length=300, unique=True)
    kind = Varchar(length=60, index=True)
    account = ForeignKey(Account, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=300)
    link = Varchar(length=300, default="")
    deadline = Varchar(length=40, default="")  # ISO date or time, as shown in the mail
    delivery = Varchar(length=20, default="immediate")  # immediate | digest | off
    digest_sent_at = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class Preference(Table, tablename="notify_preference"):
    """A person's choice: each reminder at once, or a weekly digest; and which optional kinds
    they do not want at all (mandatory reminders cannot be turned off)."""

    account = ForeignKey(Account, unique=True, on_delete=OnDelete.cascade)
    mode = Varchar(length=20, default="immediate")  # immediate | digest
    muted_kinds = Text(default="")  # comma-separated


class KindSwitch(Table, tablename="notify_kind_switch"):
    """HR turns a kind of reminder off for everyone (e.g. while a rule is being revised), or makes
    it at-most-once: a mail of that kind interrupted after DATA is then left for HR to resend
    rather than resent automatically."""

    kind = Varchar(length=60, unique=True)
    enabled = Boolean(default=True)
    at_most_once = Boolean(default=False)
    changed_at = Timestamptz(default=TimestamptzNow())


class JobRun(Table, tablename="notify_job_run"):
    """One run of a scheduled job: shown to HR, and the last successful sweep tells whether the
    scheduler is alive."""

    job = Varchar(length=60, index=True)
    started_at = Timestamptz(default=TimestamptzNow(), index=True)
    finished_at = Timestamptz(null=True, default=None)
    status = Varchar(length=20, default="running")  # running | ok | failed | interrupted (its process died)
    detail = Text(default="")
    # The items the run could not handle (the rest were done): JSON [{"source", "item", "error"}].
    problem_count = Integer(default=0)
    problems = Text(default="[]")


class JobLease(Table, tablename="notify_job_lease"):
    """Only one process runs a job at a time: a lease taken with a conditional UPDATE, which
    expires if its holder dies."""

    job = Varchar(length=60, unique=True)
    holder = Varchar(length=100, default="")
    expires_at = Timestamptz(null=True, default=None)


class SchedulerHeartbeat(Table, tablename="notify_scheduler_heartbeat"):
    """Each scheduler process writes its sign of life every half minute (hr.ops.health): the
    readiness check and the metrics read the latest."""

    holder = Varchar(length=100, unique=True)
    beat_at = Timestamptz(default=TimestamptzNow(), index=True)
