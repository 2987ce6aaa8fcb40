"""Ranking metrics from score groups against scikit-learn, and the FPR read-off."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

from cybench.metrics import ranking
from tests.metrics.strategies import labelled

TOLERANCE = 1e-12


def _group_counts(y, scores):
    groups = ranking.score_groups(scores)
    pos = np.bincount(groups.index, weights=y, minlength=groups.size)
    neg = np.bincount(groups.index, weights=1 - y, minlength=groups.size)
    return pos, neg


@settings(max_examples=200, deadline=None)
@given(labelled())
def test_auc_from_groups_matches_sklearn(data):
    y, _, scores = data
    pos, neg = _group_counts(y, scores)
    assert (
        abs(ranking.auc_from_groups(pos, neg) - roc_auc_score(y, scores)) <= TOLERANCE
    )


@settings(max_examples=200, deadline=None)
@given(labelled())
def test_ap_from_groups_matches_sklearn(data):
    y, _, scores = data
    pos, neg = _group_counts(y, scores)
    expected = average_precision_score(y, scores)
    assert abs(ranking.ap_from_groups(pos, neg) - expected) <= TOLERANCE


def _reference_detection_rate(y, scores, target):
    """Walk the ROC polyline segment by segment; return its highest y at x=target."""
    fpr, tpr, _ = roc_curve(y, scores, drop_intermediate=False)
    best = 0.0
    for x0, y0, x1, y1 in zip(fpr[:-1], tpr[:-1], fpr[1:], tpr[1:], strict=True):
        if x0 <= target <= x1:
            value = y1 if x1 == x0 else y0 + (target - x0) / (x1 - x0) * (y1 - y0)
            best = max(best, value)
    return best


@settings(max_examples=200, deadline=None)
@given(labelled(), st.sampled_from([0.0, 0.001, 0.01, 0.1, 0.5]))
def test_detection_rate_matches_polyline_walk(data, target):
    y, _, scores = data
    fpr, tpr, _ = roc_curve(y, scores, drop_intermediate=False)
    expected = _reference_detection_rate(y, scores, target)
    assert abs(ranking.detection_rate_at_fpr(fpr, tpr, target) - expected) <= TOLERANCE


def test_detection_rate_interpolates_hand_worked_roc():
    # Points (0,0) -> (0,0.5) -> (0.2,0.5) -> (0.2,0.9) -> (1,1).
    fpr = np.array([0.0, 0.0, 0.2, 0.2, 1.0])
    tpr = np.array([0.0, 0.5, 0.5, 0.9, 1.0])
    assert ranking.detection_rate_at_fpr(fpr, tpr, 0.1) == pytest.approx(0.5)
    assert ranking.detection_rate_at_fpr(fpr, tpr, 0.2) == pytest.approx(0.9)
    assert ranking.detection_rate_at_fpr(fpr, tpr, 0.6) == pytest.approx(0.95)


def test_equal_scores_give_half_auc_and_a_warning():
    y = np.array([0, 1, 0, 1, 1])
    values, found = ranking.ranking_metrics(y, np.full(5, 0.7))
    assert values["roc_auc"] == pytest.approx(0.5)
    assert values["pr_auc"] == pytest.approx(0.6)
    assert any("every score is equal" in w for w in found)


def test_one_class_leaves_auc_null():
    values, found = ranking.ranking_metrics(
        np.zeros(4, dtype=int), np.array([0.1, 0.2, 0.3, 0.4])
    )
    assert np.isnan(values["roc_auc"])
    assert np.isnan(values["pr_auc"])
    assert any("no positive samples" in w for w in found)


def test_fpr_metric_names():
    assert ranking.fpr_metric_name(0.01) == "recall_at_fpr_1pct"
    assert ranking.fpr_metric_name(0.001) == "recall_at_fpr_0_1pct"


def test_curves_thin_to_limit():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 5000)
    out = ranking.curves(y, rng.random(5000), limit=101)
    assert len(out["roc"]["fpr"]) <= 101
    assert out["roc"]["fpr"][-1] == 1.0


@settings(max_examples=200, deadline=None)
@given(labelled())
def test_rank_matches_sklearn_scores(data):
    y, _, scores = data
    values = ranking.rank(y, scores).values
    assert abs(values["roc_auc"] - roc_auc_score(y, scores)) <= TOLERANCE
    assert abs(values["pr_auc"] - average_precision_score(y, scores)) <= TOLERANCE
