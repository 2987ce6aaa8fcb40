from cybench.report.model import MetricValue, ReportData, Run
from cybench.report.tables import (
    category_table,
    format_value,
    quality_table,
    significance_mark,
)


def _run(key, f1, fpr, recall_dos=None):
    metrics = {
        ("overall", "all", "f1"): MetricValue(f1, f1 - 0.1, f1 + 0.1),
        ("overall", "all", "fpr"): MetricValue(fpr),
    }
    if recall_dos is not None:
        metrics[("category:dos", "all", "recall")] = MetricValue(recall_dos)
    return Run(
        key=key,
        scores_key="s" + key,
        model=key,
        model_id=key,
        template="",
        metrics=metrics,
    )


def _data(*runs):
    return ReportData("unsw", "test", 10, 0.5, "attack", "benign", list(runs))


def _column(table, metric):
    return [c.metric for c in table.columns].index(metric)


def test_highest_f1_is_best():
    table = quality_table(_data(_run("a", 0.6, 0.1), _run("b", 0.8, 0.2)))
    index = _column(table, "f1")
    assert [r.cells[index].best for r in table.rows] == [False, True]


def test_lowest_fpr_is_best():
    table = quality_table(_data(_run("a", 0.6, 0.1), _run("b", 0.8, 0.2)))
    index = _column(table, "fpr")
    assert [r.cells[index].best for r in table.rows] == [True, False]


def test_single_run_marks_no_best():
    table = quality_table(_data(_run("a", 0.6, 0.1)))
    assert not any(c.best for c in table.rows[0].cells)


def test_interval_kept_on_f1_cell():
    table = quality_table(_data(_run("a", 0.6, 0.1)))
    cell = table.rows[0].cells[_column(table, "f1")]
    assert (cell.ci_low, cell.ci_high) == (0.5, 0.7)


def test_significance_mark_levels():
    assert [significance_mark(p) for p in (0.001, 0.03, 0.2, None)] == [
        "**",
        "*",
        "",
        "",
    ]


def test_category_table_has_row_per_category():
    table = category_table(_data(_run("a", 0.6, 0.1, 0.5), _run("b", 0.8, 0.2, 0.9)))
    assert [r.label for r in table.rows] == ["dos"]


def test_category_table_best_is_per_row():
    table = category_table(_data(_run("a", 0.6, 0.1, 0.5), _run("b", 0.8, 0.2, 0.9)))
    assert [c.best for c in table.rows[0].cells] == [False, True]


def test_category_table_absent_without_categories():
    assert category_table(_data(_run("a", 0.6, 0.1))) is None


def test_format_value_undefined_reads_na():
    assert format_value(None, 3) == "n/a"


def test_label_names_template():
    run = Run("k", "s", "llamacpp:qwen", "id", "few-shot", {})
    assert run.label == "llamacpp:qwen (few-shot)"


def test_baseline_label_omits_template():
    run = Run("k", "s", "baseline:random-forest", "id", "zero-shot", {})
    assert run.label == "baseline:random-forest"
