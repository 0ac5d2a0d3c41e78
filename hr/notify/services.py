"""HR's view of the outbox and the jobs, resending, switches, and each person's preferences."""

from __future__ import annotations

from dataclasses import dataclass

from hr import audit
from hr.auth.principal import Principal, Role
from hr.db import is_connection_lost, now, transaction
from hr.forms import NotFound, Page, ValidationError
from hr.notify import engine, outbox
from hr.notify.engine import default_mode
from hr.notify.kinds import FAMILIES
from hr.notify.tables import STATUSES, KindSwitch, OutboxMessage, Preference

PER_PAGE = 50


async def list_outbox(status: str = "", page: int = 1) -> Page:
    query = OutboxMessage.select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.to_address,
                                 OutboxMessage.subject, OutboxMessage.status, OutboxMessage.attempts,
                                 OutboxMessage.created_at, OutboxMessage.sent_at, OutboxMessage.last_error,
                                 OutboxMessage.next_attempt_at)
    count = OutboxMessage.count()
    if status in STATUSES:
        query = query.where(OutboxMessage.status == status)
        count = count.where(OutboxMessage.status == status)
    total = await count.run()
    items = await query.order_by(OutboxMessage.id, ascending=False).offset((page - 1) * PER_PAGE).limit(
        PER_PAGE).run()
    return Page(items=items, page=page, per_page=PER_PAGE, total=total, params={"status": status})


# Mail whose text is for its recipient alone (a link to choose a password).
PRIVATE_KINDS = ("account.password_link",)


async def status_counts() -> dict[str, int]:
    return {s: await OutboxMessage.count().where(OutboxMessage.status == s).run() for s in STATUSES}


async def get_message(principal: Principal, message_id: int) -> dict | None:
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first().run()
    if row:
        await audit.record(principal, "read", "outbox_message", message_id)
        if row["kind"] in PRIVATE_KINDS:  # it holds a personal link: whoever reads it could use it
            row["text_body"] = row["html_body"] = "Indholdet vises ikke: mailen indeholder et personligt link."
    return row


async def resend(principal: Principal, message_id: int) -> None:
    """Failed or uncertain mail goes back in the queue (HR decided: at most once is lifted by hand)."""
    async with transaction():
        rows = await OutboxMessage.update({OutboxMessage.status: "pending", OutboxMessage.attempts: 0,
                                           OutboxMessage.next_attempt_at: now(), OutboxMessage.last_error: ""}).where(
            (OutboxMessage.id == message_id) & OutboxMessage.status.is_in(["failed", "uncertain"])).returning(
            OutboxMessage.id).run()
        if not rows:
            if await OutboxMessage.exists().where(OutboxMessage.id == message_id).run():
                raise ValidationError({"resend": "Kun fejlede eller afbrudte mails kan sendes igen"})
            raise NotFound(message_id)
        await audit.record(principal, "resend", "outbox_message", message_id)


async def switches() -> list[dict]:
    stored = {r["kind"]: r for r in await KindSwitch.select().run()}
    return [{"kind": f.prefix, "label": f.label, "mandatory": f.mandatory,
             "enabled": stored.get(f.prefix, {}).get("enabled", True),
             "at_most_once": stored.get(f.prefix, {}).get("at_most_once", False)} for f in FAMILIES]


async def set_switch(principal: Principal, kind: str, *, enabled: bool | None = None,
                     at_most_once: bool | None = None) -> None:
    """HR turns a kind on or off, or chooses how an interrupted mail of that kind is handled."""
    if kind not in {f.prefix for f in FAMILIES}:
        raise ValidationError({"kind": "Ukendt type påmindelse"})
    values = {name: value for name, value in (("enabled", enabled), ("at_most_once", at_most_once))
              if value is not None}
    async with transaction():
        await KindSwitch.insert(KindSwitch(kind=kind)).on_conflict(target=KindSwitch.kind, action="DO NOTHING").run()
        await KindSwitch.update({**{getattr(KindSwitch, name): value for name, value in values.items()},
                                 KindSwitch.changed_at: now()}).where(KindSwitch.kind == kind).run()
        await audit.record(principal, "switch", "reminder_kind", kind, values)


