"""Organisation rules: what each person may see of institutions, units and employees."""

from __future__ import annotations

from collections.abc import Iterable

from piccolo.query.functions.aggregate import Count

from hr import audit
from hr.auth.principal import Principal
from hr.auth.scope import visible_institution_ids, visible_unit_ids
from hr.db import prepared, transaction
from hr.forms import Page, Period, ValidationError, clean_text, one_line, text
from hr.org.tables import (
    Employee,
    Institution,
    InstitutionMethod,
    InstitutionTargetGroup,
    Method,
    TargetGroup,
    Unit,
)

EMPLOYEE_COLUMNS = (
    Employee.id,
    Employee.employee_number,
    Employee.name,
    Employee.email,
    Employee.job_title,
    Employee.fte,
    Employee.start_date,
    Employee.end_date,
    Employee.active,
    Employee.unit,
    Employee.unit.name.as_alias("unit_name"),
    Employee.unit.institution.as_alias("institution_id"),
    Employee.unit.institution.name.as_alias("institution_name"),
    Employee.manager,
    Employee.manager.name.as_alias("manager_name"),
)


async def _methods_by_institution(ids: list[int] | None) -> dict[int, list[str]]:
    query = InstitutionMethod.select(
        InstitutionMethod.institution, InstitutionMethod.method.name.as_alias("name")
    ).order_by(InstitutionMethod.method.name)
    if ids is not None:
        query = query.where(InstitutionMethod.institution.is_in(ids or [-1]))
    out: dict[int, list[str]] = {}
    for row in await query.run():
        out.setdefault(row["institution"], []).append(row["name"])
    return out


async def _target_groups_by_institution(ids: list[int] | None) -> dict[int, list[str]]:
    query = InstitutionTargetGroup.select(
        InstitutionTargetGroup.institution,
        InstitutionTargetGroup.target_group.name.as_alias("name"),
    )
    if ids is not None:
        query = query.where(InstitutionTargetGroup.institution.is_in(ids or [-1]))
    out: dict[int, list[str]] = {}
    for row in await query.run():
        out.setdefault(row["institution"], []).append(row["name"])
    return out


async def list_institutions(principal: Principal) -> list[dict]:
    visible = await visible_institution_ids(principal)
    query = Institution.select().order_by(Institution.name)
    if visible is not None:
        query = query.where(Institution.id.is_in(list(visible) or [-1]))
    rows = await query.run()
    ids = [r["id"] for r in rows]
    methods = await _methods_by_institution(ids)
    groups = await _target_groups_by_institution(ids)
    counts = {
        r["institution"]: r["count"]
        for r in await Unit.select(Unit.institution, Count())
        .where(Unit.institution.is_in(ids or [-1]))
        .group_by(Unit.institution)
        .run()
    }
    for row in rows:
        row["methods"] = methods.get(row["id"], [])
        row["target_groups"] = groups.get(row["id"], [])
        row["unit_count"] = counts.get(row["id"], 0)
    return rows


async def get_institution(principal: Principal, institution_id: int) -> dict | None:
    visible = await visible_institution_ids(principal)
    if visible is not None and institution_id not in visible:
        return None
    row = await Institution.select().where(Institution.id == institution_id).first().run()
    if not row:
        return None
    row["methods"] = (await _methods_by_institution([institution_id])).get(institution_id, [])
    row["method_ids"] = [
        r["method"] for r in await InstitutionMethod.select(InstitutionMethod.method)
        .where(InstitutionMethod.institution == institution_id).run()
    ]
    row["target_groups"] = (await _target_groups_by_institution([institution_id])).get(institution_id, [])
    row["target_group_ids"] = [
        r["target_group"] for r in await InstitutionTargetGroup.select(InstitutionTargetGroup.target_group)
        .where(InstitutionTargetGroup.institution == institution_id).run()
    ]
    units = await Unit.select().where(Unit.institution == institution_id).order_by(Unit.name).run()
    sizes = {
        r["unit"]: r["count"]
        for r in await Employee.select(Employee.unit, Count())
        .where(Employee.unit.is_in([u["id"] for u in units] or [-1]) & Employee.active.eq(True))
        .group_by(Employee.unit)
        .run()
    }
    visible_units = await visible_unit_ids(principal)
    for unit in units:
        unit["employee_count"] = sizes.get(unit["id"], 0)
        unit["can_open"] = visible_units is None or unit["id"] in visible_units
    row["units"] = units
    return row


UNIT_PAGE = 50


