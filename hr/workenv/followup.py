"""The leader's follow-up of an incident, and action items shared by incidents, APVs and orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hr import audit
from hr.auth.principal import Principal, Role
from hr.auth.scope import leader_unit_ids, visible_institution_ids
from hr.auth.tables import Account
from hr.cpr import CPR_MESSAGE, contains_cpr
from hr.db import now, transaction
from hr.forms import (
    NotFound,
    Page,
    ValidationError,
    integer,
    local_today,
    optional_int,
    parse_date,
    parse_moment,
    text,
    years_from,
)
from hr.settings import TIMEZONE
from hr.workenv.deadlines import ABSENCE_KINDS, PREAPPROVED, deadlines
from hr.workenv.services import access_for, load_rules
from hr.workenv.tables import ActionItem, Apv, Incident, Order

PRIORITIES = {1: "Høj", 2: "Middel", 3: "Lav"}


def _text(form, name: str, limit: int, errors: dict, required: str = "") -> str:
    return text(form.get(name), errors, name, max_length=limit, required=required or None)


def _date(form, name: str, errors: dict) -> date | None:
    return parse_date(form.get(name), errors, name)


def parse_moment_or_now(form, name: str, errors: dict) -> datetime | None:
    """A date and optional time typed in Danish local time; empty means now."""
    day, clock = form.get(f"{name}_date"), form.get(f"{name}_time")
    if not str(day or "").strip() and not str(clock or "").strip():
        return now()
    moment = parse_moment(day, clock, errors, name, required="Skriv dato og klokkeslæt",
                          earliest=years_from(local_today(), -10), default_time=time(12, 0))
    if moment is None:
        return None
    if moment > now():
        errors[name] = "Tidspunktet ligger i fremtiden"
        return None
    return moment


async def incident_for_followup(principal: Principal, incident_id: int) -> dict:
    incident = await Incident.select().where(Incident.id == incident_id).first().run()
    if not incident or incident["status"] == "draft":
        raise NotFound(incident_id)
    access = await access_for(principal, incident)
    if not access.view:
        raise NotFound(incident_id)
    if not access.follow_up:
        raise PermissionError(incident_id)
    return incident


async def record_review(principal: Principal, incident_id: int, form) -> None:
    incident = await incident_for_followup(principal, incident_id)
    errors: dict[str, str] = {}
    causes = _text(form, "causes", 5000, errors, "Skriv hvad der var årsagerne")
    learning = _text(form, "learning_point", 5000, errors, "Skriv læringspunktet")
    if errors:
        raise ValidationError(errors)
    values = {"causes": causes, "learning_point": learning, "updated_at": now()}
    if not incident["reviewed_at"]:
        values.update(reviewed_at=now(), reviewed_by=principal.account_id)
    if incident["status"] == "submitted":
        values["status"] = "reviewed"
    async with transaction():
        await Incident.update(values).where(Incident.id == incident_id).run()
        await audit.record(principal, "update", "incident_review", incident_id)


async def record_external(principal: Principal, incident_id: int, form) -> str | None:
    """External reports of accidents and of violence with absence; forwarding of use-of-force
    registrations."""
    incident = await incident_for_followup(principal, incident_id)
    errors: dict[str, str] = {}
    values: dict = {}
    if incident["kind"] in ABSENCE_KINDS:
        # Absence is recorded as periods (hr.workenv.absence); here the reports made.
        reference = _text(form, "easy_reference", 60, errors)
        if reference and reference != incident["easy_reference"]:
            values.update(easy_reference=reference, easy_reported_at=now(), easy_reported_by=principal.account_id)
        if form.get("insurer_reported") == "1" and not incident["insurer_reported_at"]:
            values["insurer_reported_at"] = now()
    elif incident["kind"] == "use_of_force":
        reference = _text(form, "form_reference", 60, errors)
        if reference:
            values["form_reference"] = reference
        for name in ("form_registered_on", "forwarded_municipality_on", "forwarded_supervisory_on"):
            day = _date(form, name, errors)
            if day:
                if day > now().astimezone(TIMEZONE).date():
                    errors[name] = "Datoen ligger i fremtiden"
                values[name] = day
        if incident["legal_framework"] == "child":
            values.update(_parents_informed(form, incident, errors))
        elif incident["force_category"] == PREAPPROVED:
            values.update(_preapproved(form, incident, values, errors))
    else:
        errors["kind"] = "Der er ingen eksterne indberetninger for denne type"
    if errors:
        raise ValidationError(errors)
    if values:
        fields = sorted(values)
        values["updated_at"] = now()
        async with transaction():
            await Incident.update(values).where(Incident.id == incident_id).run()
            await audit.record(principal, "update", "incident_external", incident_id, {"fields": fields})
            if "easy_reference" in values:
                from hr.workenv.easy import send_copies  # easy builds on this module

                sent = await send_copies({**incident, **values})
                return (f"Anmeldelsen i EASY er registreret, og {sent} "
                        f"{'kopi er sendt' if sent == 1 else 'kopier er sendt'} til den tilskadekomne og "
                        "arbejdsmiljørepræsentanten.")


def _preapproved(form, incident: dict, values: dict, errors: dict) -> dict:
    """The approval's expiry and, when it has run out, the combined registration's estimated count."""
    out: dict = {}
    expires = _date(form, "approval_expires_on", errors)
    occurred_on = incident["occurred_at"].astimezone(TIMEZONE).date() if incident["occurred_at"] else None
    if expires:
        if occurred_on and expires < occurred_on:
            errors["approval_expires_on"] = "Godkendelsen kan ikke udløbe, før den blev givet"
        out["approval_expires_on"] = expires
    raw = str(form.get("estimated_count") or "").strip()
    count = integer(raw, errors, "estimated_count", low=0, high=100_000,
                    message="Skriv det anslåede antal som et helt tal (0 eller flere)") if raw else None
    if count is not None:
        out["estimated_count"] = count
        if not values.get("form_registered_on") and not incident["form_registered_on"]:
            out["form_registered_on"] = local_today()  # the combined registration is made now
    return out


def _parents_informed(form, incident: dict, errors: dict) -> dict:
    """When and by whom the holders of parental responsibility were told (children only)."""
    by = _text(form, "parents_informed_by", 120, errors)
    day, clock = str(form.get("parents_informed_date") or "").strip(), str(form.get("parents_informed_time") or "")
    if not by and not day and not clock.strip():
        return {}
    moment = parse_moment(day, clock, errors, "parents_informed", required="Skriv hvornår forældrene blev orienteret",
                          earliest=years_from(local_today(), -10), default_time=time(12, 0))
    if not by and "parents_informed_by" not in errors:
        errors["parents_informed_by"] = "Skriv hvem der orienterede forældrene"
    if moment is not None:
        if moment > now():
            errors["parents_informed"] = "Tidspunktet ligger i fremtiden"
        elif incident["occurred_at"] and moment < incident["occurred_at"] - timedelta(minutes=1):
            errors["parents_informed"] = "Forældrene kan ikke være orienteret før episoden"
    return {"parents_informed_at": moment, "parents_informed_by": by}


async def closing_blockers(incident: dict) -> list[str]:
    """What stands between the incident and closing it, in the words the page shows next to the
    button. Planned actions may stay open once each has an owner and a deadline: they are
    tracked on their own (the action list, reminders) after the incident is closed."""
    if not incident["reviewed_at"]:
        return ["Gennemgå hændelsen (årsager og læringspunkt), før den afsluttes"]
    support = {d.kind for d in deadlines(incident, await load_rules()) if d.done_at is None}
    if "violence_defusing" in support:
        return ["Registrér at defusing er tilbudt, før hændelsen afsluttes"]
    if "violence_debriefing" in support:
        return ["Registrér at debriefing er holdt eller afslået, før hændelsen afsluttes"]
    if incident.get("absent_since") is not None:
        # The insurer's five-week duty and its reminder follow only open incidents.
        return ["Medarbejderen er stadig fraværende: registrér sidste fraværsdag, før hændelsen afsluttes"]
    out = []
    for action in await ActionItem.select(
            ActionItem.problem, ActionItem.owner, ActionItem.deadline,
            ActionItem.owner.active.as_alias("owner_active"), ActionItem.owner.employee.as_alias("owner_employee"),
            ActionItem.owner.employee.active.as_alias("owner_employed")).where(
            (ActionItem.source_type == "incident") & (ActionItem.source_id == incident["id"])
            & (ActionItem.status == "open")).run():
        # An owner whose account or employment has ended owns nothing any more.
        owned = action["owner"] and action["owner_active"] and (
            action["owner_employee"] is None or action["owner_employed"])
        missing = [what for what, value in (("en ansvarlig, der stadig er ansat", owned),
                                            ("en frist", action["deadline"])) if not value]
        if missing:
            out.append(f"Handlingen »{action['problem'][:60]}« mangler {' og '.join(missing)}")
    return out


async def close_incident(principal: Principal, incident_id: int) -> None:
    incident = await incident_for_followup(principal, incident_id)
    blockers = await closing_blockers(incident)
    if blockers:
        raise ValidationError({"close": "; ".join(blockers)})
    async with transaction():
        await Incident.update({Incident.status: "closed", Incident.closed_at: now(), Incident.updated_at: now()}
                              ).where(Incident.id == incident_id).run()
        await audit.record(principal, "close", "incident", incident_id)


# --- action items ---------------------------------------------------------------------------

async def owner_choices(institution_id: int | None) -> list[dict]:
    """People who can own an action item: accounts employed in the institution."""
    if not institution_id:
        return []
    return await Account.select(Account.id, Account.name).where(
        Account.active.eq(True) & (Account.employee.unit.institution == institution_id)
    ).order_by(Account.name).run()


async def _source(principal: Principal, source_type: str, source_id: int) -> tuple[int | None, int | None]:
    """(institution, unit) of an action item's source, after checking the person may manage it."""
    if source_type == "incident":
        incident = await incident_for_followup(principal, source_id)
        return incident["institution"], incident["unit"]
    table = {"apv": Apv, "order": Order}.get(source_type)
    if table is None:
        raise NotFound(source_id)
    row = await table.select(table.institution, table.unit).where(table.id == source_id).first().run()
    visible = await visible_institution_ids(principal)
    if not row or (visible is not None and row["institution"] not in visible):
        raise NotFound(source_id)
    if not await can_manage_area(principal, row["institution"], row["unit"]):
        raise PermissionError(source_id)
    return row["institution"], row["unit"]