async def preference(principal: Principal) -> dict:
    row = await Preference.select().where(Preference.account == principal.account_id).first().run()
    muted = set(row["muted_kinds"].split(",")) if row else set()
    return {"mode": row["mode"] if row else default_mode(Role.LEADER in principal.roles),
            "families": [{"kind": f.prefix, "label": f.label, "mandatory": f.mandatory,
                          "muted": f.prefix in muted and not f.mandatory} for f in FAMILIES]}


async def save_preference(principal: Principal, mode: str, wanted: list[str]) -> None:
    """`wanted`: the optional kinds the person keeps; the other optional kinds are muted."""
    if mode not in ("immediate", "digest"):
        raise ValidationError({"mode": "Vælg enkeltvis eller samlet én gang om ugen"})
    optional = {f.prefix for f in FAMILIES if not f.mandatory}
    if set(wanted) - optional:
        raise ValidationError({"muted": "Ukendt type påmindelse"})
    muted = optional - set(wanted)
    async with transaction():
        await Preference.insert(Preference(account=principal.account_id, mode=mode,
                                           muted_kinds=",".join(sorted(set(muted))))).on_conflict(
            target=Preference.account, action="DO UPDATE", values=[Preference.mode, Preference.muted_kinds]).run()
        await audit.record(principal, "update", "notification_preference", principal.account_id)


# `hr sweep`'s exit codes: 0 all done (or a sweep was already running elsewhere), these otherwise.
EXIT_SWEEP_UNFINISHED = 3
EXIT_DELIVERY_STOPPED = 4


@dataclass(frozen=True)
class SweepNow:
    """What a sweep run by hand did ("Kør nu", `hr sweep`), told in Danish."""

    sweep: dict  # engine.run_job's result
    delivery: dict[str, int] | None = None  # None: delivery was not asked for
    delivery_stopped: bool = False

    @property
    def sweep_text(self) -> str:
        status = self.sweep.get("status")
        if status == "skipped":
            return "En gennemgang kører allerede, så der blev ikke startet en til"
        if status == "failed":
            return ("Gennemgangen kunne ikke gennemføres: " + self.sweep.get("detail", "")
                    + ". Den prøves igen ved næste kørsel")
        return self.sweep.get("detail", "")

    @property
    def delivery_text(self) -> str:
        if self.delivery is None:
            return ""
        sent = self.delivery
        text = f"{sent['sent']} sendt, {sent['retry']} prøves igen, {sent['failed']} fejlet"
        if self.delivery_stopped:
            text += ("; afsendelsen stoppede, fordi forbindelsen til databasen blev afbrudt. Resten sendes ved næste "
                     "kørsel")
        return text

    @property
    def summary(self) -> str:
        """One confirmation: the sweep, and the mail when there was any to tell of."""
        told = self.delivery is not None and (any(self.delivery.values()) or self.delivery_stopped)
        return f"{self.sweep_text}. Mails: {self.delivery_text}." if told else f"{self.sweep_text}."

    @property
    def complete(self) -> bool:
        return self.sweep.get("status") in ("ok", "skipped")

    @property
    def exit_code(self) -> int:
        if not self.complete:
            return EXIT_SWEEP_UNFINISHED
        return EXIT_DELIVERY_STOPPED if self.delivery_stopped else 0


async def sweep_now(deliver: bool = True) -> SweepNow:
    """One reminder sweep now, then the outbox, however either ends: a sweep that fails is recorded
    as failed on its run (and warned about), a delivery the database stopped hands its mail back."""
    try:
        result = await engine.sweep()
    except Exception as exc:  # recorded on the job run by run_job; told here in Danish
        result = {"status": "failed", "detail": _failure(exc)}
    if not deliver:
        return SweepNow(result)
    try:
        return SweepNow(result, await outbox.deliver_due())
    except outbox.DeliveryInterrupted as stopped:
        return SweepNow(result, stopped.counts, delivery_stopped=True)


def _failure(exc: Exception) -> str:
    if is_connection_lost(exc):
        return "forbindelsen til databasen blev afbrudt"
    return f"uventet fejl ({exc.__class__.__name__})"
