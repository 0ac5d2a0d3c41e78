"""The SPC module against 36 cases computed by qicharts2 (the R package used in Danish
improvement work), published Anhøj critical values, and properties that must always hold."""

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hr.workenv import spc

CASES = json.loads((Path(__file__).resolve().parents[1] / "data" / "qicharts2_cases.json").read_text())["cases"]
POINT_FIELDS = ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95", "baseline", "include", "part", "sigma_signal",
                "runs_signal")


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_it_matches_qicharts2(case):
    params = case["params"]
    chart = spc.qic(case["chart"], case["input"]["y"], case["input"].get("n"), case["input"]["x"],
                    freeze=params["freeze"], part=params["part"], exclude=params["exclude"],
                    multiply=params["multiply"], screened_mr=params["screened_mr"])
    expected = case["expected_points"]
    for name in POINT_FIELDS:
        got = [getattr(p, name) for p in chart.points]
        assert all(close(g, e) for g, e in zip(got, expected[name], strict=True)), f"{name}: {got} != {expected[name]}"
    for summary, want in zip(chart.parts, case["expected_summary"], strict=True):
        for key, value in want.items():
            assert close(getattr(summary, key), value), f"part {want['part']} {key}: {getattr(summary, key)} != {value}"


# Anhøj J, Olesen AV (2014) Run charts revisited, PLoS ONE 9(11): e113825, table 1 (n = 10 to 30):
# (useful observations, upper limit for the longest run, lower limit for the number of crossings).
# Larger n are covered by the qicharts2 cases above (n up to 64 per part).
ANHOJ_TABLE = [(10, 6, 2), (11, 6, 2), (12, 7, 3), (13, 7, 3), (14, 7, 4), (15, 7, 4), (16, 7, 4), (17, 7, 5),
               (18, 7, 5), (19, 7, 6), (20, 7, 6), (21, 7, 6), (22, 7, 7), (23, 8, 7), (24, 8, 8), (25, 8, 8),
               (26, 8, 8), (27, 8, 9), (28, 8, 9), (29, 8, 10), (30, 8, 10)]


@pytest.mark.parametrize("n, run_max, crossings_min", ANHOJ_TABLE)
def test_the_critical_values_match_the_published_table(n, run_max, crossings_min):
    assert spc.longest_run_max(n) == run_max
    assert spc.crossings_min(n) == crossings_min


series = st.lists(st.integers(min_value=0, max_value=50), min_size=2, max_size=60)


@given(series)
@settings(max_examples=200, deadline=None)
def test_points_on_the_median_neither_break_nor_add_to_runs(values):
    chart = spc.qic("run", values)
    summary = chart.parts[0]
    centre = summary.CL
    useful = [v for v in values if v != centre]
    assert summary.n_useful == len(useful)
    if useful:
        assert summary.longest_run <= len(useful) and summary.n_crossings <= len(useful) - 1
        # Adding points exactly on the median changes nothing.
        padded = spc.qic("run", values + [centre] * 3).parts[0]
        if padded.CL == centre:
            assert (padded.n_useful, padded.longest_run, padded.n_crossings) == (
                summary.n_useful, summary.longest_run, summary.n_crossings)


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 400)), min_size=2, max_size=40))
@settings(max_examples=200, deadline=None)
def test_ratio_limits_surround_the_centre_and_stay_in_range(pairs):
    counts = [min(c, n) for c, n in pairs]
    sizes = [n for _, n in pairs]
    for kind in ("u", "p"):
        chart = spc.qic(kind, counts, sizes)
        for point in chart.points:
            assert point.lcl <= point.lcl_95 <= point.cl <= point.ucl_95 <= point.ucl
            assert point.lcl >= 0
            if kind == "p":
                assert point.ucl <= 1
            assert point.sigma_signal == (point.y > point.ucl or point.y < point.lcl)


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 400)), min_size=2, max_size=30))
@settings(max_examples=100, deadline=None)
def test_a_larger_denominator_gives_narrower_limits(pairs):
    counts, sizes = [c for c, _ in pairs], [n for _, n in pairs]
    chart = spc.qic("u", counts, sizes)
    widths = sorted((n, p.ucl - p.cl) for n, p in zip(sizes, chart.points, strict=True))
    assert all(w1 >= w2 - 1e-12 for (_, w1), (_, w2) in zip(widths, widths[1:], strict=False))