async def can_manage_area(principal: Principal, institution_id: int | None, unit_id: int | None) -> bool:
    if principal.is_hr:
        return True
    if Role.LEADER not in principal.roles:
        return False
    if institution_id in principal.leader_institution_ids:
        return True
    return unit_id is not None and unit_id in await leader_unit_ids(principal)


async def add_action(principal: Principal, source_type: str, source_id: int, form) -> int:
    institution, unit = await _source(principal, source_type, source_id)
    errors: dict[str, str] = {}
    problem = _text(form, "problem", 2000, errors, "Beskriv problemet")
    measure = _text(form, "measure", 2000, errors, "Beskriv tiltaget")
    effect = _text(form, "effect_check", 2000, errors, "Skriv hvordan virkningen kontrolleres")
    deadline = _date(form, "deadline", errors)
    if deadline is None and "deadline" not in errors:
        errors["deadline"] = "Vælg en frist"
    priority = integer(form.get("priority"), errors, "priority", low=min(PRIORITIES), high=max(PRIORITIES),
                       default=2, message="Vælg prioritet") or 2
    owner = optional_int(form.get("owner"))
    if owner is None:
        errors["owner"] = "Vælg en ansvarlig"
    elif owner not in {a["id"] for a in await owner_choices(institution)}:
        errors["owner"] = "Den ansvarlige skal være ansat i tilbuddet"
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await ActionItem.insert(ActionItem(
            source_type=source_type, source_id=source_id, institution=institution, unit=unit, problem=problem,
            measure=measure, priority=priority, owner=owner, deadline=deadline, effect_check=effect,
            created_by=principal.account_id,
        )).returning(ActionItem.id).run()
        await audit.record(principal, "create", "action_item", rows[0]["id"],
                           {"source": f"{source_type}:{source_id}"})
    return rows[0]["id"]


