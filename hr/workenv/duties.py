"""What the work environment asks of a person now: their own drafts and action items; for
leaders (and HR, region-wide) incidents awaiting follow-up with their legal deadlines, the area's
late action items, orders they answer for and APVs due. A fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hr.auth.principal import Principal, Role
from hr.auth.scope import leader_unit_ids, led_unit_list
from hr.db import prepared
from hr.duties import Duty, step_order
from hr.settings import TIMEZONE
from hr.web import fmt_date
from hr.workenv import amo, choices, services
from hr.workenv.tables import ActionItem, Order

SOON = timedelta(days=7)


@prepared
def _actions(owner, everyone_late: bool, units, today):
    """Open actions the person owns, and the late ones of their units (`units`) or, for HR, of all."""
    own = ActionItem.owner == owner
    if units is not None:
        # The area's late actions, whoever owns them (the leader answers for the unit).
        own = own | (ActionItem.unit.is_in(units) & (ActionItem.deadline < today))
    elif everyone_late:
        own = own | (ActionItem.deadline < today)
    return ActionItem.select(ActionItem.id, ActionItem.problem, ActionItem.deadline, ActionItem.institution,
                             ActionItem.institution.name.as_alias("institution_name")).where(
        (ActionItem.status == "open") & own).order_by(ActionItem.deadline).limit(200)


@prepared
def _orders(responsible):
    return Order.select(Order.id, Order.case_number, Order.reply_deadline, Order.reply_sent_on,
                        Order.compliance_deadline, Order.institution.name.as_alias("institution_name")).where(
        Order.closed_on.is_null() & (Order.responsible == responsible))


async def duties(principal: Principal, moment: datetime) -> list[Duty]:
    today = moment.astimezone(TIMEZONE).date()
    out: list[Duty] = []
    for draft in await services.my_drafts(principal):
        kind = choices.KINDS.get(draft["kind"], "hændelse uden type")
        out.append(Duty("workenv.draft", "Dine kladder til indberetning",
                        f"Gør indberetningen færdig: {kind}, {fmt_date(draft['occurred_at'])}",
                        f"/arbejdsmiljoe/haendelser/{draft['id']}/rediger"))
    leads = Role.LEADER in principal.roles or principal.is_hr
    if leads:
        for item in await services.worklist(principal):
            # The most harmful open step first (defusing before the leader's review), then the earliest.
            first = min(item["open_deadlines"], key=lambda d: (step_order("workenv.followup", d.kind), d.due),
                        default=None)
            kind = choices.KINDS.get(item["kind"], "Hændelse")
            title = f"{first.label if first else 'Følg op'}: {kind.lower()} {fmt_date(item['occurred_at'])}, " \
                    f"{item.get('unit_name') or ''}".rstrip(", ")
            out.append(Duty("workenv.followup", "Hændelser til opfølgning", title,
                            f"/arbejdsmiljoe/haendelser/{item['id']}", first.due if first else None,
                            item.get("institution_name") or "", step=first.kind if first else "",
                            institution_id=item.get("institution")))
    led = None if principal.is_hr else await led_unit_list(principal)
    for action in await _actions(principal.account_id, principal.is_hr, led, today):
        out.append(Duty("workenv.action", "Handlinger", f"Handling: {action['problem'][:80]}",
                        f"/arbejdsmiljoe/handlinger?handling={action['id']}", action["deadline"],
                        action["institution_name"] or "", institution_id=action["institution"]))
    for order in await _orders(principal.account_id):
        due = order["reply_deadline"] if order["reply_deadline"] and not order["reply_sent_on"] \
            else order["compliance_deadline"]
        what = "Svar til Arbejdstilsynet" if due == order["reply_deadline"] else "Efterkom påbud"
        out.append(Duty("workenv.order", "Påbud", f"{what}: sag {order['case_number']}",
                        f"/arbejdsmiljoe/paabud/{order['id']}", due, order["institution_name"] or ""))
    if leads:
        units = None if principal.is_hr else await leader_unit_ids(principal)
        for unit in await amo.apv_overview(principal):
            if units is not None and unit["id"] not in units:
                continue
            if not amo.needs_revision(unit, today):
                continue
            why = " (arbejdet er ændret)" if unit["changed_on"] else ""
            out.append(Duty("workenv.apv", "APV", f"APV for {unit['name']} skal revideres{why}", "/arbejdsmiljoe/apv",
                            amo.revision_due(unit, today), unit["institution_name"] or "",
                            institution_id=unit["institution"]))
    heads = principal.is_hr or bool(principal.leader_institution_ids)
    if heads and (today.month, today.day) >= amo.DISCUSSION_REMINDER_FROM:
        for institution in await amo.missing_discussions(principal, today.year):
            if principal.is_hr or institution["id"] in principal.leader_institution_ids:
                out.append(Duty("workenv.discussion", "Arbejdsmiljødrøftelse",
                                f"Hold og registrér den årlige arbejdsmiljødrøftelse for {today.year}",
                                "/arbejdsmiljoe/droeftelser", date(today.year, 12, 31), institution["name"],
                                institution_id=institution["id"]))
    return out
