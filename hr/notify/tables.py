"""The e-mail outbox: every message is written here in the same transaction as the change
that caused it, and delivered afterwards by a worker, so a crash never loses a message and a
rollback never sends one."""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from hr.auth.tables import Account

# pending: waiting for delivery (or for the next retry); sending: claimed by a worker;
# sent; failed: given up after retries or refused by the server; uncertain: a worker died
# between sending and recording it, so it is not resent automatically (at most once) but
# shown to HR, who can resend it.
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
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)

