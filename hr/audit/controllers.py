"""The audit log page for HR, with filters and pagination."""

from __future__ import annotations

from datetime import datetime, time

from litestar import Controller, Request, get
from litestar.response import Template

from hr.audit import AuditEvent
from hr.auth.rules import allow
from hr.forms import Page, page_number, parse_date
from hr.settings import TIMEZONE

PER_PAGE = 50


def _parse_day(value: str | None):
    """A filter date; one that cannot be read or lies outside the plausible is no filter."""
    return parse_date(value, {}, "day")


class AuditController(Controller):
    include_in_schema = False

    @get("/admin/revisionslog", opt=allow("audit.view"), name="audit_log")
    async def index(self, request: Request) -> Template:
        params = request.query_params
        actor = str(params.get("actor", "")).strip()[:254]
        entity = str(params.get("entity", "")).strip()[:60]
        action = str(params.get("action", "")).strip()[:30]
        day_from = _parse_day(params.get("fra"))
        day_to = _parse_day(params.get("til"))
        page = page_number(params.get("side"))
        clauses = []
        if actor:
            clauses.append(AuditEvent.actor.ilike(f"%{actor}%"))
        if entity:
            clauses.append(AuditEvent.entity == entity)
        if action:
            clauses.append(AuditEvent.action == action)
        if day_from:
            clauses.append(AuditEvent.at >= datetime.combine(day_from, time.min, TIMEZONE))
        if day_to:
            clauses.append(AuditEvent.at <= datetime.combine(day_to, time.max, TIMEZONE))
        query = AuditEvent.select().order_by(AuditEvent.id, ascending=False)
        count = AuditEvent.count()
        for clause in clauses:
            query = query.where(clause)
            count = count.where(clause)
        total = await count.run()
        items = await query.limit(PER_PAGE).offset((page - 1) * PER_PAGE).run()
        filters = {"actor": actor, "entity": entity, "action": action,
                   "fra": day_from.isoformat() if day_from else "",
                   "til": day_to.isoformat() if day_to else ""}
        result = Page(items=items, page=page, per_page=PER_PAGE, total=total, params=filters)
        entities = [r["entity"] for r in await AuditEvent.select(AuditEvent.entity).distinct()
                    .order_by(AuditEvent.entity).run()]
        return Template("admin/audit.html",
                        context={"result": result, "filters": filters, "entities": entities})
