"""The weekday x hour heat map in colour: equal steps of the largest count, a legend that says
what each colour stands for, zero always white."""

from hr.charts import HEAT_LEVELS, heat_levels


def test_counts_fall_into_equal_colour_steps_with_a_legend():
    levels, legend = heat_levels([[0, 1, 2, 3], [10, 12, 0, 5]])
    assert levels == [[0, 1, 1, 2], [5, 6, 0, 3]]
    assert legend == [(0, "0"), (1, "1-2"), (2, "3-4"), (3, "5-6"), (4, "7-8"), (5, "9-10"), (6, "11-12")]
    assert max(max(row) for row in levels) == HEAT_LEVELS


def test_few_or_no_incidents_still_read_right():
    assert heat_levels([[0, 0]]) == ([[0, 0]], [(0, "0")])
    assert heat_levels([[1, 0]]) == ([[6, 0]], [(0, "0"), (6, "1")])


def test_a_funnel_plot_flags_only_what_chance_does_not_explain_given_the_size():
    import math

    from hr.charts import funnel, funnel_findings, funnel_svg

    # Overall 100 incidents over 1,000 FTE-years: 10 per 100 FTE-years.
    chart = funnel([("Lille", 3, 20.0), ("Stor", 40, 500.0), ("Høj", 57, 480.0)])
    assert math.isclose(chart.centre, 10.0)
    # Overdispersion: the mean squared z-score (three institutions: none winsorised).
    z = [(15 - 10) / math.sqrt(10 / 0.2), (8 - 10) / math.sqrt(10 / 5), (57 / 4.8 - 10) / math.sqrt(10 / 4.8)]
    phi = max(1.0, sum(v * v for v in z) / 3)
    assert math.isclose(chart.overdispersion, phi)
    low, high = chart.limit(20.0, 3)  # 10 ± 3·sqrt(φ·10 / 0.2)
    assert math.isclose(high, 10 + 3 * math.sqrt(phi * 50)) and low == 0.0
    outside = {p.name: p.outside for p in chart.points}
    # Lille's 15 per 100 is within its wide limits; Stor's 8 and Høj's 11.9 at 5 x 100 FTE-years:
    # limits 10 ± 3·sqrt(2) = 5.76 .. 14.24: within too.
    assert outside == {"Lille": "", "Stor": "", "Høj": ""}
    assert funnel_findings(chart, "Sammenligning af tilbud") == []
    flagged = funnel([("A", 10, 500.0), ("B", 90, 500.0)])  # 2 and 18 per 100, limits 10 ± 4.24 (two: no φ)
    assert {p.name: p.outside for p in flagged.points} == {"A": "under", "B": "over"}
    said = funnel_findings(flagged, "Sammenligning af tilbud")
    assert len(said) == 2 and "B har en højere rate" in said[0] and "A har en lavere rate" in said[1]
    svg = funnel_svg(flagged, "Tragt")
    assert "<title" in svg and "Uden for 99,8 %-grænserne: A, B" in svg
    assert funnel([("Tom", 0, 0.0)]) is None


def test_very_different_institutions_flag_only_the_one_that_stands_out_even_so():
    from hr.charts import funnel

    # Twelve institutions spread widely (more than chance), one far beyond even that spread.
    rows = [(f"T{n}", count, 200.0) for n, count in enumerate([20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130])]
    chart = funnel(rows + [("Ekstrem", 600, 200.0)])
    assert chart.overdispersion > 1
    assert [p.name for p in chart.points if p.outside] == ["Ekstrem"]


def test_bar_labels_have_room_inside_the_chart():
    import re

    from hr.charts import WIDTH, bars_svg

    svg = bars_svg([("En meget lang medvirkende årsag, der fylder godt op", 1234), ("Kort", 10)], "Årsager", "f",
                   [99.2, 100.0])
    starts = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="[\d.]+" font-size', svg)]
    # The value and share start where about 18 characters of 13-px text still fit before the edge.
    assert starts and max(starts) <= WIDTH - 18 * 7.5