async def get_unit(principal: Principal, unit_id: int, page: int = 1) -> dict | None:
    """The unit with its active employees, a page at a time (a unit can be the size of a town)."""
    visible = await visible_unit_ids(principal)
    if visible is not None and unit_id not in visible:
        return None
    unit = await Unit.select(
        Unit.all_columns(), Unit.institution.name.as_alias("institution_name")
    ).where(Unit.id == unit_id).first().run()
    if not unit:
        return None
    active = (Employee.unit == unit_id) & Employee.active.eq(True)
    items = await Employee.select(*EMPLOYEE_COLUMNS).where(active).order_by(Employee.name).limit(
        UNIT_PAGE).offset((page - 1) * UNIT_PAGE).run()
    unit["employees"] = Page(items=items, page=page, per_page=UNIT_PAGE, total=await Employee.count().where(active))
    await audit.record(principal, "read", "unit_employees", unit_id)
    return unit


EMPLOYEE_STATUSES = {"": "Aktive", "fratraadte": "Fratrådte", "alle": "Alle"}


async def search_employees(
    principal: Principal,
    q: str = "",
    unit_id: int | None = None,
    include_inactive: bool = False,
    page: int = 1,
    per_page: int = 50,
    *,
    institution_id: int | None = None,
    status: str = "",
    hired: Period = Period(),
) -> Page[dict]:
    """The people the person may see, by name, e-mail or number, narrowed by institution, unit,
    status (EMPLOYEE_STATUSES; include_inactive: "alle") and start date in a period."""
    visible = await visible_unit_ids(principal)
    status = "alle" if include_inactive and not status else status if status in EMPLOYEE_STATUSES else ""
    where = []
    if visible is not None:
        where.append(Employee.unit.is_in(list(visible) or [-1]))
    if institution_id:
        where.append(Employee.unit.institution == institution_id)
    if unit_id:
        where.append(Employee.unit == unit_id)
    if status == "":
        where.append(Employee.active.eq(True))
    elif status == "fratraadte":
        where.append(Employee.active.eq(False))
    if hired.start:
        where.append(Employee.start_date >= hired.start)
    if hired.end:
        where.append(Employee.start_date <= hired.end)
    q = q.strip()
    if q:
        where.append(Employee.name.ilike(f"%{q}%") | (Employee.employee_number == q)
                     | Employee.email.ilike(f"%{q}%"))
    query = Employee.select(*EMPLOYEE_COLUMNS).order_by(Employee.name)
    count = Employee.count()
    for clause in where:
        query = query.where(clause)
        count = count.where(clause)
    total = await count.run()
    items = await query.limit(per_page).offset((page - 1) * per_page).run()
    params = {"q": q, "tilbud": institution_id or "", "afdeling": unit_id or "", "status": status, **hired.params()}
    return Page(items=items, page=page, per_page=per_page, total=total, params=params)


@prepared
def _employee(employee_id):
    return Employee.select(*EMPLOYEE_COLUMNS).where(Employee.id == employee_id)


async def get_employee(principal: Principal, employee_id: int) -> dict | None:
    rows = await _employee(employee_id)
    if not rows:
        return None
    row = rows[0]
    if row["id"] == principal.employee_id:
        return row  # one's own record is no one else's data read: the front page shows it every time
    visible = await visible_unit_ids(principal)
    if visible is not None and row["unit"] not in visible:
        return None
    await audit.record(principal, "read", "employee", employee_id)
    return row


async def institutions_in(ids: Iterable[int] | None) -> list[dict]:
    """Id and name, by name, of the institutions with these ids (every institution for None)."""
    query = Institution.select(Institution.id, Institution.name).order_by(Institution.name)
    if ids is not None:
        query = query.where(Institution.id.is_in(list(ids) or [-1]))
    return await query.run()


async def visible_institutions(principal: Principal) -> list[dict]:
    """The institutions in the person's scope, by name: what a filter or a picker offers."""
    return await institutions_in(await visible_institution_ids(principal))


async def filter_choices(principal: Principal) -> dict:
    """The institutions and units a list's filter offers: those in the person's scope."""
    visible = await visible_institution_ids(principal)
    units = Unit.select(Unit.id, Unit.name, Unit.institution).where(Unit.active.eq(True)).order_by(Unit.name)
    if visible is not None:
        units = units.where(Unit.institution.is_in(list(visible) or [-1]))
    return {"institutions": await institutions_in(visible), "units": await units.run()}


async def list_methods(active_only: bool = False) -> list[dict]:
    query = Method.select().order_by(Method.name)
    if active_only:
        query = query.where(Method.active.eq(True))
    return await query.run()


