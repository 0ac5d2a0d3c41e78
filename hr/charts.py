"""Accessible inline SVG charts rendered on the server: no script, no network. Every chart has a
title and a text description, and the page shows the data as a table beside it. Signals are
marked by shape as well as colour, so they do not depend on colour vision."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from hr.workenv.spc import Chart

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44
INK, MUTED, SIGNAL, LIMIT = "#1a1a1a", "#545454", "#b0190f", "#0059b3"


def _fmt(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:.0f}"
    return text.replace(".", ",")


def findings(chart: Chart, label: str, unit: str = "") -> list[str]:
    """Plain-language findings for the chart's signals (Danish)."""
    out = []
    for part in chart.parts:
        if part.n_useful and part.longest_run > part.longest_run_max:
            out.append(f"{label}: usædvanligt lang serie på {part.longest_run} punkter på samme side af "
                       f"midterlinjen (grænse {part.longest_run_max}). Tyder på en vedvarende ændring.")
        if part.n_useful and part.n_crossings < part.n_crossings_min:
            out.append(f"{label}: for få kryds af midterlinjen ({part.n_crossings}, forventet mindst "
                       f"{part.n_crossings_min}). Tyder på en ændring over tid.")
    for point in chart.sigma_points:
        side = "over den øvre" if point.ucl is not None and point.y > point.ucl else "under den nedre"
        out.append(f"{label}: {point.x} ligger {side} kontrolgrænse ({_fmt(point.y)}{unit}).")
    return out


