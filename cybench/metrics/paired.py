"""Paired tests of two detectors on the same samples: McNemar's exact test,
paired bootstrap differences, and Holm's step-down correction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from cybench.metrics import ranking
from cybench.metrics.bootstrap import Resampler, cells
from cybench.metrics.counts import Array, confusion_metrics


@dataclass(frozen=True)
class McNemar:
    """McNemar's exact test on per-sample correctness of two detectors."""

    only_a: int  # samples A got right and B got wrong
    only_b: int  # samples B got right and A got wrong
    p_value: float


def mcnemar_exact(correct_a: ArrayLike, correct_b: ArrayLike) -> McNemar:
    """Two-sided exact McNemar test: a binomial test of the discordant pairs.

    Under the null hypothesis each discordant sample is equally likely to
    favour either detector, so `only_a` ~ Binomial(only_a + only_b, 1/2)
    (scipy.stats.binomtest). With no discordant pairs p is 1.
    """
    from scipy.stats import binomtest

    a = np.asarray(correct_a, dtype=bool)
    b = np.asarray(correct_b, dtype=bool)
    only_a = int(np.sum(a & ~b))
    only_b = int(np.sum(~a & b))
    discordant = only_a + only_b
    if discordant == 0:
        return McNemar(only_a, only_b, 1.0)
    p = binomtest(only_a, discordant, 0.5, alternative="two-sided").pvalue
    return McNemar(only_a, only_b, float(min(1.0, p)))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the input order.

    Sort the m p-values ascending; the i-th smallest (i from 0) becomes
    max over j <= i of min(1, (m - j) * p_(j)). NaN inputs stay NaN and do not
    count towards m.
    """
    p = np.asarray(p_values, dtype=np.float64)
    adjusted = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = len(valid)
    order = valid[np.argsort(p[valid], kind="stable")]
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted.tolist()


def paired_differences(
    y_true: ArrayLike,
    pred_a: ArrayLike,
    scores_a: ArrayLike,
    pred_b: ArrayLike,
    scores_b: ArrayLike,
    *,
    resamples: int,
    seed: int | list[int],
) -> dict[str, Array]:
    """Return F1(A) - F1(B) and ROC-AUC(A) - ROC-AUC(B) on the same bootstrap
    resamples of the aligned rows, each of shape (resamples,), NaN where a
    resample leaves a metric undefined."""
    y = np.asarray(y_true, dtype=np.int64)
    ga = ranking.score_groups(scores_a)
    gb = ranking.score_groups(scores_b)
    assignments = [
        cells(2 * y + np.asarray(pred_a, dtype=np.int64), 4),
        cells(2 * y + np.asarray(pred_b, dtype=np.int64), 4),
        cells(2 * ga.index + y, 2 * ga.size),
        cells(2 * gb.index + y, 2 * gb.size),
    ]
    f1: list[Array] = []
    auc: list[Array] = []
    for conf_a, conf_b, rank_a, rank_b in Resampler(len(y), resamples, seed).counts(
        assignments
    ):
        f1.append(_f1(conf_a) - _f1(conf_b))
        auc.append(_auc(rank_a, ga.size) - _auc(rank_b, gb.size))
    empty = np.empty(0)
    return {
        "f1": np.concatenate(f1) if f1 else empty,
        "roc_auc": np.concatenate(auc) if auc else empty,
    }


def _f1(conf: Array) -> Array:
    return confusion_metrics(conf[:, 0], conf[:, 1], conf[:, 2], conf[:, 3])["f1"]


def _auc(ranked: Array, groups: int) -> Array:
    by_group = ranked.reshape(len(ranked), groups, 2)
    return ranking.auc_from_groups(by_group[..., 1], by_group[..., 0])


def bootstrap_p_value(differences: ArrayLike) -> float:
    """Two-sided bootstrap p-value of a zero difference: twice the smaller share
    of resamples on either side of 0 (ties count to both), capped at 1; NaN when
    no resample is defined."""
    d = np.asarray(differences, dtype=np.float64)
    d = d[~np.isnan(d)]
    if d.size == 0:
        return float("nan")
    below = np.mean(d <= 0)
    above = np.mean(d >= 0)
    return float(min(1.0, 2 * min(below, above)))
