"""ECE against a reference built on scikit-learn's calibration_curve."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from cybench.metrics import calibration
from tests.metrics.strategies import labelled

TOLERANCE = 1e-12


def _reference_ece(y, p, n_bins=10):
    """Weights per bin counted with a plain loop over the bin rule (lo, hi]."""
    observed, predicted = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
    counts = [0] * n_bins
    for value in p:
        b = 0
        while b < n_bins - 1 and value > (b + 1) / n_bins:
            b += 1
        counts[b] += 1
    weights = [c for c in counts if c]
    return sum(
        w / len(p) * abs(o - q)
        for w, o, q in zip(weights, observed, predicted, strict=True)
    )


@settings(max_examples=200, deadline=None)
@given(labelled())
def test_ece_matches_calibration_curve_reference(data):
    y, _, p = data
    expected = _reference_ece(y, p)
    assert abs(calibration.expected_calibration_error(y, p) - expected) <= TOLERANCE


def test_ece_of_hand_worked_bins():
    # Bin (0.1, 0.2]: p 0.2, 0.2 with one positive -> |0.5 - 0.2| weight 2/4.
    # Bin (0.8, 0.9]: p 0.9, 0.9 with two positives -> |1.0 - 0.9| weight 2/4.
    y = np.array([0, 1, 1, 1])
    p = np.array([0.2, 0.2, 0.9, 0.9])
    assert calibration.expected_calibration_error(y, p) == pytest.approx(0.2)


def test_bin_edges_follow_sklearn():
    assert calibration.bin_index(np.array([0.0, 0.1, 0.1000001, 1.0])).tolist() == [
        0,
        0,
        1,
        9,
    ]


@settings(max_examples=50, deadline=None)
@given(labelled())
def test_brier_matches_sklearn(data):
    y, _, p = data
    assert calibration.brier_score(y, p) == pytest.approx(
        brier_score_loss(y, p), abs=1e-15
    )


def test_reliability_lists_non_empty_bins():
    y = np.array([0, 1, 1, 1])
    out = calibration.reliability(y, np.array([0.2, 0.2, 0.9, 0.9]))
    assert out["rows"] == [2, 2]
    assert out["positive_rate"] == pytest.approx([0.5, 1.0])
