"""What the work environment wants sent, as data. The reminder engine (scheduler issue)
decides, deduplicates on `key` and sends; this module only says who, what, why and when.

A sweep costs a constant number of queries, whatever the number of incidents or people."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hr.auth.principal import SYSTEM
from hr.notify.reminder import Leaders, Problems, Reminder
from hr.settings import TIMEZONE
from hr.workenv import amo, choices
from hr.workenv.deadlines import deadlines
from hr.workenv.services import load_rules
from hr.workenv.tables import ActionItem, Incident, Order

SOURCE = "Arbejdsmiljø"
SOON = timedelta(days=3)


async def due(now: datetime, problems: Problems | None = None) -> list[Reminder]:
    problems = problems if problems is not None else Problems()
    today = now.astimezone(TIMEZONE).date()
    rules = await load_rules()
    leaders = await Leaders.load()
    out: list[Reminder] = []

    for incident in await Incident.select().where(Incident.status.is_in(["submitted", "reviewed"])).run():
        with problems.item(SOURCE, f"incident:{incident['id']}"):
            out.extend(_incident(incident, rules, leaders, now))

    actions = await ActionItem.select().where((ActionItem.status == "open") & ActionItem.deadline.is_not_null()
                                              & (ActionItem.deadline <= today + SOON)).run()
    for action in actions:
        with problems.item(SOURCE, f"action:{action['id']}"):
            out.extend(_action(action, today))

    for order in await Order.select().where(Order.closed_on.is_null()).run():
        with problems.item(SOURCE, f"order:{order['id']}"):
            out.extend(_order(order, today))

    for unit in await _apv_units():
        with problems.item(SOURCE, f"unit:{unit['id']}"):
            if not amo.needs_revision(unit, today):
                continue
            if unit["changed_on"]:
                period, why = f"changed-{unit['changed_on'].isoformat()}", " (arbejdet er ændret)"
            else:
                period, why = (unit["next_due"].isoformat() if unit["next_due"] else "missing"), ""
            out.extend(Reminder("workenv.apv_due", f"unit:{unit['id']}", period, account,
                                f"APV for {unit['name']} skal revideres{why}", "/arbejdsmiljoe/apv",
                                amo.revision_due(unit, today))
                       for account in leaders.of(unit["id"], unit["institution"]))

    # The yearly work-environment discussion: the head is reminded in the year's last quarter.
    if (today.month, today.day) >= amo.DISCUSSION_REMINDER_FROM:
        for institution in await amo.missing_discussions(SYSTEM, today.year):
            with problems.item(SOURCE, f"institution:{institution['id']}"):
                out.extend(Reminder("workenv.discussion_due", f"institution:{institution['id']}", str(today.year),
                                    account, f"Den årlige arbejdsmiljødrøftelse for {today.year} mangler i "
                                    f"{institution['name']}", "/arbejdsmiljoe/droeftelser", date(today.year, 12, 31))
                           for account in leaders.of(None, institution["id"]))
    return out


def _incident(incident: dict, rules: list[dict], leaders: Leaders, now: datetime) -> list[Reminder]:
    out = []
    link = f"/arbejdsmiljoe/haendelser/{incident['id']}"
    if incident["status"] == "submitted" and not incident["reviewed_at"]:
        # The unit's leader hears of every new report at once, not only when a deadline nears.
        label = choices.KINDS[incident["kind"]]
        for account in leaders.of(incident["unit"], incident["institution"]):
            out.append(Reminder("workenv.incident_submitted", f"incident:{incident['id']}", "submitted",
                                account, f"Ny indberetning: {label}", link, None))
    for deadline in deadlines(incident, rules, now.astimezone(TIMEZONE).date()):
        if deadline.done_at is not None or deadline.due - now > SOON:
            continue
        overdue = now > deadline.due
        kind = f"workenv.{deadline.kind}" + (".overdue" if overdue else ".soon")
        for account in leaders.of(incident["unit"], incident["institution"]):
            title = f"{deadline.label}: {'fristen er overskredet' if overdue else 'fristen nærmer sig'}"
            out.append(Reminder(kind, f"incident:{incident['id']}", deadline.due.date().isoformat(), account,
                                title, link, deadline.due))
    return out


def _action(action: dict, today) -> list[Reminder]:
    if not action["owner"]:
        return []
    overdue = action["deadline"] < today
    state = "er forfalden" if overdue else "har frist snart"
    return [Reminder("workenv.action" + (".overdue" if overdue else ".soon"), f"action:{action['id']}",
                     action["deadline"].isoformat(), action["owner"],
                     f"Handling {state}: {action['problem'][:60]}", "/arbejdsmiljoe/handlinger", action["deadline"])]


def _order(order: dict, today) -> list[Reminder]:
    if not order["responsible"]:
        return []
    out = []
    for field, label in (("reply_deadline", "svar til Arbejdstilsynet"),
                         ("compliance_deadline", "efterkommelse af påbud")):
        day = order[field]
        done = order["reply_sent_on"] if field == "reply_deadline" else None
        if day and not done and day <= today + timedelta(days=7):
            out.append(Reminder(f"workenv.order.{field}", f"order:{order['id']}", day.isoformat(),
                                order["responsible"], f"Frist for {label}: sag {order['case_number']}",
                                f"/arbejdsmiljoe/paabud/{order['id']}", day))
    return out


async def _apv_units() -> list[dict]:
    return await amo.apv_overview(SYSTEM)
