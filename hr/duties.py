"""Each person's open duties, in one place: the front page, `/api/v1/me/tasks` and (later) the
digest list what this computes. Each domain says what a person must do in its `duties.py`
(`async def duties(principal, moment) -> list[Duty]`), scoped to the person and at a fixed
number of queries whatever the data; this module gathers, orders by deadline and counts."""

from __future__ import annotations

import asyncio
import importlib
import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import cached_property
from urllib.parse import urlencode

from hr.auth.principal import Principal
from hr.cache import TimedCache
from hr.db import engine, now
from hr.settings import TIMEZONE

log = logging.getLogger("hr.duties")
SOURCES = ("hr.workenv.duties", "hr.supervision.duties", "hr.competence.duties", "hr.auth.duties",
           "hr.org.duties", "hr.notify.duties")


def in_words(day: date, today: date) -> str:
    """A deadline in words: "i dag", "i morgen", "om 3 dage", "i går", "5 dage over"."""
    days = (day - today).days
    if days == 0:
        return "i dag"
    if days == 1:
        return "i morgen"
    if days > 1:
        return f"om {days} dage"
    if days == -1:
        return "i går"
    late = -days
    if late <= 60:
        return f"{late} dage over"
    if late <= 730:
        return f"{late // 30} måneder over"
    return f"{late // 365} år over"


@dataclass(frozen=True)
class Duty:
    kind: str  # what sort of duty ("workenv.followup"): counted per kind on the page
    group: str  # the kind in Danish, as a heading: "Hændelser til opfølgning"
    title: str
    link: str  # where it is done
    deadline: datetime | date | None = None
    institution: str = ""  # for HR's region-wide view
    late: bool = False  # known to be past due though no date can be given (never had supervision)
    step: str = ""  # which step of the kind is next (an incident's first open deadline): its harm and reason
    institution_id: int | None = None  # HR's overview links each institution's count to its filtered list
    folded = False  # a Duty, not a Folded line

    @property
    def why(self) -> str:
        """Why it is there, in a sentence (HARM)."""
        return _harm(self)[1]

    def day(self) -> date | None:
        if isinstance(self.deadline, datetime):
            return self.deadline.astimezone(TIMEZONE).date()
        return self.deadline

    def when(self, today: date) -> str:
        """The deadline in words: "i dag", "i morgen", "om 3 dage", "i går", "5 dage over"."""
        day = self.day()
        if day is None:
            return "over fristen" if self.late else "ingen frist"
        return in_words(day, today)

    def overdue(self, today: date) -> bool:
        day = self.day()
        return self.late if day is None else day < today

    def as_json(self, today: date) -> dict:
        out = asdict(self)
        out.pop("late")  # said by `overdue`
        out.pop("institution_id")
        out["why"] = self.why
        out["deadline"] = self.deadline.isoformat() if self.deadline else None
        out["when"] = self.when(today)
        out["overdue"] = self.overdue(today)
        return out


@dataclass(frozen=True, eq=False)  # one list is itself: the front page keeps its rendering per list
class DutyList:
    items: list[Duty]
    today: date
    failed: tuple[str, ...] = ()  # domains that could not say (shown, not hidden)
    oversees_region: bool = False  # HR: the leaders' duties are an overview, not HR's own list

    # Computed once per list: HR's region-wide list of thousands is kept for a minute and shown
    # to every request in it.
    @cached_property
    def own(self) -> list[Duty]:
        """The person's own duties: for HR, what HR itself must do (failed mail, import problems,
        sign-in conflicts, cohorts, orders); the leaders' duties go to the overview per institution."""
        if not self.oversees_region:
            return self.items
        return [item for item in self.items if not regional(item, self.today)]

    @cached_property
    def counts(self) -> list[tuple[str, int]]:
        out: dict[str, int] = {}
        for item in self.own:
            out[item.group] = out.get(item.group, 0) + 1
        return sorted(out.items(), key=lambda kv: -kv[1])

    @cached_property
    def overdue(self) -> int:
        return sum(1 for item in self.own if item.overdue(self.today))

    @cached_property
    def regions(self) -> RegionOverview | None:
        return region_overview(self.items, self.today) if self.oversees_region else None

    @cached_property
    def shown(self) -> list[Duty | Folded]:
        """The front page's list: the first LISTED, with routine duties of one kind beyond the first
        FOLD_AFTER folded into one line with their count and the kind's page, so that a dozen "skal
        snart have supervision" do not push the urgent ones off the screen."""
        out: list[Duty | Folded] = []
        routine: dict[str, int] = {}
        folds: dict[str, Folded] = {}
        for item in self.own:
            if tier(item, self.today) == ROUTINE:
                routine[item.group] = routine.get(item.group, 0) + 1
                if routine[item.group] > FOLD_AFTER:
                    if item.group not in folds:
                        folds[item.group] = Folded(item.group, GROUP_PAGES.get(item.group, ""))
                        out.append(folds[item.group])
                    folds[item.group].count += 1
                    continue
            out.append(item)
        return out[:LISTED]


