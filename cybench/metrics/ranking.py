"""Ranking metrics from scores: ROC-AUC, PR-AUC, ROC and PR curves, and the
detection rate at a fixed false-positive rate.

Point values come from scikit-learn. `auc_from_groups` and `ap_from_groups`
compute the same two numbers from per-score-group class counts, so the
bootstrap can evaluate a thousand resamples as array operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cybench.metrics.counts import Array, ratio

FPR_TARGETS = (0.01, 0.001)


@dataclass(frozen=True)
class ScoreGroups:
    """Rows grouped by distinct score, highest score first.

    `index[i]` is the group of row i; `values[k]` is group k's score.
    """

    values: NDArray[np.float64]
    index: NDArray[np.intp]

    @property
    def size(self) -> int:
        return len(self.values)


def score_groups(scores: ArrayLike) -> ScoreGroups:
    """Group rows by distinct score value, in descending score order."""
    s = np.asarray(scores, dtype=np.float64)
    values, inverse = np.unique(-s, return_inverse=True)
    return ScoreGroups(values=-values, index=inverse.reshape(-1))


def auc_from_groups(pos: ArrayLike, neg: ArrayLike) -> Array:
    """ROC-AUC from per-group positive and negative counts, ties counted half.

    `pos` and `neg` have shape (..., K) with groups in descending score order;
    the result has shape (...), NaN where a class has no rows.
    """
    pos = np.asarray(pos, dtype=np.float64)
    neg = np.asarray(neg, dtype=np.float64)
    n_pos = pos.sum(axis=-1)
    n_neg = neg.sum(axis=-1)
    neg_below = n_neg[..., None] - np.cumsum(neg, axis=-1)
    wins = np.sum(pos * (neg_below + 0.5 * neg), axis=-1)
    return ratio(wins, n_pos * n_neg)


def ap_from_groups(pos: ArrayLike, neg: ArrayLike) -> Array:
    """Average precision (scikit-learn's step-wise PR-AUC) from group counts.

    AP = sum over thresholds of (recall gained) * (precision at that threshold);
    NaN where there are no positives.
    """
    pos = np.asarray(pos, dtype=np.float64)
    neg = np.asarray(neg, dtype=np.float64)
    tp = np.cumsum(pos, axis=-1)
    fp = np.cumsum(neg, axis=-1)
    precision = np.nan_to_num(ratio(tp, tp + fp))
    return ratio(np.sum(pos * precision, axis=-1), pos.sum(axis=-1))


def detection_rate_at_fpr(fpr: ArrayLike, tpr: ArrayLike, target: float) -> float:
    """Return the best true-positive rate reachable at false-positive rate `target`.

    `fpr` and `tpr` are the ROC points of every threshold in order (as from
    `sklearn.metrics.roc_curve(..., drop_intermediate=False)`), which a straight
    line joins. The result is the highest point of that polyline at x = target:
    the last point with FPR <= target, linearly interpolated towards the next
    point when that one lies beyond the target. Between two thresholds this is
    the rate a randomised mix of the two achieves.
    """
    f = np.asarray(fpr, dtype=np.float64)
    t = np.asarray(tpr, dtype=np.float64)
    k = int(np.searchsorted(f, target, side="right")) - 1
    if k < 0:
        return 0.0
    if f[k] == target or k == len(f) - 1:
        return float(t[k])
    share = (target - f[k]) / (f[k + 1] - f[k])
    return float(t[k] + share * (t[k + 1] - t[k]))


def roc_points(y_true: ArrayLike, scores: ArrayLike) -> tuple[Array, Array, Array]:
    """Return (fpr, tpr, thresholds) at every distinct score, starting at (0, 0)."""
    from sklearn.metrics import roc_curve

    return roc_curve(y_true, scores, drop_intermediate=False)


@dataclass
class Ranked:
    """Ranking metrics of one set of rows, with the curves they were read from.

    `roc` is (fpr, tpr, thresholds) at every distinct score, None without both
    classes; `pr` is (precision, recall, thresholds), None without positives.
    """

    values: dict[str, float]
    warnings: list[str]
    roc: tuple[Array, Array, Array] | None
    pr: tuple[Array, Array, Array] | None

    def curves(self, limit: int = 1001) -> dict[str, dict]:
        """Return ROC and PR points for drawing, at most `limit` points each.

        Result: {"roc": {"fpr", "tpr", "threshold"}, "pr": {"recall",
        "precision", "threshold"}} as lists; a curve that needs a missing class
        is {}. Infinite thresholds (scikit-learn's first ROC point) are null.
        """
        result: dict[str, dict] = {"roc": {}, "pr": {}}
        if self.roc is not None:
            fpr, tpr, thr = self.roc
            keep = thin(len(fpr), limit)
            result["roc"] = {
                "fpr": fpr[keep].tolist(),
                "tpr": tpr[keep].tolist(),
                "threshold": _finite(thr[keep]),
            }
        if self.pr is not None:
            precision, recall, thr = self.pr
            keep = thin(len(precision), limit)
            result["pr"] = {
                "recall": recall[keep].tolist(),
                "precision": precision[keep].tolist(),
                "threshold": _finite(np.append(thr, np.nan)[keep]),
            }
        return result


def rank(y_true: ArrayLike, scores: ArrayLike) -> Ranked:
    """Compute ROC-AUC, PR-AUC and detection rates at FPR_TARGETS, with warnings.

    Undefined values are NaN: ROC-AUC and the detection rates need both classes,
    PR-AUC needs positives. All scores equal gives ROC-AUC 0.5 and PR-AUC equal
    to the prevalence, by construction, and a warning reports it. ROC-AUC is
    `sklearn.metrics.auc` of the ROC curve, as `roc_auc_score` computes it.
    """
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve

    y = np.asarray(y_true).astype(np.int8)
    s = np.asarray(scores, dtype=np.float64)
    n_pos = int(np.sum(y == 1))
    n_neg = len(y) - n_pos
    out = {"roc_auc": np.nan, "pr_auc": np.nan}
    out.update({fpr_metric_name(t): np.nan for t in FPR_TARGETS})
    found = Ranked(out, [], None, None)
    if len(y) and np.all(s == s[0]):
        found.warnings.append(
            "every score is equal, so ROC-AUC is 0.5 and PR-AUC equals the "
            "prevalence by construction"
        )
    if n_pos:
        out["pr_auc"] = float(average_precision_score(y, s))
        found.pr = precision_recall_curve(y, s)
    if not (n_pos and n_neg):
        missing = "positive" if not n_pos else "negative"
        found.warnings.append(
            f"no {missing} samples, so ROC-AUC and detection rate at a fixed FPR "
            "are undefined (null)"
        )
        return found

    found.roc = roc_points(y, s)
    fpr, tpr, _ = found.roc
    out["roc_auc"] = float(auc(fpr, tpr))
    for target in FPR_TARGETS:
        out[fpr_metric_name(target)] = detection_rate_at_fpr(fpr, tpr, target)
    return found


def ranking_metrics(
    y_true: ArrayLike, scores: ArrayLike
) -> tuple[dict[str, float], list[str]]:
    """Return the values and warnings of `rank(y_true, scores)`."""
    found = rank(y_true, scores)
    return found.values, found.warnings


def fpr_metric_name(target: float) -> str:
    """Name of the detection-rate metric at FPR `target`, e.g. recall_at_fpr_1pct."""
    percent = f"{target * 100:g}".replace(".", "_")
    return f"recall_at_fpr_{percent}pct"


def thin(points: int, limit: int = 1001) -> NDArray[np.intp]:
    """Indices of at most `limit` evenly spaced points, first and last kept."""
    if points <= limit:
        return np.arange(points)
    return np.unique(np.linspace(0, points - 1, limit).round().astype(np.intp))


def curves(y_true: ArrayLike, scores: ArrayLike, limit: int = 1001) -> dict[str, dict]:
    """Return ROC and PR curve points for drawing (see `Ranked.curves`)."""
    return rank(y_true, scores).curves(limit)


def _finite(values: Array) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in values]
