"""The analysis dashboard and its exports."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, Response, get
from litestar.response import Template

from hr import audit
from hr.auth.principal import Role
from hr.auth.rules import allow
from hr.cache import DASHBOARDS, scope_key
from hr.charts import bars_svg, funnel_svg, heat_levels, spc_svg
from hr.exports import export_response
from hr.org.services import list_institutions
from hr.web import RenderedOnce, render_markup
from hr.workenv import dashboards
from hr.workenv.choices import KINDS

WEEKDAYS = ["Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag"]


class AnalysisController(Controller):
    path = "/arbejdsmiljoe/analyse"
    include_in_schema = False

    @get("/", opt=allow("workenv.worklist"), name="analysis")
    async def index(self, request: Request) -> Template:
        principal = request.user
        query = dashboards.parse(request.query_params, principal)
        key = ("analysis", scope_key(principal), tuple(sorted(query.params.items())))
        engine = request.app.template_engine
        page, computed_at = await DASHBOARDS.get(key, lambda: _page(principal, query, engine))
        context = {**page.context, "params": query.params, "errors": query.errors, "computed_at": computed_at,
                   "is_hr": principal.is_hr, "is_leader": Role.LEADER in principal.roles}
        # A query with errors shares its cache entry with the corrected one, but not its rendering.
        content = CONTENT.render(engine, **context) if query.errors else CONTENT(engine, page, **context)
        return Template("workenv/analysis.html", context={"content": content})

    @get("/eksport", opt=allow("workenv.worklist"), name="analysis_export")
    async def export(self, request: Request) -> Response:
        query = dashboards.parse(request.query_params, request.user)
        data = await dashboards.build(request.user, query)
        table = str(request.query_params.get("tabel", "maaneder"))
        fmt = str(request.query_params.get("format", "csv"))
        await audit.record(request.user, "export", "workenv_analysis", table, query.params)
        if table == "kvartaler":
            return export_response(fmt, "haendelser-pr-kvartal", ["Kvartal", "Hændelser", "Fraværsdage",
                                                                  "Indberettet", "Fulgt op til tiden"],
                                   [[q["quarter"], q["incidents"], q["absence_days"], q["submitted"], q["on_time"]]
                                    for q in data["quarters"]])
        if table == "tidspunkt":
            return export_response(fmt, "haendelser-ugedag-time", ["Ugedag", *[f"{h:02d}" for h in range(24)]],
                                   [[WEEKDAYS[d], *row] for d, row in enumerate(data["heatmap"])])
        if table == "aarsager":
            return export_response(fmt, "medvirkende-aarsager", ["Årsag", "Antal", "Andel %", "Samlet %"],
                                   [[f["name"], f["n"], f["share"], f["cumulative"]] for f in data["factors"]])
        if table == "gentagelser":
            return export_response(fmt, "gentagne-episoder", ["Borger (pseudonym)", "Episoder", "Vold/trusler",
                                                              "Magtanvendelser", "Afdelinger", "Seneste"],
                                   [[r["pseudonym"], r["episodes"], r["violence"], r["use_of_force"], r["units"],
                                     r["latest"]] for r in data["repeats"]])
        if table == "tilbud" and data["institutions"] is not None:
            return export_response(fmt, "haendelser-pr-tilbud", ["Tilbud", "Hændelser", "Årsværk",
                                                                 "Pr. 100 årsværk"],
                                   [[r["name"], r["incidents"], round(r["fte_years"], 1),
                                     round(100 * r["incidents"] / r["fte_years"], 1)] for r in data["institutions"]])
        return export_response(fmt, "haendelser-pr-maaned", ["Måned", "Hændelser", "Årsværk", "Pr. 100 årsværk",
                                                             "Fraværsdage", "Indberettet", "Fulgt op til tiden",
                                                             "Andel til tiden %"],
                               [[r["month"], r["incidents"], r["fte_years"], r["rate"], r["absence_days"],
                                 r["submitted"], r["on_time"], r["on_time_share"]] for r in data["monthly"]])


@dataclass(eq=False)  # one page is itself: its content is rendered once per page (CONTENT)
class _Page:
    context: dict


CONTENT = RenderedOnce("workenv/_analysis_content.html")


async def _page(principal, query: dashboards.Query, engine) -> _Page:
    """The figures, charts and choices of one analysis page, with its body rendered once: the same
    for everyone with this scope and these filters."""
    data = await dashboards.build(principal, query)
    charts = {
        "rate": spc_svg(data["rate"], "Hændelser pr. 100 årsværk pr. måned (u-diagram" + (
            f", mål {query.params['maal']} som centerlinje)" if query.rate_target is not None else ")"),
            "pr. 100 årsværk", "rate") if data["rate"] else None,
        "run": spc_svg(data["run"], "Antal hændelser pr. måned (seriediagram)", "hændelser", "run"),
        "on_time": spc_svg(data["on_time"], "Andel fulgt op inden for 7 dage, procent (p-diagram" + (
            f", mål {query.params['maal_tid']} % som centerlinje)" if query.on_time_target is not None else ")"),
            "%", "ontime")
        if data["on_time"] else None,
        "factors": bars_svg([(f["name"], f["n"]) for f in data["factors"][:12]],
                            "Medvirkende årsager (Pareto)", "factors",
                            [f["cumulative"] for f in data["factors"][:12]]),
        "institutions": funnel_svg(data["institution_chart"], "Hændelser pr. 100 årsværk mod tilbuddets størrelse "
                                   "(tragtdiagram)", "inst") if data["institution_chart"] else None,
    }
    heat, heat_legend = heat_levels(data["heatmap"])
    body = render_markup(engine, "workenv/analysis_body.html", **data, charts=charts, weekdays=WEEKDAYS,
                         heat=heat, heat_legend=heat_legend, params=query.params)
    return _Page({"body": body, "kinds": KINDS,
                  "show_pseudonym_filter": principal.is_hr or Role.LEADER in principal.roles,
                  "institution_choices": await list_institutions(principal)})