@dataclass
class Folded:
    """Routine duties of one kind beyond the first few, as one line on the front page."""

    group: str
    link: str
    count: int = 0
    folded = True


# Where the whole list of each kind of duty is, filtered and paged (the front page shows the first).
GROUP_PAGES = {
    "Dine kladder til indberetning": "/arbejdsmiljoe",
    "Hændelser til opfølgning": "/arbejdsmiljoe/opfoelgning",
    "Handlinger": "/arbejdsmiljoe/handlinger",
    "Påbud": "/arbejdsmiljoe/paabud",
    "APV": "/arbejdsmiljoe/apv",
    "Arbejdsmiljødrøftelse": "/arbejdsmiljoe/droeftelser",
    "Din supervision": "/supervision/kalender",
    "Medarbejdere, der mangler supervision": "/supervision/overblik?ubooket=1",
    "Fremmøde, der mangler": "/supervision/bookinger?fremmoede=mangler",
    "Dine kommende supervisioner": "/supervision/kalender",
    "Uddannelse": "/kompetence/mit",
    "Lederuddannelsen": "/kompetence/mit",
    "Indstilling til lederuddannelsen": "/kompetence/hold",
    "Arbejdskonti, der venter på HR": "/admin/arbejdskonti",
    "Lønfiler, der ikke blev indlæst": "/admin/import#afviste-loenfiler",
    "Mails, der ikke kunne sendes": "/admin/post?status=failed",
}


# The leaders' duties HR oversees region-wide: on HR's front page one column each, a count per
# institution that opens the list filtered to what was counted (so the two figures agree), and the
# column says what it counts.
REGION_GROUPS: dict[str, tuple[str, str, dict]] = {
    "Hændelser til opfølgning": ("Hændelser til opfølgning", "/arbejdsmiljoe/opfoelgning", {}),
    "Medarbejdere, der mangler supervision": ("Mangler supervision, uden booket tid", "/supervision/overblik",
                                              {"ubooket": "1"}),
    "Fremmøde, der mangler": ("Fremmøde ikke registreret", "/supervision/bookinger", {"fremmoede": "mangler"}),
    "Handlinger": ("Handlinger over fristen", "/arbejdsmiljoe/handlinger", {"status": "late"}),
    "APV": ("APV skal påbegyndes", "/arbejdsmiljoe/apv", {"revision": "1"}),
    "Arbejdsmiljødrøftelse": ("Drøftelse ikke holdt", "/arbejdsmiljoe/droeftelser", {}),
}


# HR's action duties are the region's late ones and HR's own open ones: only the late are the
# leaders' (the column says "over fristen"); the others stay on HR's own list.
REGION_ONLY_OVERDUE = {"Handlinger"}


def regional(item: Duty, today: date) -> bool:
    """Whether HR sees the duty as one of the leaders' (counted per institution), not its own."""
    return item.group in REGION_GROUPS and (item.group not in REGION_ONLY_OVERDUE or item.overdue(today))


def region_link(group: str, institution_id: int | None) -> str:
    """The list of what HR's overview counts for the group, for one institution or (None) all."""
    _, path, params = REGION_GROUPS[group]
    return f"{path}?{urlencode({**({'tilbud': institution_id} if institution_id else {}), **params})}"


@dataclass
class RegionOverview:
    """HR's table: per institution, the count of each kind of the leaders' duties with the link
    to the filtered list, and how many are past their deadline."""

    columns: list[tuple[str, str, int, str]]  # (group, column label, region total, its link), REGION_GROUPS' order
    rows: list[dict]
    total: int
    overdue: int