async def close_action(principal: Principal, action_id: int, note: str) -> dict:
    item = await ActionItem.select().where(ActionItem.id == action_id).first().run()
    if not item:
        raise NotFound(action_id)
    allowed = item["owner"] == principal.account_id or await can_manage_area(
        principal, item["institution"], item["unit"])
    if not allowed:
        raise PermissionError(action_id)
    note = note.strip()
    if not note:
        raise ValidationError({"closing_note": "Skriv hvad der er gjort, og hvordan virkningen er kontrolleret"})
    if contains_cpr(note):
        raise ValidationError({"closing_note": CPR_MESSAGE})
    async with transaction():
        rows = await ActionItem.update({ActionItem.status: "done", ActionItem.closed_at: now(),
                                        ActionItem.closed_by: principal.account_id, ActionItem.closing_note: note}
                                       ).where((ActionItem.id == action_id) & (ActionItem.status == "open")
                                               ).returning(ActionItem.id).run()
        if rows:
            await audit.record(principal, "close", "action_item", action_id)
    if not rows:
        raise ValidationError({"closing_note": "Handlingen er allerede lukket"})
    return item


ACTION_COLUMNS = (
    ActionItem.all_columns(),
    ActionItem.owner.name.as_alias("owner_name"),
    ActionItem.unit.name.as_alias("unit_name"),
    ActionItem.institution.name.as_alias("institution_name"),
)