async def add_method(principal: Principal, name: str, description: str = "") -> int:
    errors: dict[str, str] = {}
    name = one_line(name, errors, "name", max_length=100, required="Skriv metodens navn")
    if "name" not in errors and await Method.exists().where(Method.name.ilike(name)).run():
        errors["name"] = "Metoden findes allerede"
    description = text(description, errors, "description", max_length=2000)
    if errors:
        raise ValidationError(errors)
    async with transaction():
        rows = await Method.insert(Method(name=name, description=description)).returning(Method.id).run()
        await audit.record(principal, "create", "method", rows[0]["id"], {"name": name})
    return rows[0]["id"]


async def set_method_active(principal: Principal, method_id: int, active: bool) -> bool:
    async with transaction():
        rows = await Method.update({Method.active: active}).where(Method.id == method_id).returning(Method.id).run()
        if rows:
            await audit.record(principal, "update", "method", method_id, {"active": active})
    return bool(rows)


async def set_institution_methods(principal: Principal, institution_id: int, method_ids: list[int]) -> None:
    if not await Institution.exists().where(Institution.id == institution_id).run():
        raise ValidationError({"institution": "Tilbuddet findes ikke"})
    wanted = set(method_ids)
    known = {r["id"] for r in await Method.select(Method.id).where(Method.id.is_in(list(wanted) or [-1])).run()}
    if wanted - known:
        raise ValidationError({"methods": "En eller flere metoder findes ikke"})
    async with transaction():
        await InstitutionMethod.delete().where(InstitutionMethod.institution == institution_id).run()
        if wanted:
            await InstitutionMethod.insert(
                *[InstitutionMethod(institution=institution_id, method=m) for m in sorted(wanted)]
            ).run()
        await audit.record(principal, "update", "institution_methods", institution_id,
                           {"methods": sorted(wanted)})


async def list_target_groups() -> list[dict]:
    return await TargetGroup.select().order_by(TargetGroup.name).run()


async def save_institution(principal: Principal, institution_id: int | None, code: str, name: str, kind: str,
                           places: str, target_group_ids: list[int], new_target_group: str = "") -> int:
    """Create (institution_id None) or update an institution with its target groups."""
    errors: dict[str, str] = {}
    code = clean_text(code).strip().upper()
    name = one_line(name, errors, "name", max_length=200, required="Skriv tilbuddets navn")
    kind = one_line(kind, errors, "kind", max_length=100)
    new_target_group = one_line(new_target_group, errors, "new_target_group", max_length=150)
    if not code:
        errors["code"] = "Skriv tilbuddets kode"
    elif len(code) > 20:
        errors["code"] = "Koden må højst være 20 tegn"
    else:
        clash = Institution.exists().where(Institution.code == code)
        if institution_id:
            clash = clash.where(Institution.id != institution_id)
        if await clash.run():
            errors["code"] = "Et andet tilbud har allerede denne kode"
    try:
        places_number = int(places or 0)
        if places_number < 0 or places_number > 10000:
            raise ValueError
    except ValueError:
        errors["places"] = "Antal pladser skal være et helt tal fra 0 og op"
        places_number = 0
    known = {r["id"] for r in await TargetGroup.select(TargetGroup.id).run()}
    if set(target_group_ids) - known:
        errors["target_groups"] = "En eller flere målgrupper findes ikke"
    if institution_id and not await Institution.exists().where(Institution.id == institution_id).run():
        errors["institution"] = "Tilbuddet findes ikke"
    if errors:
        raise ValidationError(errors)
    values = {"code": code, "name": name, "kind": kind, "places": places_number}
    creating = institution_id is None
    async with transaction():
        if institution_id:
            await Institution.update(values).where(Institution.id == institution_id).run()
        else:
            institution_id = (await Institution.insert(Institution(**values)).returning(Institution.id).run())[0]["id"]
        groups = set(target_group_ids)
        if new_target_group:
            existing = await TargetGroup.select(TargetGroup.id).where(
                TargetGroup.name.ilike(new_target_group)).first().run()
            groups.add(existing["id"] if existing else (await TargetGroup.insert(
                TargetGroup(name=new_target_group)).returning(TargetGroup.id).run())[0]["id"])
        await InstitutionTargetGroup.delete().where(InstitutionTargetGroup.institution == institution_id).run()
        if groups:
            await InstitutionTargetGroup.insert(*[
                InstitutionTargetGroup(institution=institution_id, target_group=g) for g in sorted(groups)]).run()
        await audit.record(principal, "create" if creating else "update", "institution", institution_id,
                           {**values, "target_groups": sorted(groups)})
    return institution_id