def region_overview(items: list[Duty], today: date) -> RegionOverview:
    rows: dict[str, dict] = {}
    present: set[str] = set()
    for item in items:
        if not regional(item, today):
            continue
        present.add(item.group)
        name = item.institution or "Uden tilbud"
        row = rows.setdefault(name, {"institution": name, "id": item.institution_id, "cells": {}, "total": 0,
                                     "overdue": 0})
        row["id"] = row["id"] or item.institution_id
        row["cells"][item.group] = row["cells"].get(item.group, 0) + 1
        row["total"] += 1
        row["overdue"] += item.overdue(today)
    for row in rows.values():
        row["links"] = {group: region_link(group, row["id"]) for group in row["cells"]} if row["id"] else {}
    columns = [(group, label, sum(r["cells"].get(group, 0) for r in rows.values()), region_link(group, None))
               for group, (label, _, _) in REGION_GROUPS.items() if group in present]
    ordered = sorted(rows.values(), key=lambda r: (r["id"] is None, r["institution"]))
    return RegionOverview(columns, ordered, sum(r["total"] for r in ordered), sum(r["overdue"] for r in ordered))


def group_pages(principal: Principal) -> dict[str, str]:
    """GROUP_PAGES as this person may open them: a supervisor, who does not manage bookings, finds
    their sessions (attendance to register among them) in their own calendar."""
    from hr.auth.rules import roles_for

    pages = dict(GROUP_PAGES)
    if not principal.roles & roles_for("supervision.book"):
        pages["Fremmøde, der mangler"] = "/supervision/kalender"
    return pages


LISTED = 50  # duties shown on the page; the counts and the links per kind hold the rest
FOLD_AFTER = 3  # routine duties of one kind listed before the rest become one line
_HR = TimedCache(max_entries=64)


# The one ranking rule: by harm, then by deadline. Tier 0, a person's safety now (defusing and
# debriefing after violence); 1, steps the law sets a deadline for (use of force, EASY and the
# insurer, the Working Environment Authority's orders); 2, anything else that is overdue; 3, work
# waiting with a deadline (an incident's review, an action, attendance to register); 4, routine
# reminders of what is coming (supervision due soon, applications, coming sessions), folded into
# one line per kind when there are many. Each kind, or kind and step, also says why it is there.
SAFETY, LEGAL, OVERDUE, OPEN, ROUTINE = range(5)
HARM: dict[str, tuple[int, str]] = {
    "workenv.followup:violence_defusing": (SAFETY, "Den, der blev udsat for vold, skal tilbydes defusing med det "
                                                   "samme, i samme vagt."),
    "workenv.followup:violence_debriefing": (SAFETY, "Debriefing holdes 1-3 dage efter voldsepisoden, eller det "
                                                     "noteres, at den er afslået."),
    "workenv.followup:accident_easy": (LEGAL, "En arbejdsulykke med fravær skal anmeldes til Arbejdstilsynet i "
                                              "EASY inden fristen."),
    "workenv.followup:accident_insurer": (LEGAL, "Arbejdsskaden skal anmeldes til forsikringen inden fristen."),
    "workenv.followup:force_registration": (LEGAL, "Magtanvendelsen skal registreres af lederen inden fristen."),
    "workenv.followup:force_preapproved": (LEGAL, "Det forhåndsgodkendte indgreb skal registreres samlet, når "
                                                  "godkendelsen udløber."),
    "workenv.followup:force_parents": (LEGAL, "Forældremyndighedens indehaver skal orienteres om magtanvendelsen."),
    "workenv.followup:force_municipality": (LEGAL, "Magtanvendelsen skal sendes videre til kommunen inden fristen."),
    "workenv.followup:force_supervisory": (LEGAL, "Magtanvendelsen skal sendes videre til socialtilsynet inden "
                                                  "fristen."),
    "workenv.followup:followup_review": (OPEN, "Lederen gennemgår hver indberetning og beslutter, hvad der skal "
                                                  "ske."),
    "workenv.followup": (OPEN, "Hændelsen venter på lederens opfølgning."),
    "workenv.order": (LEGAL, "Arbejdstilsynets påbud skal besvares og efterkommes inden fristen."),
    "workenv.draft": (OPEN, "Din indberetning er ikke sendt endnu."),
    "workenv.action": (OPEN, "En aftalt handling fra opfølgning eller APV med en frist."),
    "workenv.apv": (OPEN, "APV skal revideres mindst hvert 3. år, og når arbejdet ændres."),
    "workenv.discussion": (OPEN, "Den årlige arbejdsmiljødrøftelse skal holdes og registreres."),
    "supervision.own": (ROUTINE, "Supervision er obligatorisk; book en tid, før fristen er nået."),
    "supervision.overdue": (ROUTINE, "Supervision er obligatorisk, og fristen er overskredet uden booket tid."),
    "supervision.due_soon": (ROUTINE, "Supervision er obligatorisk, og fristen nærmer sig uden booket tid."),
    "supervision.attendance": (OPEN, "Fremmødet skal registreres; ellers tæller sessionen ikke som supervision."),
    "supervision.coming": (ROUTINE, "Din kommende supervision."),
    "competence.application": (ROUTINE, "Ansøgningsfristen til modulet nærmer sig."),
    "competence.exam": (ROUTINE, "Eksamen i et modul, du er tilmeldt."),
    "competence.offer": (OPEN, "Du er tilbudt en plads og skal svare inden fristen."),
    "competence.nomination": (OPEN, "Holdet til lederuddannelsen er åbent for indstillinger."),
    "auth.sign_in_conflict": (OPEN, "En medarbejder kan ikke logge ind med sin arbejdskonto, før HR har taget "
                                       "stilling."),
    "org.payroll_refused": (OPEN, "Lønfilen blev ikke indlæst, så ændringer i organisationen venter."),
    "notify.failed": (OPEN, "Modtagerne har ikke fået besked om en booking, en frist eller et tilbud."),
}