async def actions_for(source_type: str, source_id: int) -> list[dict]:
    return await ActionItem.select(*ACTION_COLUMNS).where(
        (ActionItem.source_type == source_type) & (ActionItem.source_id == source_id)
    ).order_by(ActionItem.deadline).run()


async def list_actions(principal: Principal, status: str = "open", page: int = 1, per_page: int = 50,
                       only: int | None = None, institution_id: int | None = None) -> Page[dict]:
    """The actions the person may see, by status ("late": open and past the deadline, as the
    front page counts them) and institution; `only`: the one a duty opens, with its form."""
    units: set[int] = set()
    if principal.is_hr:
        clause = ActionItem.id > 0
    else:
        clause = ActionItem.owner == principal.account_id
        if Role.LEADER in principal.roles:
            units = await leader_unit_ids(principal)
            clause = clause | ActionItem.unit.is_in(list(units) or [-1]) | ActionItem.institution.is_in(
                list(principal.leader_institution_ids) or [-1])
        if principal.amr_institution_ids:
            clause = clause | ActionItem.institution.is_in(list(principal.amr_institution_ids))
    if only is not None:
        clause = clause & (ActionItem.id == only)
    elif status in ("open", "done"):
        clause = clause & (ActionItem.status == status)
    elif status == "late":
        clause = clause & (ActionItem.status == "open") & (ActionItem.deadline < now().astimezone(TIMEZONE).date())
    if institution_id is not None and only is None:
        clause = clause & (ActionItem.institution == institution_id)
    total = await ActionItem.count().where(clause).run()
    items = await ActionItem.select(*ACTION_COLUMNS).where(clause).order_by(ActionItem.deadline).limit(
        per_page).offset((page - 1) * per_page).run()
    today = now().astimezone(TIMEZONE).date()
    for item in items:
        item["overdue"] = item["status"] == "open" and item["deadline"] is not None and item["deadline"] < today
        item["can_close"] = item["status"] == "open" and (
            principal.is_hr or item["owner"] == principal.account_id or item["unit"] in units
            or item["institution"] in principal.leader_institution_ids)
    params = {"status": status, **({"handling": str(only)} if only is not None else {}),
              **({"tilbud": str(institution_id)} if institution_id is not None else {})}
    return Page(items=items, page=page, per_page=per_page, total=total, params=params)



