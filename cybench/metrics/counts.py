"""Classification metrics as array formulas over confusion counts.

Every function takes arrays of counts `tn, fp, fn, tp` of any shape (one value
per bootstrap resample, say) and returns an array of that shape, NaN where the
metric is undefined. The definitions match scikit-learn 1.9 with
`zero_division=np.nan`, except where noted: balanced accuracy and MCC are NaN
(not scikit-learn's per-class mean or 0.0) when a class is absent.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

# Confusion-count metric names, in the order `confusion_metrics` returns them.
CONFUSION_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "fpr",
    "f1",
    "f1_macro",
    "f1_weighted",
    "mcc",
)


def ratio(numerator: ArrayLike, denominator: ArrayLike) -> Array:
    """Return numerator / denominator elementwise, NaN where the denominator is 0."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _nanmean2(a: Array, b: Array) -> Array:
    """Mean of two arrays ignoring NaN, NaN only when both are NaN."""
    stacked = np.stack([a, b])
    count = np.sum(~np.isnan(stacked), axis=0)
    total = np.nansum(stacked, axis=0)
    return ratio(total, count)


def confusion_metrics(
    tn: ArrayLike, fp: ArrayLike, fn: ArrayLike, tp: ArrayLike
) -> dict[str, Array]:
    """Return every metric in CONFUSION_METRICS from confusion counts.

    f1_macro averages the F1 of both classes. It skips a class whose F1 is
    undefined (absent from truth and predictions), as scikit-learn does with
    `zero_division=np.nan`. f1_weighted weights each class by its support.
    """
    tn, fp, fn, tp = (np.asarray(v, dtype=np.float64) for v in (tn, fp, fn, tp))
    n = tn + fp + fn + tp
    positives = tp + fn
    negatives = tn + fp

    recall = ratio(tp, positives)
    tnr = ratio(tn, negatives)
    f1_pos = ratio(2 * tp, 2 * tp + fp + fn)
    f1_neg = ratio(2 * tn, 2 * tn + fn + fp)
    weighted = ratio(
        np.nan_to_num(f1_pos) * positives + np.nan_to_num(f1_neg) * negatives, n
    )

    mcc_den = np.sqrt(positives * negatives * (tp + fp) * (tn + fn))
    return {
        "accuracy": ratio(tp + tn, n),
        "balanced_accuracy": (recall + tnr) / 2,
        "precision": ratio(tp, tp + fp),
        "recall": recall,
        "fpr": ratio(fp, negatives),
        "f1": f1_pos,
        "f1_macro": _nanmean2(f1_pos, f1_neg),
        "f1_weighted": weighted,
        "mcc": ratio(tp * tn - fp * fn, mcc_den),
    }
