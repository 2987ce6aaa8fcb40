"""Chart sizing, labels and table notes that a first-time reader relies on."""

import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from cybench.report import svg
from cybench.report.html import build_charts, render_html
from cybench.report.latex import render_latex
from cybench.report.markdown import render_markdown
from cybench.report.model import MetricValue, ReportData, Run
from cybench.report.tables import (
    NO_ALERTS_MARK,
    OPERATIONS_COLUMNS,
    alert_table,
    quality_table,
)
from tests.report.tools import require_program

NAMES = (
    "llamacpp:qwen2.5-coder-0.5b-instruct-q4_k_m",
    "scripted:b",
    "baseline:logistic-regression",
    "baseline:majority",
)
CATEGORIES = ("DoS", "Exploits", "Fuzzers", "Generic", "Worms")


def _run(name, *, cost=None, tp=40, fp=5, fpr=0.05, latency=0.00002):
    metrics = {
        ("overall", "all", "f1"): MetricValue(0.7, 0.6, 0.8),
        ("overall", "all", "fpr"): MetricValue(fpr),
        ("overall", "all", "false_alerts_per_10k"): MetricValue(fpr * 10_000),
        ("overall", "all", "tp"): MetricValue(tp),
        ("overall", "all", "fp"): MetricValue(fp),
        ("overall", "all", "tn"): MetricValue(50 - fp),
        ("overall", "all", "fn"): MetricValue(50 - tp),
        ("overall", "all", "pr_auc"): MetricValue(0.8),
        ("overall", "all", "parse_rate"): MetricValue(1.0),
        ("overall", "all", "refusal_rate"): MetricValue(0.0),
        ("overall", "all", "latency_p50_s"): MetricValue(latency),
        ("overall", "all", "cost_per_1k_usd"): MetricValue(cost),
    }
    for category in CATEGORIES:
        metrics[(f"category:{category}", "all", "recall")] = MetricValue(0.5)
    return Run(
        key="responses:" + name,
        scores_key="scores:" + name,
        model=name,
        model_id=name,
        template="zero-shot",
        metrics=metrics,
    )


def _data(runs, prevalence=0.9):
    return ReportData(
        dataset="unsw-nb15",
        split="test",
        n=100,
        prevalence=prevalence,
        positive_label="attack",
        negative_label="benign",
        runs=runs,
    )


def _four_runs(**kwargs):
    return _data([_run(name, **kwargs) for name in NAMES])


def _texts(chart):
    return " ".join(ET.fromstring(chart).itertext())


def _legend_bottom(chart):
    root = ET.fromstring(chart)
    height = float(root.get("height"))
    ys = [float(e.get("y")) for e in root.iter() if e.tag.endswith("text")]
    return max(ys), height


def test_category_chart_names_every_run():
    chart = build_charts(_four_runs())["categories"]
    missing = [name for name in NAMES if name not in _texts(chart)]
    assert missing == []


def test_category_chart_legend_fits_inside_svg():
    lowest, height = _legend_bottom(build_charts(_four_runs())["categories"])
    assert lowest < height


def test_category_chart_grows_with_legend_entries():
    two = ET.fromstring(build_charts(_data([_run(n) for n in NAMES[:2]]))["categories"])
    four = ET.fromstring(build_charts(_four_runs())["categories"])
    assert float(four.get("height")) - float(two.get("height")) >= 2 * svg.LEGEND_ROW


def test_cost_chart_left_out_without_known_costs():
    assert "cost" not in build_charts(_four_runs())


def test_cost_chart_left_out_with_one_known_cost():
    runs = [_run(NAMES[0], cost=0.0), *(_run(n) for n in NAMES[1:])]
    assert "cost" not in build_charts(_data(runs))


def test_report_explains_missing_cost_chart():
    assert "fewer than two runs have a known cost" in render_html(_four_runs())


def test_cost_chart_plots_only_known_costs():
    runs = [_run(NAMES[0], cost=0.01), _run(NAMES[1], cost=0.02), _run(NAMES[2])]
    chart = build_charts(_data(runs))["cost"]
    assert chart.count('<circle class="series"') == 2


def test_latency_ticks_use_plain_decimals():
    chart = build_charts(_four_runs())["latency"]
    assert re.search(r"\de-?\d", _texts(chart)) is None


def test_log_tick_label_of_ten_microseconds():
    assert svg._tick_label(1e-05, svg.Axis("s", 1e-06, 1.0, log=True)) == "0.00001"


