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
