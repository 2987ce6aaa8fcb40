"""Confusion-count formulas against scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from sklearn import metrics as skm

from cybench.metrics.counts import confusion_metrics, ratio
from cybench.metrics.detection import classification_metrics
from tests.metrics.strategies import labelled

TOLERANCE = 1e-12


def _counts(y, y_pred):
    tn, fp, fn, tp = skm.confusion_matrix(y, y_pred, labels=[0, 1]).ravel()
    return tn, fp, fn, tp


def _sklearn(y, y_pred) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "accuracy": skm.accuracy_score(y, y_pred),
            "balanced_accuracy": skm.balanced_accuracy_score(y, y_pred),
            "precision": skm.precision_score(y, y_pred, zero_division=np.nan),
            "recall": skm.recall_score(y, y_pred, zero_division=np.nan),
            "f1": skm.f1_score(y, y_pred, zero_division=np.nan),
            "f1_macro": skm.f1_score(
                y, y_pred, average="macro", labels=[0, 1], zero_division=np.nan
            ),
            "f1_weighted": skm.f1_score(
                y, y_pred, average="weighted", labels=[0, 1], zero_division=np.nan
            ),
            "mcc": skm.matthews_corrcoef(y, y_pred),
        }


@settings(max_examples=200, deadline=None)
@given(labelled())
def test_count_formulas_match_sklearn(data):
    y, y_pred, _ = data
    ours = confusion_metrics(*_counts(y, y_pred))
    theirs = _sklearn(y, y_pred)
    defined_mcc = len(set(y_pred)) == 2
    for name, expected in theirs.items():
        if name == "mcc" and not defined_mcc:
            continue
        if np.isnan(expected):
            assert np.isnan(ours[name]), name
            continue
        assert abs(float(ours[name]) - expected) <= TOLERANCE, name


@settings(max_examples=100, deadline=None)
@given(labelled())
def test_classification_metrics_match_counts(data):
    y, y_pred, _ = data
    point, _ = classification_metrics(y, y_pred)
    from_counts = confusion_metrics(*_counts(y, y_pred))
    for name, expected_array in from_counts.items():
        value = point[name]
        expected = float(expected_array)
        if np.isnan(expected):
            assert np.isnan(value), name
            continue
        assert abs(value - expected) <= TOLERANCE, name


def test_count_formulas_vectorise_over_resamples():
    tn = np.array([5, 0, 3])
    fp = np.array([1, 0, 2])
    fn = np.array([2, 4, 0])
    tp = np.array([7, 6, 0])
    out = confusion_metrics(tn, fp, fn, tp)
    assert out["recall"].shape == (3,)
    assert out["recall"][0] == pytest.approx(7 / 9)
    assert np.isnan(out["fpr"][1])
    assert np.isnan(out["recall"][2])


def test_ratio_is_nan_for_zero_denominator():
    assert np.isnan(ratio(1, 0))


def test_mcc_is_null_without_positive_predictions():
    point, found = classification_metrics(
        np.array([0, 1, 1, 0]), np.array([0, 0, 0, 0])
    )
    assert np.isnan(point["mcc"])
    assert np.isnan(point["precision"])
    assert any("no positive predictions" in w for w in found)


def test_balanced_accuracy_is_null_with_one_class():
    point, found = classification_metrics(np.array([0, 0, 0]), np.array([0, 1, 0]))
    assert np.isnan(point["balanced_accuracy"])
    assert point["fpr"] == pytest.approx(1 / 3)
    assert any("no positive samples" in w for w in found)
