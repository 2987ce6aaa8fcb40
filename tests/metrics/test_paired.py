"""McNemar's exact test, Holm's correction and the paired bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from cybench.metrics.paired import (
    bootstrap_p_value,
    holm,
    mcnemar_exact,
    paired_differences,
)


def _pairs(both: int, only_a: int, only_b: int, neither: int):
    a = [1] * both + [1] * only_a + [0] * only_b + [0] * neither
    b = [1] * both + [0] * only_a + [1] * only_b + [0] * neither
    return np.array(a, dtype=bool), np.array(b, dtype=bool)


def test_mcnemar_hand_worked_table():
    # Discordant 1 vs 9: p = 2 * P(X <= 1), X ~ Bin(10, 1/2) = 2 * 11 / 1024.
    result = mcnemar_exact(*_pairs(both=40, only_a=1, only_b=9, neither=5))
    assert (result.only_a, result.only_b) == (1, 9)
    assert result.p_value == pytest.approx(22 / 1024, abs=1e-15)


def test_mcnemar_balanced_discordance_gives_one():
    assert mcnemar_exact(*_pairs(10, 3, 3, 2)).p_value == pytest.approx(1.0)


def test_mcnemar_without_discordant_pairs_is_one():
    result = mcnemar_exact(*_pairs(both=30, only_a=0, only_b=0, neither=7))
    assert result.p_value == 1.0


def test_holm_hand_worked_example():
    # Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04,
    # then a running maximum: 0.02, 0.03, 0.06, 0.06.
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_caps_at_one():
    assert holm([0.6, 0.9]) == pytest.approx([1.0, 1.0])


def test_holm_skips_nan():
    adjusted = holm([0.02, float("nan"), 0.04])
    assert adjusted[0] == pytest.approx(0.04)
    assert np.isnan(adjusted[1])


def test_holm_of_nothing_is_empty():
    assert holm([]) == []


def test_identical_runs_give_zero_difference_and_p_one():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    pred = np.where(rng.random(300) < 0.8, y, 1 - y)
    scores = np.round(rng.random(300), 2)
    diffs = paired_differences(y, pred, scores, pred, scores, resamples=500, seed=1)
    for metric in ("f1", "roc_auc"):
        low, high = np.percentile(diffs[metric], [2.5, 97.5])
        assert low <= 0.0 <= high, metric
        assert bootstrap_p_value(diffs[metric]) == 1.0, metric
    assert mcnemar_exact(pred == y, pred == y).p_value == 1.0


def test_paired_difference_detects_a_better_run():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 1000)
    good = np.where(rng.random(1000) < 0.9, y, 1 - y)
    bad = np.where(rng.random(1000) < 0.6, y, 1 - y)
    diffs = paired_differences(
        y, good, good.astype(float), bad, bad.astype(float), resamples=500, seed=2
    )
    assert np.percentile(diffs["f1"], 2.5) > 0
    assert bootstrap_p_value(diffs["f1"]) < 0.01