def spc_svg(chart: Chart, title: str, unit: str = "", chart_id: str = "chart") -> Markup:
    points = chart.points
    values = [p.y for p in points if p.y is not None]
    limits = [v for p in points for v in (p.lcl, p.ucl, p.cl) if v is not None]
    if not values:
        return Markup(f'<p>{escape(title)}: ingen data i perioden.</p>')
    low, high = min(values + limits), max(values + limits)
    if high == low:
        high, low = high + 1, max(low - 1, 0)
    pad = (high - low) * 0.08
    low, high = max(low - pad, 0) if low >= 0 else low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def px(i: int) -> float:
        return LEFT + i * step

    def py(v: float) -> float:
        return TOP + plot_h * (1 - (v - low) / (high - low))

    parts = [f'<svg class="app-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMinYMin meet">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(_description(chart, unit))}</desc>']
    for k in range(5):  # horizontal grid with labels
        v = low + (high - low) * k / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#d9d9d9"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{py(v) + 4:.1f}" text-anchor="end" font-size="13" '
                     f'fill="{MUTED}">{escape(_fmt(v))}</text>')
    every = max(1, len(points) // 12)
    for i, p in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            parts.append(f'<text x="{px(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" font-size="13" '
                         f'fill="{MUTED}">{escape(p.x)}</text>')

    def path(getter) -> str:
        segments, current = [], []
        for i, p in enumerate(points):
            v = getter(p)
            if v is None:
                if current:
                    segments.append(current)
                current = []
                continue
            # Step lines for limits that change from point to point.
            current.append((px(i) - step / 2 if current else px(i), py(v)))
            current.append((px(i) + step / 2 if i < len(points) - 1 else px(i), py(v)))
        if current:
            segments.append(current)
        return " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in seg) for seg in segments)

    runs = chart.runs_signal
    dash = ' stroke-dasharray="6 3"' if runs else ""
    parts.append(f'<path d="{path(lambda p: p.cl)}" fill="none" stroke="{SIGNAL if runs else INK}" '
                 f'stroke-width="{2 if runs else 1.5}"{dash}/>')
    for getter in (lambda p: p.ucl, lambda p: p.lcl):
        d = path(getter)
        if d:
            parts.append(f'<path d="{d}" fill="none" stroke="{LIMIT}" stroke-width="1.2" stroke-dasharray="4 3"/>')
    line = [(px(i), py(p.y)) for i, p in enumerate(points) if p.y is not None]
    parts.append('<polyline fill="none" stroke="' + INK + '" stroke-width="1.5" points="'
                 + " ".join(f"{x:.1f},{y:.1f}" for x, y in line) + '"/>')
    for i, p in enumerate(points):
        if p.y is None:
            continue
        x, y = px(i), py(p.y)
        if p.sigma_signal:  # a larger square, red: outside the control limits
            parts.append(f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{SIGNAL}"/>')
        else:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{INK if p.include else "#ffffff"}" '
                         f'stroke="{INK}"/>')
    parts.append("</svg>")
    return _scrolling("".join(parts), title)


def _scrolling(svg: str, title: str) -> Markup:
    """A chart in a box of its own that scrolls sideways on a narrow screen, so its text stays at
    least 12 px instead of shrinking with it (app.css); focusable, so a keyboard can scroll it."""
    return Markup(f'<div class="app-chart-scroll" tabindex="0" role="group" aria-label="{escape(title)}">'
                  f'{svg}</div>')


def _description(chart: Chart, unit: str) -> str:
    kind = {"run": "Seriediagram med median", "u": "Kontroldiagram (u) med 3-sigma-grænser",
            "p": "Kontroldiagram (p) med 3-sigma-grænser", "c": "Kontroldiagram (c)",
            "i": "Kontroldiagram (i)"}.get(chart.kind, "Diagram")
    first, last = chart.points[0].x, chart.points[-1].x
    centre = chart.parts[-1].CL
    text = f"{kind} fra {first} til {last}"
    if centre is not None:
        text += f", midterlinje {_fmt(centre)}{(' ' + unit) if unit else ''}"
    signals = findings(chart, "Signal")
    text += ". " + (" ".join(signals) if signals else "Ingen signaler: variationen ser tilfældig ud.")
    return text


def bars_svg(rows: list[tuple[str, float]], title: str, chart_id: str, cumulative: list[float] | None = None
             ) -> Markup:
    """Horizontal bars (e.g. a Pareto of contributing factors)."""
    if not rows:
        return Markup(f"<p>{escape(title)}: ingen data i perioden.</p>")
    height = 24 * len(rows) + 20
    top = max(v for _, v in rows) or 1
    # Room after the longest bar for its value and share, so no text runs past the edge.
    label_w, bar_w = 260, WIDTH - 260 - 180
    parts = [f'<svg class="app-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape("; ".join(f"{n}: {_fmt(v)}" for n, v in rows[:10]))}</desc>']
    for i, (name, value) in enumerate(rows):
        y = 10 + i * 24
        width = bar_w * value / top
        parts.append(f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end" font-size="13" fill="{INK}">'
                     f'{escape(name[:36])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="16" fill="{LIMIT}"/>')
        extra = f" ({_fmt(cumulative[i])} % samlet)" if cumulative else ""
        parts.append(f'<text x="{label_w + width + 6:.1f}" y="{y + 15}" font-size="13" fill="{INK}">'
                     f'{escape(_fmt(value) + extra)}</text>')
    parts.append("</svg>")
    return _scrolling("".join(parts), title)


HEAT_LEVELS = 6  # colour steps above zero (ColorBrewer YlOrRd; text contrast >= 4.5:1 on each)


def heat_levels(grid: list[list[int]]) -> tuple[list[list[int]], list[tuple[int, str]]]:
    """Each cell's colour step (0 for none, 1..HEAT_LEVELS in equal parts of the largest count)
    and the legend: the step with the counts it stands for."""
    top = max((max(row) for row in grid), default=0)
    if top == 0:
        return [[0] * len(row) for row in grid], [(0, "0")]
    step = top / HEAT_LEVELS

    def level(n: int) -> int:
        return 0 if n == 0 else min(HEAT_LEVELS, max(1, -int(-n // step)))

    legend = [(0, "0")]
    low = 1
    for k in range(1, HEAT_LEVELS + 1):
        high = min(top, int(step * k))
        if high >= low:
            legend.append((k, str(low) if high == low else f"{low}-{high}"))
            low = high + 1
    return [[level(n) for n in row] for row in grid], legend


@dataclass(frozen=True)
class FunnelPoint:
    name: str
    count: int
    exposure: float  # FTE-years
    rate: float  # per 100 FTE-years
    outside: str  # "" | "over" | "under": beyond the 99.8 % limits


@dataclass(frozen=True)
class Funnel:
    """Rates of units of very different size against their size: the limits widen where the
    exposure is small, so a small institution is not flagged for chance alone. Poisson limits
    around the overall rate, u ± z·sqrt(φ·u / n) with n in 100 FTE-years, widened by the
    overdispersion φ estimated from the institutions themselves (Spiegelhalter 2005: the mean
    squared z-score, the most extreme 10 % at each end winsorised): institutions as different as a
    secure youth unit and a day centre differ by more than chance, and only those that stand out
    even so are flagged."""

    points: list[FunnelPoint]
    centre: float
    overdispersion: float = 1.0

    def limit(self, exposure: float, z: float) -> tuple[float, float]:
        spread = z * math.sqrt(self.overdispersion * self.centre / (exposure / 100)) if exposure > 0 else 0.0
        return max(0.0, self.centre - spread), self.centre + spread


def funnel(rows: list[tuple[str, int, float]]) -> Funnel | None:
    """rows: (name, count, FTE-years)."""
    rows = [(name, count, fte) for name, count, fte in rows if fte > 0]
    total_fte = sum(fte for _, _, fte in rows)
    if not rows or total_fte <= 0:
        return None
    centre = 100 * sum(count for _, count, _ in rows) / total_fte
    shell = Funnel([], centre, _overdispersion(rows, centre))
    points = []
    for name, count, fte in rows:
        rate = 100 * count / fte
        low, high = shell.limit(fte, 3)
        points.append(FunnelPoint(name, count, fte, rate, "over" if rate > high else "under" if rate < low else ""))
    return Funnel(points, centre, shell.overdispersion)


def _overdispersion(rows: list[tuple[str, int, float]], centre: float) -> float:
    if centre <= 0 or len(rows) < 3:
        return 1.0
    z = sorted((100 * count / fte - centre) / math.sqrt(centre / (fte / 100)) for _, count, fte in rows)
    cut = int(len(z) * 0.1)
    low, high = z[cut], z[-1 - cut]
    winsorised = [min(max(v, low), high) for v in z]
    return max(1.0, sum(v * v for v in winsorised) / len(winsorised))


def _nice_step(span: float) -> float:
    """A round step for about four axis ticks (1, 2, 2.5 or 5 times a power of ten)."""
    raw = span / 4 if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def funnel_findings(chart: Funnel, label: str) -> list[str]:
    """Only what stands out: the institutions beyond the 99.8 % limits, by name."""
    out = []
    for p in sorted(chart.points, key=lambda p: -p.rate):
        if p.outside:
            side = "højere" if p.outside == "over" else "lavere"
            out.append(f"{label}: {p.name} har en {side} rate ({_fmt(p.rate)} pr. 100 årsværk) end tilfældig variation "
                       f"forklarer, set i forhold til tilbuddets størrelse (gennemsnit {_fmt(chart.centre)}).")
    return out


def funnel_svg(chart: Funnel, title: str, chart_id: str = "funnel") -> Markup:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    x_high = max(p.exposure for p in chart.points) * 1.05
    x_low = min(p.exposure for p in chart.points) * 0.5
    samples = [x_low + (x_high - x_low) * k / 60 for k in range(61)]
    limits = [v for x in samples[::6] for v in chart.limit(x, 3)]
    y_step = _nice_step(max([p.rate for p in chart.points] + limits + [chart.centre]) * 1.05)
    y_high = y_step * 4
    x_step = _nice_step(x_high)
    x_high = max(x_high, x_step * 4)

    def px(x: float) -> float:
        return LEFT + plot_w * x / x_high

    def py(v: float) -> float:
        return TOP + plot_h * (1 - min(v, y_high) / y_high)

    outside = [p for p in chart.points if p.outside]
    desc = (f"Tragtdiagram: {len(chart.points)} tilbud, rate pr. 100 årsværk mod antal årsværk. Gennemsnit "
            f"{_fmt(chart.centre)}. " + (f"Uden for 99,8 %-grænserne: {', '.join(p.name for p in outside)}."
                                         if outside else "Alle tilbud ligger inden for grænserne."))
    parts = [f'<svg class="app-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMinYMin meet">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']
    for k in range(5):
        v = y_step * k
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#d9d9d9"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{py(v) + 4:.1f}" text-anchor="end" font-size="13" '
                     f'fill="{MUTED}">{escape(_fmt(v))}</text>')
    for k in range(int(x_high // x_step) + 1):
        x = x_step * k
        parts.append(f'<text x="{px(x):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" font-size="13" '
                     f'fill="{MUTED}">{escape(_fmt(x))}</text>')
    parts.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 6}" text-anchor="end" font-size="13" fill="{MUTED}">'
                 f'årsværk</text>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{py(chart.centre):.1f}" y2="{py(chart.centre):.1f}" '
                 f'stroke="{INK}" stroke-width="1.5"/>')
    for z, dash in ((2, "2 3"), (3, "6 3")):
        for side in (0, 1):
            d = " L".join(f"{px(x):.1f},{py(chart.limit(x, z)[side]):.1f}" for x in samples)
            parts.append(f'<path d="M{d}" fill="none" stroke="{LIMIT}" stroke-width="1.2" stroke-dasharray="{dash}"/>')
    for p in chart.points:
        x, y = px(p.exposure), py(p.rate)
        if p.outside:
            parts.append(f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{SIGNAL}"/>')
        else:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{INK}"/>')
        # Every institution is named by its point (towards the middle near the right edge).
        right = x > WIDTH - RIGHT - 120
        anchor, weight = ("end" if right else "start"), (' font-weight="bold"' if p.outside else "")
        parts.append(f'<text x="{x - 8 if right else x + 8:.1f}" y="{y + 4:.1f}" font-size="13" '
                     f'text-anchor="{anchor}" fill="{INK}"{weight}>{escape(p.name)}</text>')
    parts.append("</svg>")
    return _scrolling("".join(parts), title)
