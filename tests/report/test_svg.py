import xml.etree.ElementTree as ET

from cybench.report import svg

HOSTILE = "<script>alert(1)</script>&\"'"


def _parse(text):
    return ET.fromstring(text)


def test_line_chart_escapes_series_names():
    chart = svg.line_chart(
        HOSTILE, [svg.Series(HOSTILE, [0, 1], [0, 1])], svg.Axis("x"), svg.Axis("y")
    )
    assert "<script>" not in chart


def test_line_chart_is_well_formed_xml():
    chart = svg.line_chart(
        HOSTILE,
        [svg.Series(HOSTILE, [0, 0.5, 1], [0, 0.7, 1])],
        svg.Axis("x"),
        svg.Axis("y"),
        diagonal=True,
    )
    assert _parse(chart).tag.endswith("svg")


def test_line_chart_draws_one_polyline_per_series():
    series = [svg.Series(f"m{i}", [0, 1], [0, 1]) for i in range(3)]
    chart = _parse(svg.line_chart("t", series, svg.Axis("x"), svg.Axis("y")))
    polylines = chart.findall(".//{http://www.w3.org/2000/svg}polyline")
    assert len(polylines) == 3


def test_scatter_chart_escapes_and_parses():
    chart = svg.scatter_chart(
        "t",
        [svg.Point(HOSTILE, 0.5, 0.8, 0.7, 0.9)],
        svg.Axis("x", 0.1, 10, log=True),
        svg.Axis("y"),
    )
    assert _parse(chart).find(".//{http://www.w3.org/2000/svg}circle") is not None


def test_bar_chart_marks_missing_value_not_zero():
    chart = svg.bar_chart("t", ["a", "b"], [("m", [0.5, None])])
    assert "n/a" in chart


def test_bar_chart_draws_bars_only_for_known_values():
    chart = _parse(svg.bar_chart("t", ["a", "b"], [("m", [0.5, None])]))
    bars = [
        r
        for r in chart.iter("{http://www.w3.org/2000/svg}rect")
        if r.get("class") == "series"
    ]
    assert len(bars) == 1


def test_bar_chart_escapes_group_names():
    chart = svg.bar_chart("t", [HOSTILE], [(HOSTILE, [0.5])])
    assert "<script>" not in chart


def test_confusion_matrix_shows_counts():
    chart = _parse(svg.confusion_matrix("t", 7, 2, 3, 11, ("benign", "attack")))
    texts = [t.text for t in chart.iter("{http://www.w3.org/2000/svg}text")]
    assert {"7", "2", "3", "11"} <= set(texts)


def test_confusion_matrix_escapes_labels():
    chart = svg.confusion_matrix("t", 1, 1, 1, 1, (HOSTILE, HOSTILE))
    assert "<script>" not in chart


def test_log_axis_ticks_cover_range():
    assert svg.Axis("x", 0.01, 10, log=True).tick_values() == [0.01, 0.1, 1.0, 10.0]


def test_nice_range_log_spans_decades():
    assert svg.nice_range([0.03, 4.0], log=True) == (0.01, 10.0)


def test_nice_range_without_values():
    assert svg.nice_range([]) == (0.0, 1.0)
