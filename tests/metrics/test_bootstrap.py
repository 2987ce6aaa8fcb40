"""The vectorised bootstrap equals scikit-learn evaluated on each resample."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from cybench.metrics import bootstrap
from cybench.metrics.bootstrap import Resampler, cells, percentile_interval
from cybench.metrics.calibration import expected_calibration_error
from cybench.metrics.detection import HEADLINE, Deployment, resampled_metrics

DEPLOYMENT = Deployment(events_per_day=1000, prevalence=0.05)


def _data(n: int, decimals: int | None, seed: int = 3):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    y_pred = np.where(rng.random(n) < 0.75, y, 1 - y)
    scores = rng.random(n)
    if decimals is not None:
        scores = np.round(scores, decimals)
    return y, y_pred, scores


def test_index_path_equals_sklearn_on_each_resample():
    # Continuous scores: more cells than n / 8, so rows are resampled by index.
    y, y_pred, scores = _data(60, None)
    values = resampled_metrics(y, y_pred, scores, DEPLOYMENT, resamples=5, seed=11)
    index = np.random.default_rng(11).integers(0, 60, size=(5, 60))
    for r in range(5):
        yt, yp, s = y[index[r]], y_pred[index[r]], scores[index[r]]
        assert values["f1"][r] == pytest.approx(skm.f1_score(yt, yp), abs=1e-12)
        assert values["mcc"][r] == pytest.approx(
            skm.matthews_corrcoef(yt, yp), abs=1e-12
        )
        assert values["roc_auc"][r] == pytest.approx(
            skm.roc_auc_score(yt, s), abs=1e-12
        )
        assert values["pr_auc"][r] == pytest.approx(
            skm.average_precision_score(yt, s), abs=1e-12
        )
        assert values["brier"][r] == pytest.approx(
            skm.brier_score_loss(yt, s), abs=1e-12
        )
        assert values["ece"][r] == pytest.approx(
            expected_calibration_error(yt, s), abs=1e-12
        )


def test_multinomial_path_counts_sum_to_n():
    y, y_pred, _ = _data(1000, 1)
    sampler = Resampler(1000, 50, seed=0)
    (conf,) = next(sampler.counts([cells(2 * y + y_pred, 4)]))
    assert conf.shape == (50, 4)
    assert np.all(conf.sum(axis=1) == 1000)


def test_multinomial_path_equals_sklearn_on_expanded_rows():
    # Few cells: counts are drawn directly; expanding them back into rows must
    # reproduce scikit-learn's values on those rows.
    y, y_pred, scores = _data(2000, 1)
    values = resampled_metrics(y, y_pred, scores, DEPLOYMENT, resamples=3, seed=5)
    from cybench.metrics import ranking

    groups = ranking.score_groups(scores)
    sampler = Resampler(2000, 3, seed=5)
    conf, ranked = next(
        sampler.counts(
            [cells(2 * y + y_pred, 4), cells(2 * groups.index + y, 2 * groups.size)]
        )
    )
    for r in range(3):
        cell = np.repeat(np.arange(4), conf[r].astype(int))
        yt, yp = cell // 2, cell % 2
        assert values["f1"][r] == pytest.approx(skm.f1_score(yt, yp), abs=1e-12)
        rank_cell = np.repeat(np.arange(2 * groups.size), ranked[r].astype(int))
        ys, s = rank_cell % 2, groups.values[rank_cell // 2]
        assert values["roc_auc"][r] == pytest.approx(
            skm.roc_auc_score(ys, s), abs=1e-12
        )
        assert values["ece"][r] == pytest.approx(
            expected_calibration_error(ys, s), abs=1e-12
        )


def test_same_seed_gives_same_intervals():
    y, y_pred, scores = _data(500, 2)
    first = resampled_metrics(y, y_pred, scores, DEPLOYMENT, resamples=200, seed=7)
    second = resampled_metrics(y, y_pred, scores, DEPLOYMENT, resamples=200, seed=7)
    for name in HEADLINE:
        assert np.array_equal(first[name], second[name], equal_nan=True), name


def test_other_seed_gives_other_resamples():
    y, y_pred, scores = _data(500, 2)
    first = resampled_metrics(y, y_pred, scores, DEPLOYMENT, resamples=200, seed=7)
    second = resampled_metrics(y, y_pred, scores, DEPLOYMENT, resamples=200, seed=8)
    assert not np.array_equal(first["f1"], second["f1"])


def test_chunks_cover_every_resample(monkeypatch):
    monkeypatch.setattr(bootstrap, "CHUNK_ELEMENTS", 1000)
    y, y_pred, scores = _data(300, None)
    values = resampled_metrics(y, y_pred, scores, DEPLOYMENT, resamples=25, seed=1)
    assert values["f1"].shape == (25,)


def test_interval_contains_point_estimate():
    y, y_pred, scores = _data(800, 2)
    values = resampled_metrics(y, y_pred, scores, DEPLOYMENT, resamples=500, seed=0)
    low, high = percentile_interval(values["f1"])
    assert low <= skm.f1_score(y, y_pred) <= high


def test_interval_skips_undefined_resamples():
    low, high = percentile_interval(np.array([np.nan, 0.5, 0.5]))
    assert (low, high) == (0.5, 0.5)


def test_interval_of_all_undefined_is_nan():
    low, _ = percentile_interval(np.array([np.nan, np.nan]))
    assert np.isnan(low)
