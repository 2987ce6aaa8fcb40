"""Alert volume, precision at a prevalence, latency and cost per 1,000 events."""

from __future__ import annotations

import numpy as np
import pytest

from cybench.metrics import operational


def test_precision_at_prevalence_hand_worked():
    # tpr 0.9, fpr 0.01, prevalence 1%: 0.009 / (0.009 + 0.0099).
    value = operational.precision_at_prevalence(0.9, 0.01, 0.01)
    assert value == pytest.approx(0.009 / 0.0189)


def test_precision_at_prevalence_without_alerts_is_nan():
    assert np.isnan(operational.precision_at_prevalence(0.0, 0.0, 0.01))


def test_false_alerts_per_10k_benign():
    assert operational.false_alerts_per(0.0123) == pytest.approx(123.0)


def test_false_alerts_per_day_counts_benign_events_only():
    assert operational.false_alerts_per_day(0.01, 1_000_000, 0.1) == pytest.approx(
        9000.0
    )


def test_latency_percentiles_match_numpy():
    values = np.arange(1, 101, dtype=float)
    out = operational.latency_percentiles(values)
    assert out["latency_p95_s"] == pytest.approx(np.percentile(values, 95))
    assert out["latency_p50_s"] == pytest.approx(50.5)


def test_latency_of_no_rows_is_nan():
    assert np.isnan(operational.latency_percentiles(np.array([]))["latency_p99_s"])


def test_per_thousand_ignores_unknown_values():
    assert operational.per_thousand(np.array([0.002, np.nan, 0.004])) == pytest.approx(
        3.0
    )


def test_per_thousand_of_unknown_is_nan():
    assert np.isnan(operational.per_thousand(np.array([np.nan])))