def _harm_of(kind: str, step: str) -> tuple[int, str]:
    return HARM.get(f"{kind}:{step}") or HARM.get(kind) or (OPEN, "")


def _harm(item: Duty) -> tuple[int, str]:
    return _harm_of(item.kind, item.step)


def step_order(kind: str, step: str) -> int:
    """Which of a duty's open steps comes first: the most harmful (then the earliest, by the caller)."""
    return _harm_of(kind, step)[0]


def tier(item: Duty, today: date) -> int:
    base = _harm(item)[0]
    return OVERDUE if base >= OVERDUE and item.overdue(today) else base


def rank(item: Duty, today: date) -> tuple:
    day = item.day()
    if day is None:
        day = date.min if item.late else date.max  # undated but late first, undated and open last
    return (tier(item, today), day, item.group, item.title)


async def duties_for(principal: Principal, moment: datetime | None = None) -> DutyList:
    """Everything the person must do, most urgent first. A domain that fails is named on the page
    and logged; the others still show. HR's region-wide list is at most a minute old."""
    if principal.is_hr and moment is None:
        value, _ = await _HR.get(("hr", principal.account_id), lambda: _collect(principal, now()))
        return value
    return await _collect(principal, moment or now())


async def _from(name: str, principal: Principal, moment: datetime) -> list[Duty] | None:
    try:
        return await importlib.import_module(name).duties(principal, moment)
    except Exception as exc:  # one domain's bad row must not empty the whole front page
        log.error("duties from %s failed (%s)", name, exc.__class__.__name__)
        return None


async def _collect(principal: Principal, moment: datetime) -> DutyList:
    # The domains ask the database at the same time (each read on its own pooled connection on
    # PostgreSQL): the page waits for the slowest, not for the sum.
    # Inside a transaction (the digest job) there is one connection, which runs one statement at a time.
    if engine().current_transaction.get() is None:
        found = await asyncio.gather(*(_from(name, principal, moment) for name in SOURCES))
    else:
        found = [await _from(name, principal, moment) for name in SOURCES]
    items = [duty for duties in found if duties is not None for duty in duties]
    failed = tuple(name.split(".")[1] for name, duties in zip(SOURCES, found, strict=True) if duties is None)
    today = moment.astimezone(TIMEZONE).date()
    return DutyList(sorted(items, key=lambda item: rank(item, today)), today, failed, principal.is_hr)


async def front_page(principal: Principal) -> dict:
    """What the front page shows: the duty list (the first LISTED of the duties, the counts; all of
    it follows from the list, which HR's page shows for a minute), and for an employee their own
    supervision status."""
    from hr.auth.rules import roles_for
    from hr.org import services as org
    from hr.supervision.duties import my_status

    async def nobody() -> None:
        return None

    found, me, supervision = await asyncio.gather(
        duties_for(principal), org.get_employee(principal, principal.employee_id) if principal.employee_id
        else nobody(), my_status(principal))
    return {"me": me, "supervision": supervision, "reports": bool(principal.roles & roles_for("workenv.report")),
            "duty_list": {"duties": found, "listed": found.shown, "group_pages": group_pages(principal),
                          "regions": found.regions, "is_hr": principal.is_hr}}