def test_a_shift_is_found_and_noise_is_not():
    assert spc.qic("run", [3, 4, 3, 5, 4, 3, 4, 5, 3, 4, 9, 10, 9, 11, 10, 9, 10, 11, 9, 10]).runs_signal
    alternating = [1, 3] * 10
    assert not spc.qic("run", alternating).runs_signal


# qicharts2's `cl`, `part` with `freeze`, and moving ranges (qicharts2 0.8: R/helper.functions.R,
# the chart functions take a given centre line instead of computing one; R/qic.R sets freeze to
# Inf when break points (part) are given; qic.agg sets runs.signal to FALSE for an MR chart).
CASE = {c["name"]: c for c in CASES}


def test_part_overrides_freeze_as_in_qicharts2():
    for name in ("cdi_c_part24", "cdi_u_part24", "cdi_run_part24", "montgomery_7.1_p_exclude_part"):
        case = CASE[name]
        params = case["params"]
        alone = spc.qic(case["chart"], case["input"]["y"], case["input"].get("n"), case["input"]["x"],
                        part=params["part"], exclude=params["exclude"], multiply=params["multiply"])
        frozen = spc.qic(case["chart"], case["input"]["y"], case["input"].get("n"), case["input"]["x"],
                         part=params["part"], exclude=params["exclude"], multiply=params["multiply"], freeze=5)
        expected = case["expected_points"]
        for name_ in ("cl", "lcl", "ucl"):
            assert all(close(getattr(p, name_), e) for p, e in zip(frozen.points, expected[name_], strict=True))
        assert [p.baseline for p in frozen.points] == [p.baseline for p in alone.points] == [True] * len(alone.points)


def test_a_moving_range_chart_never_signals_runs():
    # Ten small steps then ten large ones: a run of 9 moving ranges above their mean (limit 7 for n=19).
    values = [0.0, 1.0] * 5 + [0.0, 10.0] * 5
    chart = spc.qic("mr", values)
    summary = chart.parts[0]
    assert summary.longest_run > summary.longest_run_max  # the run is there and reported
    assert not summary.runs_signal and not chart.runs_signal and not any(p.runs_signal for p in chart.points)
    for case in (CASE["cabg_age_last100_mr"], CASE["montgomery_6.5_mr_freeze20"]):
        got = spc.qic("mr", case["input"]["y"], x=case["input"]["x"], freeze=case["params"]["freeze"])
        assert not got.runs_signal


@pytest.mark.parametrize("kind", ["run", "i", "mr", "c", "u", "p", "pp", "up"])
def test_a_fixed_centre_line_is_used_for_the_limits_and_the_runs(kind):
    case = next(c for c in CASES if c["chart"] == kind)
    y, n, x = case["input"]["y"], case["input"].get("n"), case["input"]["x"]
    computed = spc.qic(kind, y, n, x)
    target = computed.parts[0].CL * 0.8  # a target better than the process: a fifth lower
    chart = spc.qic(kind, y, n, x, cl=target)
    sd_of = {  # what qicharts2 computes around a given centre line, per point
        "c": lambda p, n_i: math.sqrt(target),
        "u": lambda p, n_i: math.sqrt(target / n_i),
        "p": lambda p, n_i: math.sqrt(target * (1 - target) / n_i),
        "i": lambda p, n_i: (computed.points[0].ucl - computed.points[0].cl) / 3,  # moving ranges: unchanged
    }
    for index, point in enumerate(chart.points):
        assert close(point.cl, target)
        if kind in sd_of and point.y is not None:
            n_i = n[index] if n else None
            sd = sd_of[kind](point, n_i)
            assert close(point.ucl, min(target + 3 * sd, 1.0) if kind == "p" else target + 3 * sd)
            assert close(point.lcl, max(target - 3 * sd, 0.0) if kind != "i" else target - 3 * sd)
        if kind == "mr":
            assert close(point.ucl, spc.D4 * target)
    # The runs are counted about the target: fewer points below a lower line.
    values = [p.y for p in chart.points if p.y is not None and p.include]
    assert chart.parts[0].n_useful == sum(1 for v in values if v != target)