# --- the follow-up as steps ---------------------------------------------------------------------

# Which step each deadline belongs to, and the steps in the order they are done.
STEP_OF_DEADLINE = {"followup_review": "review", "violence_defusing": "support", "violence_debriefing": "support",
                    "accident_easy": "external", "accident_insurer": "external", "force_registration": "external",
                    "force_preapproved": "external", "force_parents": "external", "force_municipality": "external",
                    "force_supervisory": "external"}


@dataclass
class Step:
    key: str  # the section's id on the page
    label: str
    state: str  # in words: "Klaret", "Åben", "Overskredet", "3 dage registreret"
    due: datetime | None = None  # the earliest open deadline of the step
    done: bool = False
    overdue: bool = False
    opened: bool = False  # shown unfolded: the first step to do, or the one a form came back to


def steps(incident: dict, moment: datetime, *, absence_periods: list[dict], open_actions: int,
          blockers: list[str], returned_to: str = "") -> list[Step]:
    """The incident's follow-up as steps, each with its state and deadline: review, defusing and
    debriefing (violence, use of force), absence (accident, violence), EASY details (only when
    there is a duty to report), reporting and forwarding, actions, closing. The most harmful open
    step (defusing before the review) is the one shown unfolded."""
    kind = incident["kind"]
    # EASY's details are asked for only when the accident is to be reported (or already was).
    easy_required = any(d.kind == "accident_easy" for d in incident["deadlines"]) or bool(
        incident.get("easy_reference"))
    by_step: dict[str, list] = {}
    for d in incident["deadlines"]:
        by_step.setdefault(STEP_OF_DEADLINE.get(d.kind, "review"), []).append(d)

    def from_deadlines(key: str, label: str, done_when_none: bool = False) -> Step:
        found = by_step.get(key, [])
        open_ = [d for d in found if d.done_at is None]
        due = min((d.due for d in open_), default=None)
        late = any(d.status(moment) == "overdue" for d in open_)
        done = not open_ and (bool(found) or done_when_none)
        state = "Klaret" if done else "Overskredet" if late else "Åben"
        return Step(key, label, state, due, done, late)

    out = [from_deadlines("review", "Gennemgang")]
    out[0].done = out[0].done or bool(incident.get("reviewed_at"))
    out[0].state = "Klaret" if out[0].done else out[0].state
    if kind in ("violence", "use_of_force"):
        out.insert(0, from_deadlines("support", "Defusing og debriefing", done_when_none=True))
    if kind in ABSENCE_KINDS:
        days = incident.get("absence_so_far") or 0
        still = incident.get("absent_since") is not None
        state = (f"{days} {'dag' if days == 1 else 'dage'} registreret" + (", stadig fraværende" if still else "")
                 if absence_periods else "Intet fravær registreret")
        out.append(Step("absence", "Fravær", state, done=not still))
        if easy_required:
            out.append(Step("easy", "Oplysninger til EASY", "Se feltet nedenfor", done=False))
    if kind in ABSENCE_KINDS or kind == "use_of_force":
        label = "Blanket og videresendelse" if kind == "use_of_force" else "Anmeldelse"
        out.append(from_deadlines("external", label, done_when_none=True))
        if not by_step.get("external"):
            out[-1].state = "Ingen anmeldelsespligt endnu"
    out.append(Step("actions", "Handlinger", f"{open_actions} åbne" if open_actions else "Ingen åbne",
                    done=not open_actions))
    closed = incident["status"] == "closed"
    out.append(Step("close", "Afslut", "Afsluttet" if closed else ("Kan afsluttes" if not blockers else
                                                                    f"{len(blockers)} ting mangler"), done=closed))
    first = next((s for s in out if not s.done), None)
    for step in out:
        step.opened = step.key == returned_to or (not returned_to and step is first)
    return out
