"""compare_runs in memory: identical runs, Holm across runs, ordering."""

from __future__ import annotations

import pytest

from cybench.comparison import align_runs, compare_runs
from cybench.errors import DataError
from cybench.scoring import compute_scores
from tests.score.runs import responses_table


def _headline(table):
    return compute_scores(table, bootstrap=0).summary()


def test_identical_runs_have_zero_difference_and_p_one():
    table = responses_table(200, seed=3)
    out = compare_runs(
        [table, table], ["a", "b"], [_headline(table)] * 2, bootstrap=300
    )
    other = out.rows[1]
    assert other["mcnemar_p"] == 1.0
    assert other["f1_diff_ci_low"] <= 0.0 <= other["f1_diff_ci_high"]
    assert other["roc_auc_diff_ci_low"] <= 0.0 <= other["roc_auc_diff_ci_high"]
    assert other["f1_diff_p"] == 1.0


def test_holm_adjusts_across_runs():
    tables = [
        responses_table(300, seed=s, accuracy=acc)
        for s, acc in ((1, 0.9), (2, 0.8), (3, 0.7))
    ]
    out = compare_runs(
        tables, ["a", "b", "c"], [_headline(t) for t in tables], bootstrap=100
    )
    raw = sorted(r["mcnemar_p"] for r in out.rows[1:])
    adjusted = sorted(r["mcnemar_p_holm"] for r in out.rows[1:])
    assert adjusted[0] == pytest.approx(min(1.0, 2 * raw[0]))
    assert out.best == "a"


def test_align_runs_sorts_by_sample():
    table = responses_table(50)
    reversed_table = table.take(list(range(49, -1, -1)))
    first, second = align_runs([table, reversed_table], ["a", "b"])
    assert (first.y_pred == second.y_pred).all()


def test_align_runs_rejects_repeated_samples():
    table = responses_table(20)
    doubled = responses_table(20, sample_ids=["same"] * 20)
    with pytest.raises(DataError, match="repeated"):
        align_runs([table, doubled], ["a", "b"])


def test_compare_runs_scores_tables_itself():
    tables = [responses_table(150, seed=1, accuracy=0.9), responses_table(150, seed=2)]
    out = compare_runs(tables, bootstrap=50)
    assert [row["name"] for row in out.rows] == ["run1", "run2"]
    assert out.rows[0]["latency_p50_s"] is not None
    assert out.best == "run1"


def test_lower_is_better_metric_picks_minimum():
    from cybench.comparison.paired import pick_best

    headlines = [
        {"fpr": {"value": 0.2}},
        {"fpr": {"value": 0.05}},
        {"fpr": {"value": None}},
    ]
    assert pick_best(headlines, "fpr") == 1
    assert pick_best(headlines, "f1") == 0


def _never_alerts(table):
    """Return `table` with every parsed reply predicting the negative class."""
    import pyarrow as pa
    import pyarrow.compute as pc

    y_pred = table.column("y_pred")
    negative = pc.if_else(pc.is_null(y_pred), y_pred, pa.scalar(0, y_pred.type))
    index = table.schema.get_field_index("y_pred")
    return table.set_column(index, "y_pred", negative)


def test_run_without_alerts_is_not_best_on_fpr():
    silent = _never_alerts(responses_table(200, seed=4, unparsed=0.0))
    noisy = responses_table(200, seed=4, accuracy=0.8)
    out = compare_runs(
        [silent, noisy], ["quiet", "noisy"], [_headline(silent), _headline(noisy)]
    )
    assert "fpr" not in out.rows[0]["best_metrics"]


def test_alerting_run_is_best_on_fpr_beside_a_silent_one():
    silent = _never_alerts(responses_table(200, seed=4, unparsed=0.0))
    noisy = responses_table(200, seed=4, accuracy=0.8)
    out = compare_runs(
        [silent, noisy], ["quiet", "noisy"], [_headline(silent), _headline(noisy)]
    )
    assert "fpr" in out.rows[1]["best_metrics"]
