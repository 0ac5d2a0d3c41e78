"""JSON API for incidents, action items, orders and APVs (token scope workenv:read)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, Parameter

from hr.auth.rules import allow
from hr.forms import MAX_ID
from hr.workenv import amo, followup, services


@dataclass
class DeadlineOut:
    kind: str
    label: str
    due: datetime
    done_at: datetime | date | None


@dataclass
class IncidentOut:
    id: int
    kind: str
    status: str
    occurred_at: datetime | None
    institution_id: int | None
    unit_id: int | None
    unit_name: str | None
    place_type: str
    severity: int | None
    citizen_pseudonym: str
    reporter_name: str | None
    violence_type: str
    injury_type: str
    absence_days: int | None
    still_absent: bool
    legal_framework: str
    force_category: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    closed_at: datetime | None
    deadlines: list[DeadlineOut]


@dataclass
class IncidentPage:
    items: list[IncidentOut]
    page: int
    per_page: int
    total: int


@dataclass
class ActionOut:
    id: int
    source_type: str
    source_id: int
    institution_id: int | None
    unit_id: int | None
    problem: str
    measure: str
    priority: int
    owner_name: str | None
    deadline: date | None
    effect_check: str
    status: str
    overdue: bool
    closed_at: datetime | None


@dataclass
class OrderOut:
    id: int
    case_number: str
    order_type: str
    received_on: date
    institution_id: int
    unit_id: int | None
    compliance_deadline: date | None
    reply_deadline: date | None
    amo_informed_on: date | None
    reply_sent_on: date | None
    closed_on: date | None
    overdue: bool


@dataclass
class ApvStatusOut:
    unit_id: int
    unit_name: str
    institution_id: int
    last_completed: date | None
    next_due: date | None
    overdue: bool


def _incident(row: dict) -> IncidentOut:
    return IncidentOut(
        id=row["id"], kind=row["kind"], status=row["status"], occurred_at=row["occurred_at"],
        institution_id=row["institution"], unit_id=row["unit"], unit_name=row.get("unit_name"),
        place_type=row["place_type"], severity=row["severity"], citizen_pseudonym=row["citizen_pseudonym"],
        reporter_name=row.get("reporter_name"), violence_type=row["violence_type"], injury_type=row["injury_type"],
        absence_days=row["absence_so_far"], still_absent=row["absent_since"] is not None,
        legal_framework=row["legal_framework"],
        force_category=row["force_category"], submitted_at=row["submitted_at"], reviewed_at=row["reviewed_at"],
        closed_at=row["closed_at"],
        deadlines=[DeadlineOut(kind=d.kind, label=d.label, due=d.due, done_at=d.done_at) for d in row["deadlines"]],
    )


class WorkenvApi(Controller):
    path = "/workenv"
    tags = ["Arbejdsmiljø"]

    @get("/incidents", opt=allow("workenv.report", scope="workenv:read"), summary="Indberetninger")
    async def incidents(
        self,
        request: Request,
        kind: str = Parameter(default="", max_length=20),
        status: str = Parameter(default="", max_length=20),
        unit_id: int | None = Parameter(default=None, ge=1, le=MAX_ID),
        page: int = Parameter(default=1, ge=1, le=100000),
        per_page: int = Parameter(default=50, ge=1, le=500),
    ) -> IncidentPage:
        result = await services.list_incidents(request.user, kind=kind, status=status, unit_id=unit_id, page=page,
                                               per_page=per_page)
        return IncidentPage(items=[_incident(r) for r in result.items], page=result.page,
                            per_page=result.per_page, total=result.total)

    @get("/incidents/{incident_id:int}", opt=allow("workenv.report", scope="workenv:read"),
         summary="Én indberetning")
    async def incident(self, request: Request, incident_id: FromPath[int]) -> IncidentOut:
        row = await services.get_incident(request.user, incident_id)
        if row is None or row["status"] == "draft":
            raise NotFoundException()
        return _incident(row)

    @get("/actions", opt=allow("workenv.report", scope="workenv:read"), summary="Handlinger")
    async def actions(
        self,
        request: Request,
        status: str = Parameter(default="open", max_length=10),
        page: int = Parameter(default=1, ge=1, le=100000),
    ) -> list[ActionOut]:
        result = await followup.list_actions(request.user, status=status, page=page, per_page=200)
        return [ActionOut(id=a["id"], source_type=a["source_type"], source_id=a["source_id"],
                          institution_id=a["institution"], unit_id=a["unit"], problem=a["problem"],
                          measure=a["measure"], priority=a["priority"], owner_name=a["owner_name"],
                          deadline=a["deadline"], effect_check=a["effect_check"], status=a["status"],
                          overdue=a["overdue"], closed_at=a["closed_at"]) for a in result.items]

    @get("/orders", opt=allow("workenv.amo", scope="workenv:read"), summary="Påbud")
    async def orders(self, request: Request) -> list[OrderOut]:
        return [OrderOut(id=o["id"], case_number=o["case_number"], order_type=o["order_type"],
                         received_on=o["received_on"], institution_id=o["institution"], unit_id=o["unit"],
                         compliance_deadline=o["compliance_deadline"], reply_deadline=o["reply_deadline"],
                         amo_informed_on=o["amo_informed_on"], reply_sent_on=o["reply_sent_on"],
                         closed_on=o["closed_on"], overdue=o["overdue"]) for o in await amo.list_orders(request.user)]

    @get("/apvs", opt=allow("workenv.amo", scope="workenv:read"), summary="APV-status pr. afdeling")
    async def apvs(self, request: Request) -> list[ApvStatusOut]:
        return [ApvStatusOut(unit_id=u["id"], unit_name=u["name"], institution_id=u["institution"],
                             last_completed=u["last_completed"], next_due=u["next_due"], overdue=u["overdue"])
                for u in await amo.apv_overview(request.user)]
