"""compute_scores on ordinary and degenerate runs."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from sklearn import metrics as skm

from cybench.errors import DataError
from cybench.scoring import compute_scores
from tests.score.runs import responses_table


def _table(y_true, y_pred, p_positive=None, **extra) -> pa.Table:
    n = len(y_true)
    columns = {
        "y_true": pa.array(y_true, pa.int8()),
        "y_pred": pa.array(y_pred, pa.int8()),
        "p_positive": pa.array(
            p_positive if p_positive is not None else [None] * n, pa.float64()
        ),
        "parse_status": ["ok" if v is not None else "unparseable" for v in y_pred],
        "sample_id": [f"s{i}" for i in range(n)],
    }
    columns.update(extra)
    return pa.table(columns)


def _value(result, metric, policy="all", slice_="overall"):
    return result.value(metric, policy, slice_)


def test_scores_match_sklearn_on_parsed_rows():
    table = responses_table(300, seed=4)
    result = compute_scores(table, bootstrap=0)
    parsed = table.filter(pa.compute.is_valid(table.column("y_pred")))
    y = parsed.column("y_true").to_numpy()
    y_pred = parsed.column("y_pred").to_numpy()
    assert _value(result, "f1", "parsed") == pytest.approx(
        skm.f1_score(y, y_pred), abs=1e-12
    )
    assert _value(result, "mcc", "parsed") == pytest.approx(
        skm.matthews_corrcoef(y, y_pred), abs=1e-12
    )


def test_policy_all_counts_parse_failures_as_wrong():
    result = compute_scores(_table([1, 1, 0, 0], [1, None, 0, None]), bootstrap=0)
    assert _value(result, "accuracy", "all") == pytest.approx(0.5)
    assert _value(result, "accuracy", "parsed") == pytest.approx(1.0)
    assert _value(result, "fn", "all") == 1
    assert _value(result, "fp", "all") == 1


def test_parse_and_refusal_rates():
    table = _table([1, 1, 0, 0], [1, None, 0, None])
    table = table.set_column(
        3, "parse_status", pa.array(["ok", "refused", "ok", "empty"])
    )
    result = compute_scores(table, bootstrap=0)
    assert _value(result, "parse_rate") == pytest.approx(0.5)
    assert _value(result, "refusal_rate") == pytest.approx(0.25)


def test_headline_metrics_have_intervals():
    result = compute_scores(responses_table(300), bootstrap=200, seed=1)
    row = next(r for r in result.rows if r["metric"] == "f1" and r["policy"] == "all")
    assert row["ci_low"] <= row["value"] <= row["ci_high"]


def test_bootstrap_zero_leaves_intervals_null():
    result = compute_scores(responses_table(100), bootstrap=0)
    assert all(r["ci_low"] is None for r in result.rows)


def test_same_seed_gives_same_table():
    table = responses_table(200)
    first = compute_scores(table, bootstrap=100, seed=3).rows
    second = compute_scores(table, bootstrap=100, seed=3).rows
    assert first == second


def test_per_category_recall():
    y_true = [1, 1, 1, 0, 0]
    table = _table(
        y_true,
        [1, 0, 1, 0, 1],
        category_true=["DoS", "DoS", "Worms", "Normal", "Normal"],
    )
    result = compute_scores(table, bootstrap=0)
    assert _value(result, "recall", slice_="category:dos") == pytest.approx(0.5)
    assert _value(result, "recall", slice_="category:worms") == pytest.approx(1.0)
    assert _value(result, "fpr", slice_="category:normal") == pytest.approx(0.5)


def test_confusion_matrix_in_meta():
    result = compute_scores(_table([1, 1, 0, 0], [1, 0, 0, 1]), bootstrap=0)
    assert result.meta["confusion"]["all"]["overall"] == [[1, 1], [1, 1]]


def test_curves_in_meta():
    result = compute_scores(responses_table(100), bootstrap=0)
    roc = result.meta["curves"]["all"]["roc"]
    assert roc["fpr"][0] == 0.0
    assert roc["tpr"][-1] == 1.0


def test_operational_metrics():
    table = _table(
        [1, 0, 0, 0],
        [1, 1, 0, 0],
        latency_s=pa.array([1.0, 2.0, 3.0, 4.0]),
        tokens_in=pa.array([100, 200, 300, 400]),
        cost_usd=pa.array([0.001, 0.001, None, 0.003], pa.float64()),
    )
    result = compute_scores(
        table, bootstrap=0, events_per_day=1000, prevalence=0.1, infer_wall_s=8.0
    )
    assert _value(result, "false_alerts_per_10k") == pytest.approx(10_000 / 3)
    assert _value(result, "false_alerts_per_day") == pytest.approx(1000 * 0.9 / 3)
    assert _value(result, "tokens_in_per_1k") == pytest.approx(250_000)
    assert _value(result, "cost_per_1k_usd") == pytest.approx(5 / 3)
    assert _value(result, "throughput_per_s") == pytest.approx(0.5)


def test_batched_run_throughput_uses_wall_time():
    # Four replies of one batch each record the batch's 2 s wall time.
    table = _table([1, 0, 1, 0], [1, 0, 1, 0], latency_s=pa.array([2.0] * 4))
    result = compute_scores(table, bootstrap=0, infer_wall_s=2.0)
    assert _value(result, "throughput_per_s") == pytest.approx(2.0)


def test_throughput_without_wall_time_is_none():
    table = _table([1, 0, 1, 0], [1, 0, 1, 0], latency_s=pa.array([2.0] * 4))
    result = compute_scores(table, bootstrap=0)
    assert _value(result, "throughput_per_s") is None


# -- degenerate inputs: defined values, a warning, no crash --------------------


def test_one_class_present():
    result = compute_scores(_table([0, 0, 0], [0, 1, 0], [0.1, 0.8, 0.2]), bootstrap=50)
    assert _value(result, "recall") is None
    assert _value(result, "roc_auc") is None
    assert _value(result, "fpr") == pytest.approx(1 / 3)
    assert any("no positive samples" in w for w in result.warnings)


def test_no_positive_predictions():
    result = compute_scores(_table([1, 0, 1, 0], [0, 0, 0, 0], [0.1] * 4), bootstrap=50)
    assert _value(result, "precision") is None
    assert _value(result, "recall") == 0.0
    assert _value(result, "mcc") is None
    assert any("no positive predictions" in w for w in result.warnings)


def test_labels_only_in_predictions():
    # Binary: the positive class occurs only among the predictions.
    result = compute_scores(
        _table([0, 0, 0, 0], [1, 1, 0, 0], [0.9, 0.8, 0.1, 0.2]), bootstrap=0
    )
    assert _value(result, "fpr") == pytest.approx(0.5)
    assert _value(result, "precision") == 0.0
    assert _value(result, "balanced_accuracy") is None


def test_categories_only_in_predictions():
    table = _table(
        [1, 1, 1],
        [1, 1, 1],
        category_true=["DoS", "DoS", "Worms"],
        category=["DoS", "Fuzzers", "Worms"],
    )
    result = compute_scores(table, bootstrap=0)
    assert _value(result, "category_accuracy") == pytest.approx(2 / 3)
    assert any("fuzzers" in w for w in result.warnings)


def test_all_confidences_equal():
    result = compute_scores(_table([1, 0, 1, 0], [1, 1, 0, 0], [0.5] * 4), bootstrap=50)
    assert _value(result, "roc_auc", "parsed") == pytest.approx(0.5)
    assert any("every score is equal" in w for w in result.warnings)


def test_every_reply_unparseable():
    result = compute_scores(_table([1, 0, 1], [None, None, None]), bootstrap=50)
    assert _value(result, "accuracy", "all") == 0.0
    assert _value(result, "parse_rate") == 0.0
    assert _value(result, "accuracy", "parsed") is None
    assert any("every response is unparsed" in w for w in result.warnings)


def test_no_responses():
    result = compute_scores(_table([], []), bootstrap=50)
    assert _value(result, "f1") is None
    assert any("no responses" in w for w in result.warnings)


def test_missing_p_positive_uses_label_with_warning():
    result = compute_scores(_table([1, 0, 1, 0], [1, 0, 0, 0]), bootstrap=0)
    assert _value(result, "roc_auc") == pytest.approx(0.75)
    assert any("no p_positive" in w for w in result.warnings)


def test_label_outside_zero_one_is_rejected():
    with pytest.raises(DataError, match="y_true"):
        compute_scores(_table([2, 0], [1, 0]), bootstrap=0)


def test_probability_outside_unit_interval_is_rejected():
    with pytest.raises(DataError, match="p_positive"):
        compute_scores(_table([1, 0], [1, 0], [1.5, 0.1]), bootstrap=0)


def test_undefined_values_are_never_nan():
    result = compute_scores(_table([0, 0], [0, 0], [0.2, 0.2]), bootstrap=20)
    values = [r[k] for r in result.rows for k in ("value", "ci_low", "ci_high")]
    assert not any(isinstance(v, float) and np.isnan(v) for v in values)


def test_judgments_add_rubric_means():
    table = _table([1, 0, 1], [1, 0, 0], [0.9, 0.2, 0.4])
    judgments = pa.table(
        {
            "parse_status": ["ok", "ok", "unparseable"],
            "rubric_version": pa.array([1, 1, 1], pa.int32()),
            "faithfulness": pa.array([4, 2, None], pa.int8()),
            "reasoning": pa.array([5, 3, None], pa.int8()),
            "usefulness": pa.array([1, 1, None], pa.int8()),
        }
    )
    result = compute_scores(table, bootstrap=50, judgments=judgments)
    assert _value(result, "judge_faithfulness") == pytest.approx(3.0)
    assert _value(result, "judge_reasoning", "parsed") == pytest.approx(4.0)
    assert _value(result, "judge_rated_rate") == pytest.approx(2 / 3)
    row = next(r for r in result.rows if r["metric"] == "judge_reasoning")
    assert 3.0 <= row["ci_low"] <= row["ci_high"] <= 5.0


def test_warning_of_both_policies_is_merged():
    result = compute_scores(_table([1, 0, 1, 0], [0, 0, 0, 0], [0.1] * 4), bootstrap=0)
    merged = [w for w in result.warnings if "no positive predictions" in w]
    assert merged == [
        "policy all and parsed, overall: no positive predictions, "
        "so precision and MCC are null"
    ]
