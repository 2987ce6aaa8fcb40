"""The metric set of one detector on one set of rows: point values from
scikit-learn, bootstrap intervals from cell counts.

Inputs are aligned arrays: `y_true` and `y_pred` in {0, 1}, and `scores`, the
positive-class probability. Each function returns NaN for an undefined value,
plus a list of warnings that name each undefined value and the reason.
"""

from __future__ import annotations

import warnings as pywarnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from cybench.metrics import calibration, operational, ranking
from cybench.metrics.bootstrap import (
    CONFIDENCE_LEVEL,
    Resampler,
    cells,
    percentile_interval,
)
from cybench.metrics.counts import Array, confusion_metrics

# Metrics that get bootstrap intervals, in display order.
HEADLINE = (
    "f1",
    "recall",
    "precision",
    "fpr",
    "accuracy",
    "balanced_accuracy",
    "mcc",
    "roc_auc",
    "pr_auc",
    "brier",
    "ece",
    "false_alerts_per_10k",
    "precision_at_prevalence",
)


@dataclass(frozen=True)
class Deployment:
    """The environment operational metrics are stated for."""

    events_per_day: float
    prevalence: float


def confusion(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[int, int, int, int]:
    """Return (tn, fp, fn, tp) for labels {0, 1}, via scikit-learn."""
    from sklearn.metrics import confusion_matrix

    y = np.asarray(y_true)
    if len(y) == 0:
        return 0, 0, 0, 0
    tn, fp, fn, tp = confusion_matrix(y, np.asarray(y_pred), labels=[0, 1]).ravel()
    return int(tn), int(fp), int(fn), int(tp)


def classification_metrics(
    y_true: ArrayLike, y_pred: ArrayLike
) -> tuple[dict[str, float], list[str]]:
    """Return accuracy, balanced accuracy, precision, recall, FPR, F1 (binary,
    macro, weighted), MCC and the confusion counts tn/fp/fn/tp, with warnings
    for each undefined value.

    Values come from scikit-learn with `zero_division=np.nan`. Two differ from
    scikit-learn's own choice, so that no undefined value reads as a number.
    Balanced accuracy is NaN unless both classes occur in `y_true`, where
    scikit-learn averages the classes present. MCC is NaN when a row or column
    of the confusion matrix is empty, where scikit-learn returns 0.0.
    """
    from sklearn import metrics as skm

    # int8 labels make scikit-learn's input checks several times faster.
    y = np.asarray(y_true).astype(np.int8)
    yp = np.asarray(y_pred).astype(np.int8)
    names = (
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
    if len(y) == 0:
        empty = {
            **dict.fromkeys(names, float("nan")),
            "tn": 0,
            "fp": 0,
            "fn": 0,
            "tp": 0,
        }
        return empty, ["no rows, so every metric is null"]

    tn, fp, fn, tp = confusion(y, yp)
    labels = [0, 1]
    with pywarnings.catch_warnings():
        pywarnings.simplefilter("ignore")  # replaced by the warnings returned below
        precision, recall, f1, _ = skm.precision_recall_fscore_support(
            y, yp, labels=labels, average=None, zero_division=np.nan
        )
        out = {
            "accuracy": skm.accuracy_score(y, yp),
            "balanced_accuracy": skm.balanced_accuracy_score(y, yp),
            # average=None gives per-class values; class 1 is the binary value.
            "precision": precision[1],
            "recall": recall[1],
            "f1": f1[1],
            "f1_macro": skm.f1_score(
                y, yp, labels=labels, average="macro", zero_division=np.nan
            ),
            "f1_weighted": skm.f1_score(
                y, yp, labels=labels, average="weighted", zero_division=np.nan
            ),
            "mcc": skm.matthews_corrcoef(y, yp),
        }
    out["fpr"] = fp / (fp + tn) if fp + tn else np.nan
    out.update({"tn": tn, "fp": fp, "fn": fn, "tp": tp})
    found: list[str] = []
    if tp + fn == 0:
        out["recall"] = out["balanced_accuracy"] = out["mcc"] = np.nan
        found.append(
            "no positive samples, so recall, balanced accuracy and MCC are null"
        )
    if tn + fp == 0:
        out["balanced_accuracy"] = out["mcc"] = np.nan
        found.append("no negative samples, so FPR, balanced accuracy and MCC are null")
    if tp + fp == 0:
        out["mcc"] = np.nan
        found.append("no positive predictions, so precision and MCC are null")
    if tn + fn == 0:
        out["mcc"] = np.nan
        found.append("no negative predictions, so MCC is null")
    return {k: float(v) for k, v in out.items()}, found


def point_metrics(
    y_true: ArrayLike, y_pred: ArrayLike, scores: ArrayLike, deployment: Deployment
) -> tuple[dict[str, float], list[str], ranking.Ranked | None]:
    """Return every detection metric of these rows, warnings, and the ranking
    curves (None for no rows).

    Adds to `classification_metrics`: ROC-AUC, PR-AUC, detection
    rate at FPR 1% and 0.1%, Brier score, ECE, false alerts per 10,000 benign
    events and per day, true alerts per day, and precision at the deployment's
    prevalence.
    """
    y = np.asarray(y_true).astype(np.int8)
    s = np.asarray(scores, dtype=np.float64)
    out, found = classification_metrics(y, y_pred)

    ranked = ranking.rank(y, s) if len(y) else None
    if ranked is not None:
        out.update(ranked.values)
        found.extend(w for w in ranked.warnings if not w.startswith("no "))
    else:
        out.update(dict.fromkeys(["roc_auc", "pr_auc"], np.nan))
        out.update({ranking.fpr_metric_name(t): np.nan for t in ranking.FPR_TARGETS})
    out["brier"] = calibration.brier_score(y, s)
    out["ece"] = calibration.expected_calibration_error(y, s) if len(y) else np.nan
    out.update(_operational(out["recall"], out["fpr"], deployment))
    return {k: float(v) for k, v in out.items()}, found, ranked


def _operational(recall, fpr, deployment: Deployment) -> dict[str, Array]:
    return {
        "false_alerts_per_10k": operational.false_alerts_per(fpr),
        "false_alerts_per_day": operational.false_alerts_per_day(
            fpr, deployment.events_per_day, deployment.prevalence
        ),
        "true_alerts_per_day": np.asarray(recall, dtype=np.float64)
        * deployment.events_per_day
        * deployment.prevalence,
        "precision_at_prevalence": operational.precision_at_prevalence(
            recall, fpr, deployment.prevalence
        ),
    }


def bootstrap_intervals(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    scores: ArrayLike,
    deployment: Deployment,
    *,
    resamples: int,
    seed: int | list[int],
    level: float = CONFIDENCE_LEVEL,
) -> dict[str, tuple[float, float]]:
    """Return a percentile interval for each HEADLINE metric (NaN when undefined)."""
    values = resampled_metrics(
        y_true, y_pred, scores, deployment, resamples=resamples, seed=seed
    )
    return {name: percentile_interval(values[name], level) for name in HEADLINE}


def resampled_metrics(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    scores: ArrayLike,
    deployment: Deployment,
    *,
    resamples: int,
    seed: int | list[int],
) -> dict[str, Array]:
    """Return each HEADLINE metric on every bootstrap resample, shape (resamples,)."""
    y = np.asarray(y_true, dtype=np.int64)
    yp = np.asarray(y_pred, dtype=np.int64)
    s = np.asarray(scores, dtype=np.float64)
    groups = ranking.score_groups(s)
    per_group_bin = calibration.bin_index(groups.values)
    sampler = Resampler(len(y), resamples, seed)
    assignments = [cells(2 * y + yp, 4), cells(2 * groups.index + y, 2 * groups.size)]

    parts: dict[str, list[Array]] = {name: [] for name in HEADLINE}
    for conf, ranked in sampler.counts(assignments):
        chunk = _metrics_from_counts(
            conf,
            ranked.reshape(len(ranked), groups.size, 2),
            groups.values,
            per_group_bin,
            deployment,
        )
        for name in HEADLINE:
            parts[name].append(chunk[name])
    return {name: np.concatenate(p) if p else np.empty(0) for name, p in parts.items()}


def _metrics_from_counts(
    conf: Array, ranked: Array, values: Array, bins, deployment
) -> dict[str, Array]:
    tn, fp, fn, tp = conf[:, 0], conf[:, 1], conf[:, 2], conf[:, 3]
    out = confusion_metrics(tn, fp, fn, tp)
    neg, pos = ranked[..., 0], ranked[..., 1]
    out["roc_auc"] = ranking.auc_from_groups(pos, neg)
    out["pr_auc"] = ranking.ap_from_groups(pos, neg)

    n = conf.sum(axis=1)
    squared_error = pos @ (1.0 - values) ** 2 + neg @ values**2
    out["brier"] = np.where(n > 0, squared_error / np.maximum(n, 1), np.nan)
    out["ece"] = _ece_from_groups(pos, neg, values, bins)
    out.update(_operational(out["recall"], out["fpr"], deployment))
    return out


def _ece_from_groups(pos: Array, neg: Array, values: Array, bins) -> Array:
    # Groups run in descending score order, so each bin is one contiguous run
    # of groups that `reduceat` sums. Bins without groups add nothing to ECE.
    starts = np.flatnonzero(np.r_[True, np.diff(bins) != 0])
    rows = pos + neg
    return calibration.ece_from_bins(
        np.add.reduceat(rows, starts, axis=-1),
        np.add.reduceat(pos, starts, axis=-1),
        np.add.reduceat(rows * values, starts, axis=-1),
    )
