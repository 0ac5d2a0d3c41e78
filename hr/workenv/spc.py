"""Run and control charts as used in Danish improvement work, computed like qicharts2.

Run chart: the centre line is the median of the baseline points; the Anhøj rules signal
non-random variation when the longest run on one side of the median is longer than
round(log2(n)) + 3, or when the line is crossed fewer times than the 5th percentile of
Binomial(n - 1, 0.5). Points on the median (and missing values) neither break nor add to a
run and do not count in n.

Control charts with 3-sigma limits (and 2-sigma "95 %" limits): i and mr for measurements,
c for counts, u for rates and p for proportions with varying denominators, and Laney's p'
and u' for large denominators. Lower limits never go below 0; p limits stay within [0, 1].

`freeze` (1-based position of the last baseline point) fixes the centre line and limits on the
baseline; `part` (1-based positions where a part ends) splits the chart into parts with their
own lines, and then `freeze` is ignored, as qicharts2 does; `exclude` (1-based positions) keeps
points on the chart but out of the calculations; `cl` fixes the centre line (a target or a known
value, in the data's own units, before `multiply`): the limits are computed around it and the
runs counted about it. A moving-range chart never signals runs (its points are not independent),
as in qicharts2. Pure Python, no database: the dashboards feed it aggregated series."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import median

CHARTS = ("run", "i", "mr", "c", "u", "p", "pp", "up")
D4 = 3.267  # upper limit factor for moving ranges of two
D2 = 1.128  # expected moving range of two in units of sigma


def longest_run_max(n_useful: int) -> int:
    return round(math.log2(n_useful)) + 3 if n_useful else 0


def crossings_min(n_useful: int) -> int:
    """The smallest k with P(X <= k) >= 0.05 for X ~ Binomial(n - 1, 0.5)."""
    trials = max(n_useful - 1, 0)
    total, cumulative = 2 ** trials, 0
    for k in range(trials + 1):
        cumulative += math.comb(trials, k)
        if cumulative / total >= 0.05:
            return k
    return trials


@dataclass
class Point:
    x: str
    y: float | None
    cl: float | None
    lcl: float | None = None
    ucl: float | None = None
    lcl_95: float | None = None
    ucl_95: float | None = None
    baseline: bool = True
    include: bool = True
    part: int = 1
    sigma_signal: bool = False
    runs_signal: bool = False


@dataclass
class Summary:
    part: int
    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    runs_signal: bool
    CL: float | None
    aLCL: float | None = None
    aLCL_95: float | None = None
    aUCL_95: float | None = None
    aUCL: float | None = None
    sigma_signal: int = 0


@dataclass
class Chart:
    kind: str
    points: list[Point]
    parts: list[Summary] = field(default_factory=list)

    @property
    def runs_signal(self) -> bool:
        return any(p.runs_signal for p in self.parts)

    @property
    def sigma_points(self) -> list[Point]:
        return [p for p in self.points if p.sigma_signal]


def _mean(values: list[float]) -> float | None:
    values = [v for v in values if v is not None and not math.isnan(v)]
    return sum(values) / len(values) if values else None


def _average_moving_range(values: list[float], screened: bool) -> float | None:
    ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    if not ranges:
        return None
    average = sum(ranges) / len(ranges)
    if screened:
        kept = [r for r in ranges if r < D4 * average]
        average = sum(kept) / len(kept) if kept else average
    return average


def _runs(points: list[Point]) -> tuple[int, int, int, int, int, bool]:
    signs = []
    for p in points:
        if not p.include or p.y is None or p.cl is None:
            continue
        diff = p.y - p.cl
        if diff != 0:
            signs.append(1 if diff > 0 else -1)
    n_useful = len(signs)
    if not n_useful:
        return 0, 0, 0, 0, 0, False
    lengths, current = [], 1
    for a, b in zip(signs, signs[1:], strict=False):
        if a == b:
            current += 1
        else:
            lengths.append(current)
            current = 1
    lengths.append(current)
    longest, crossings = max(lengths), len(lengths) - 1
    limit_run, limit_cross = longest_run_max(n_useful), crossings_min(n_useful)
    return n_useful, longest, limit_run, crossings, limit_cross, longest > limit_run or crossings < limit_cross


def qic(chart: str, y: list[float | None], n: list[float | None] | None = None, x: list[str] | None = None, *,
        freeze: int | None = None, part: list[int] | None = None, exclude: list[int] | None = None,
        multiply: float = 1.0, screened_mr: bool = True, cl: float | None = None) -> Chart:
    if chart not in CHARTS:
        raise ValueError(f"unknown chart {chart!r}")
    if chart in ("u", "p", "pp", "up") and (n is None or len(n) != len(y)):
        raise ValueError("ratio charts need a denominator per point")
    if n is not None and len(n) != len(y):
        raise ValueError("y and n must have the same length")
    size = len(y)
    x = [str(v) for v in (x or range(1, size + 1))]
    excluded = {i - 1 for i in (exclude or [])}
    if part:
        freeze = None
    ends = sorted(set(part or [])) + [size]
    points: list[Point] = []
    start = 0
    for number, end in enumerate(e for e in ends if e > 0):
        if end <= start:
            continue
        for i in range(start, min(end, size)):
            points.append(Point(x=x[i], y=None, cl=None, baseline=freeze is None or i < freeze,
                                include=i not in excluded, part=number + 1))
        start = end
    raw_y = [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in y]
    raw_n = [None if v is None else float(v) for v in n] if n is not None else None
    summaries = []
    for part_no in sorted({p.part for p in points}):
        index = [i for i, p in enumerate(points) if p.part == part_no]
        summaries.append(_part(chart, points, index, raw_y, raw_n, screened_mr, multiply, cl))
    return Chart(kind=chart, points=points, parts=summaries)


def _part(chart, points, index, raw_y, raw_n, screened, multiply, fixed_cl) -> Summary:
    # The plotted values.
    if chart in ("u", "p", "pp", "up") or (raw_n is not None and chart != "mr"):
        values = [raw_y[i] / raw_n[i] if raw_y[i] is not None and raw_n[i] else None for i in index]
    elif chart == "mr":
        ys = [raw_y[i] for i in index]
        values = [None] + [abs(b - a) if a is not None and b is not None else None
                           for a, b in zip(ys, ys[1:], strict=False)]
    else:
        values = [raw_y[i] for i in index]
    base = [k for k, i in enumerate(index) if points[i].baseline and points[i].include and values[k] is not None]
    sd: list[float | None] = [None] * len(index)
    cl: float | None
    fixed = fixed_cl is not None
    if chart == "run":
        cl = fixed_cl if fixed else median([values[k] for k in base]) if base else None
    elif chart == "i":
        cl = fixed_cl if fixed else _mean([values[k] for k in base])
        amr = _average_moving_range([values[k] for k in base], screened)
        sd = [amr / D2 if amr is not None else None] * len(index)
    elif chart == "mr":
        cl = fixed_cl if fixed else _mean([values[k] for k in base])
    elif chart == "c":
        cl = fixed_cl if fixed else _mean([values[k] for k in base])
        sd = [math.sqrt(cl) if cl is not None and cl >= 0 else None] * len(index)
    else:
        num = sum(raw_y[index[k]] for k in base)
        den = sum(raw_n[index[k]] for k in base)
        cl = fixed_cl if fixed else num / den if den else None
        for k, i in enumerate(index):
            if cl is None or not raw_n[i]:
                continue
            spread = cl if chart in ("u", "up") else cl * (1 - cl)
            sd[k] = math.sqrt(spread / raw_n[i]) if spread >= 0 else None
        if chart in ("pp", "up") and cl is not None:
            z = [(values[k] - cl) / sd[k] for k in base if sd[k]]
            amr = _average_moving_range(z, screened)
            factor = amr / D2 if amr is not None else 1.0
            sd = [s * factor if s is not None else None for s in sd]

    for k, i in enumerate(index):
        p = points[i]
        p.y = values[k]
        p.cl = cl
        if chart == "mr" and cl is not None:
            p.lcl, p.ucl, p.lcl_95, p.ucl_95 = 0.0, D4 * cl, 0.0, D4 * cl * 2 / 3
        elif chart not in ("run",) and cl is not None and sd[k] is not None:
            p.lcl, p.ucl = cl - 3 * sd[k], cl + 3 * sd[k]
            p.lcl_95, p.ucl_95 = cl - 2 * sd[k], cl + 2 * sd[k]
            if chart in ("c", "u", "p", "pp", "up"):
                p.lcl, p.lcl_95 = max(p.lcl, 0.0), max(p.lcl_95, 0.0)
            if chart in ("p", "pp"):
                p.ucl, p.ucl_95 = min(p.ucl, 1.0), min(p.ucl_95, 1.0)
        if p.y is not None and p.ucl is not None:
            p.sigma_signal = p.y > p.ucl or p.y < p.lcl

    part_points = [points[i] for i in index]
    n_useful, longest, limit_run, crossings, limit_cross, signal = _runs(part_points)
    if chart == "mr":
        signal = False
    for p in part_points:
        p.runs_signal = signal
        for name in ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95"):
            value = getattr(p, name)
            if value is not None:
                setattr(p, name, value * multiply)
    summary = Summary(
        part=part_points[0].part, n_obs=sum(1 for p in part_points if p.include), n_useful=n_useful,
        longest_run=longest if n_useful else None, longest_run_max=limit_run if n_useful else None,
        n_crossings=crossings if n_useful else None, n_crossings_min=limit_cross if n_useful else None,
        runs_signal=signal, CL=part_points[0].cl,
        sigma_signal=sum(1 for p in part_points if p.sigma_signal))
    if chart != "run":
        summary.aLCL = _mean([p.lcl for p in part_points])
        summary.aLCL_95 = _mean([p.lcl_95 for p in part_points])
        summary.aUCL_95 = _mean([p.ucl_95 for p in part_points])
        summary.aUCL = _mean([p.ucl for p in part_points])
    return summary
