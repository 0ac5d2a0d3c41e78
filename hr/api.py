"""JSON API v1 for integrations: token authentication, scoped like the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from litestar import Controller, Request, Router, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, Parameter

from hr.auth.rules import allow
from hr.forms import MAX_ID
from hr.org import services as org


@dataclass
class ErrorOut:
    status_code: int
    detail: str


# The answers every operation can give besides its own: hr/web.py writes them in this shape.
ERROR_ANSWERS = {
    400: "Ugyldig forespørgsel: en parameter har en ugyldig værdi",
    401: "Gyldig API-nøgle mangler",
    403: "Nøglen mangler det scope eller den rolle, operationen kræver",
}
NOT_FOUND = "Findes ikke, eller ligger uden for nøglens adgang"


def declare_error_answers(app) -> None:
    """Declare the error answers on each API operation, so the OpenAPI document says all that an
    operation answers (schemathesis checks the status codes against it)."""
    from litestar.openapi.datastructures import ResponseSpec
    from litestar.routes import HTTPRoute

    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/v1/") \
                or route.path.startswith("/api/v1/schema"):
            continue
        answers = dict(ERROR_ANSWERS)
        if route.path_parameters:
            answers[404] = NOT_FOUND
        for handler in route.route_handlers:
            handler.responses = {**{code: ResponseSpec(data_container=ErrorOut, description=text)
                                    for code, text in answers.items()}, **(handler.responses or {})}


@dataclass
class Me:
    email: str
    name: str
    roles: list[str]
    employee_id: int | None


@dataclass
class InstitutionOut:
    id: int
    code: str
    name: str
    kind: str
    places: int
    methods: list[str]
    target_groups: list[str]
    unit_count: int


@dataclass
class EmployeeOut:
    id: int
    employee_number: str
    name: str
    email: str | None
    job_title: str
    fte: float
    start_date: date | None
    end_date: date | None
    active: bool
    unit_id: int | None
    unit_name: str | None
    institution_id: int | None
    institution_name: str | None


@dataclass
class EmployeePage:
    items: list[EmployeeOut]
    page: int
    per_page: int
    total: int


def _employee(row: dict) -> EmployeeOut:
    return EmployeeOut(
        id=row["id"], employee_number=row["employee_number"], name=row["name"], email=row["email"],
        job_title=row["job_title"], fte=float(row["fte"]), start_date=row["start_date"],
        end_date=row["end_date"], active=row["active"], unit_id=row["unit"],
        unit_name=row["unit_name"], institution_id=row["institution_id"],
        institution_name=row["institution_name"],
    )


@dataclass
class TaskOut:
    kind: str
    group: str
    title: str
    link: str
    deadline: str | None
    when: str
    overdue: bool
    institution: str
    why: str = ""  # why it is there, in a sentence
    step: str = ""  # which step of the kind is next (an incident's first open deadline)


@dataclass
class TasksOut:
    today: date
    count: int
    overdue: int
    items: list[TaskOut]


class OrgApi(Controller):
    tags = ["Organisation"]

    @get("/me/tasks", opt=allow("self", scope="tasks:read"), summary="Dine opgaver: det samme som forsiden viser")
    async def my_tasks(self, request: Request) -> TasksOut:
        from hr.duties import duties_for

        found = await duties_for(request.user)
        return TasksOut(today=found.today, count=len(found.items), overdue=found.overdue,
                        items=[TaskOut(**d.as_json(found.today)) for d in found.items])

    @get("/me", opt=allow("self", scope="org:read"), summary="Hvem nøglen handler som")
    async def me(self, request: Request) -> Me:
        p = request.user
        return Me(email=p.email, name=p.name, roles=sorted(p.roles), employee_id=p.employee_id)

    @get("/institutions", opt=allow("org.view", scope="org:read"), summary="Tilbud")
    async def institutions(self, request: Request) -> list[InstitutionOut]:
        rows = await org.list_institutions(request.user)
        return [InstitutionOut(id=r["id"], code=r["code"], name=r["name"], kind=r["kind"],
                               places=r["places"], methods=r["methods"],
                               target_groups=r["target_groups"], unit_count=r["unit_count"])
                for r in rows]

    @get("/employees", opt=allow("org.employees", scope="org:read"), summary="Medarbejdere")
    async def employees(
        self,
        request: Request,
        q: str = Parameter(default="", max_length=100),
        unit_id: int | None = Parameter(default=None, ge=1, le=MAX_ID),
        include_inactive: FromQuery[bool] = False,
        page: int = Parameter(default=1, ge=1, le=100000),
        per_page: int = Parameter(default=50, ge=1, le=500),
    ) -> EmployeePage:
        result = await org.search_employees(request.user, q=q, unit_id=unit_id,
                                            include_inactive=include_inactive, page=page,
                                            per_page=per_page)
        return EmployeePage(items=[_employee(r) for r in result.items], page=result.page,
                            per_page=result.per_page, total=result.total)

    @get("/employees/{employee_id:int}", opt=allow("org.employees", scope="org:read"),
         summary="Én medarbejder")
    async def employee(self, request: Request, employee_id: FromPath[int]) -> EmployeeOut:
        row = await org.get_employee(request.user, employee_id)
        if row is None:
            raise NotFoundException()
        return _employee(row)


def _handlers():
    from hr.competence.api import CompetenceApi
    from hr.supervision.api import SupervisionApi
    from hr.workenv.api import WorkenvApi

    return [OrgApi, WorkenvApi, SupervisionApi, CompetenceApi]


api_router = Router(path="/api/v1", route_handlers=_handlers())