def _x_ticks(chart):
    root = ET.fromstring(chart)
    return [
        e.text
        for e in root.iter()
        if e.tag.endswith("text")
        and e.get("text-anchor") == "middle"
        and e.get("font-size") == "10"
    ]


def test_cost_ticks_are_distinct():
    runs = [_run(NAMES[0], cost=0.01), _run(NAMES[1], cost=0.02)]
    ticks = _x_ticks(build_charts(_data(runs))["cost"])
    assert len(set(ticks)) == len(ticks)


def test_confusion_heading_clipped_to_its_box():
    chart = svg.confusion_matrix("m" * 80, 1, 2, 3, 4, ("benign", "attack"))
    assert ">" + "m" * 80 + "</text>" not in chart


def test_confusion_title_keeps_full_name():
    chart = svg.confusion_matrix("m" * 80, 1, 2, 3, 4, ("benign", "attack"))
    assert "<title>" + "m" * 80 + "</title>" in chart


def test_parse_chart_keeps_long_model_name_whole():
    chart = build_charts(_four_runs())["parse"]
    assert f">{NAMES[0]} (zero-shot)<" in chart


def test_clipped_bar_label_carries_full_name_in_title():
    name = "x" * 80
    chart = svg.bar_chart("t", [name], [("s", [0.5])])
    assert f"<title>{name}</title>" in chart


def test_baseline_template_shown_as_dash():
    assert _run("baseline:majority").template_label == "—"


def test_model_template_shown_as_is():
    assert _run("scripted:b").template_label == "zero-shot"


def test_html_run_list_has_no_template_for_baseline():
    page = render_html(_data([_run("baseline:majority")]))
    assert "<td>baseline:majority</td><td>baseline:majority</td><td>—</td>" in page


def test_token_headers_name_events():
    headers = [c.header for c in OPERATIONS_COLUMNS if c.metric.startswith("tokens")]
    assert headers == ["Tokens in per 1,000 events", "Tokens out per 1,000 events"]


def test_markdown_token_header_names_events():
    assert "Tokens out per 1,000 events" in render_markdown(_four_runs())


PREVALENCE_SENTENCE = "PR-AUC of a random ranking equals the prevalence"


def test_html_states_pr_auc_baseline():
    assert f"{PREVALENCE_SENTENCE} of the positive class, here 0.90" in render_html(
        _four_runs()
    )


def test_markdown_states_pr_auc_baseline():
    assert "here 0.90" in render_markdown(_four_runs())


def test_latex_states_pr_auc_baseline():
    assert PREVALENCE_SENTENCE in render_latex(_four_runs())


def _silent_and_noisy():
    return _data(
        [
            _run("baseline:majority", tp=0, fp=0, fpr=0.0),
            _run("scripted:b", tp=40, fp=5, fpr=0.05),
            _run("scripted:c", tp=45, fp=10, fpr=0.1),
        ]
    )


def _cell(table, row_index, metric):
    index = [c.metric for c in table.columns].index(metric)
    return table.rows[row_index].cells[index]


def test_silent_run_not_best_on_fpr():
    assert not _cell(quality_table(_silent_and_noisy()), 0, "fpr").best


def test_alerting_run_best_on_fpr_when_other_is_silent():
    assert _cell(quality_table(_silent_and_noisy()), 1, "fpr").best


def test_silent_run_not_best_on_false_alerts():
    table = alert_table(_silent_and_noisy())
    assert not _cell(table, 0, "false_alerts_per_10k").best


def test_silent_run_fpr_carries_footnote_mark():
    assert _cell(quality_table(_silent_and_noisy()), 0, "fpr").footnote == "†"


def test_silent_run_footnote_explained():
    notes = quality_table(_silent_and_noisy()).notes
    assert any(n.startswith(NO_ALERTS_MARK) for n in notes)


def test_no_footnote_when_every_run_alerts():
    notes = quality_table(_four_runs()).notes
    assert not any(n.startswith(NO_ALERTS_MARK) for n in notes)


def test_latex_sets_footnote_mark_as_dagger():
    assert r"0.000\dag{}" in render_latex(_silent_and_noisy())


def test_markdown_shows_footnote_mark():
    assert "0.000†" in render_markdown(_silent_and_noisy())


@pytest.mark.tex
def test_footnote_mark_compiles_with_pdflatex(tmp_path):
    pdflatex = require_program("pdflatex")
    source = tmp_path / "report.tex"
    source.write_text(render_latex(_silent_and_noisy(), standalone=True))
    done = subprocess.run(
        [pdflatex, "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:]
