"""JSON API for the catalogue, enrolments and cohorts (token scope competence:read)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, Parameter, QueryParameter

from hr.auth.rules import allow
from hr.competence import catalogue, cohorts, enrolments, profile
from hr.forms import MAX_ID


@dataclass
class RunOut:
    id: int
    semester: str
    starts_on: date
    ends_on: date
    place: str
    seats: int | None
    price: Decimal | None
    application_deadline: date | None
    exam_date: date | None


@dataclass
class ModuleOut:
    id: int
    code: str
    title: str
    ects: Decimal
    level: str
    provider: str
    subject_area: str
    active: bool
    methods: list[str]
    runs: list[RunOut]


@dataclass
class EnrolmentOut:
    id: int
    employee_id: int
    employee_name: str
    module_id: int
    module_code: str
    ects: Decimal
    state: str
    semester: str | None
    applied_on: date | None
    enrolled_on: date | None
    completed_on: date | None
    grade: str
    cost: Decimal | None
    funding: str


@dataclass
class NominationOut:
    id: int
    employee_id: int
    name: str
    institution_id: int
    priority: int
    status: str
    waitlist_position: int | None
    offer_deadline: datetime | None


@dataclass
class CohortOut:
    id: int
    year: int
    capacity: int
    taken: int
    nomination_deadline: date
    status: str


@dataclass
class CohortDetailOut(CohortOut):
    nominations: list[NominationOut]


def _run(r: dict) -> RunOut:
    return RunOut(id=r["id"], semester=r["semester"], starts_on=r["starts_on"], ends_on=r["ends_on"],
                  place=r["place"], seats=r["seats"], price=r["price"],
                  application_deadline=r["application_deadline"], exam_date=r["exam_date"])


class CompetenceApi(Controller):
    path = "/competence"
    tags = ["Kompetence"]

    @get("/modules", opt=allow("competence.view", scope="competence:read"), summary="Modulkatalog med hold")
    async def modules(self) -> list[ModuleOut]:
        return [ModuleOut(id=m["id"], code=m["code"], title=m["title"], ects=m["ects"], level=m["level"],
                          provider=m["provider"], subject_area=m["subject_area"], active=m["active"],
                          methods=[x["name"] for x in m["methods"]], runs=[_run(r) for r in m["runs"]])
                for m in await catalogue.list_modules()]

    @get("/enrolments", opt=allow("competence.view", scope="competence:read"),
         summary="Forløb for medarbejdere i dit område")
    async def enrolments(self, request: Request,
                         state_filter: Annotated[str, QueryParameter(name="state", max_length=20)] = "",
                         employee_id: int | None = Parameter(default=None, ge=1, le=MAX_ID)) -> list[EnrolmentOut]:
        people = [e["id"] for e in await profile.scoped_employees(request.user)]
        if employee_id is not None:
            people = [p for p in people if p == employee_id]
        rows = await enrolments.employee_enrolments(people)
        return [EnrolmentOut(id=r["id"], employee_id=r["employee"], employee_name=r["employee_name"],
                             module_id=r["module"], module_code=r["module_code"], ects=r["ects"], state=r["state"],
                             semester=r["semester"], applied_on=r["applied_on"], enrolled_on=r["enrolled_on"],
                             completed_on=r["completed_on"], grade=r["grade"], cost=r["cost"], funding=r["funding"])
                for r in rows if not state_filter or r["state"] == state_filter]

    @get("/cohorts", opt=allow("competence.view", scope="competence:read"), summary="Lederuddannelsens hold")
    async def cohorts(self) -> list[CohortOut]:
        return [CohortOut(id=c["id"], year=c["year"], capacity=c["capacity"], taken=c["taken"],
                          nomination_deadline=c["nomination_deadline"], status=c["status"])
                for c in await cohorts.list_cohorts()]

    @get("/cohorts/{cohort_id:int}", opt=allow("competence.view", scope="competence:read"),
         summary="Et hold med de indstillinger, du må se")
    async def cohort(self, request: Request, cohort_id: FromPath[int]) -> CohortDetailOut:
        c = await cohorts.get_cohort(request.user, cohort_id)
        if c is None:
            raise NotFoundException()
        return CohortDetailOut(
            id=c["id"], year=c["year"], capacity=c["capacity"], taken=c["taken"],
            nomination_deadline=c["nomination_deadline"], status=c["status"],
            nominations=[NominationOut(id=n["id"], employee_id=n["employee"], name=n["name"],
                                       institution_id=n["institution"], priority=n["priority"], status=n["status"],
                                       waitlist_position=n["waitlist_position"], offer_deadline=n["offer_deadline"])
                         for n in c["nominations"]])
