"""Calibration of the positive-class probability: ECE, Brier score, reliability bins.

ECE uses `n_bins` equal-width bins on p_positive with scikit-learn's
`calibration_curve(strategy="uniform")` bin edges: bin b contains p in
(b/n_bins, (b+1)/n_bins], and the first bin also contains 0. ECE is the
row-weighted mean over non-empty bins of |observed positive rate - mean p|.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cybench.metrics.counts import Array, ratio

ECE_BINS = 10


def bin_index(p: ArrayLike, n_bins: int = ECE_BINS) -> NDArray[np.intp]:
    """Return each probability's bin, as sklearn's `calibration_curve` bins it."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    return np.searchsorted(edges[1:-1], np.asarray(p, dtype=np.float64))


def ece_from_bins(count: ArrayLike, positives: ArrayLike, p_sum: ArrayLike) -> Array:
    """ECE from per-bin row counts, positive counts and sums of p, shape (..., bins)."""
    count = np.asarray(count, dtype=np.float64)
    gap = np.abs(
        np.asarray(positives, dtype=np.float64) - np.asarray(p_sum, dtype=np.float64)
    )
    return ratio(np.sum(gap, axis=-1), np.sum(count, axis=-1))


def expected_calibration_error(
    y_true: ArrayLike, p: ArrayLike, n_bins: int = ECE_BINS
) -> float:
    """Return ECE of p_positive against y_true; NaN for no rows."""
    y = np.asarray(y_true, dtype=np.float64)
    prob = np.asarray(p, dtype=np.float64)
    bins = bin_index(prob, n_bins)
    count = np.bincount(bins, minlength=n_bins)
    positives = np.bincount(bins, weights=y, minlength=n_bins)
    p_sum = np.bincount(bins, weights=prob, minlength=n_bins)
    return float(ece_from_bins(count, positives, p_sum))


def brier_score(y_true: ArrayLike, p: ArrayLike) -> float:
    """Return the Brier score (mean squared error of p_positive); NaN for no rows."""
    from sklearn.metrics import brier_score_loss

    y = np.asarray(y_true)
    if len(y) == 0:
        return float("nan")
    return float(brier_score_loss(y, np.asarray(p, dtype=np.float64), labels=[0, 1]))


def reliability(
    y_true: ArrayLike, p: ArrayLike, n_bins: int = ECE_BINS
) -> dict[str, list]:
    """Return reliability-diagram points of each non-empty bin: mean p,
    positive rate, rows."""
    from sklearn.calibration import calibration_curve

    y = np.asarray(y_true)
    prob = np.asarray(p, dtype=np.float64)
    if len(y) == 0 or len(np.unique(y)) < 2:
        return {}
    observed, predicted = calibration_curve(y, prob, n_bins=n_bins, strategy="uniform")
    counts = np.bincount(bin_index(prob, n_bins), minlength=n_bins)
    return {
        "p_mean": predicted.tolist(),
        "positive_rate": observed.tolist(),
        "rows": counts[counts > 0].tolist(),
    }
