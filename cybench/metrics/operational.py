"""Operational cost of a detector: alert volume, precision at the
deployment's base rate, latency, throughput, tokens and money.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from cybench.metrics.counts import Array, ratio

PER_BENIGN_EVENTS = 10_000
LATENCY_PERCENTILES = (50, 95, 99)


def false_alerts_per(fpr: ArrayLike, events: float = PER_BENIGN_EVENTS) -> Array:
    """Expected false alerts among `events` benign events at FPR `fpr`."""
    return np.asarray(fpr, dtype=np.float64) * events


def false_alerts_per_day(
    fpr: ArrayLike, events_per_day: float, prevalence: float
) -> Array:
    """Expected false alerts a day: fpr x events_per_day x (1 - prevalence)."""
    return np.asarray(fpr, dtype=np.float64) * events_per_day * (1.0 - prevalence)


def precision_at_prevalence(tpr: ArrayLike, fpr: ArrayLike, prevalence: float) -> Array:
    """Precision the detector has where a share `prevalence` of events is positive.

    precision = tpr * pi / (tpr * pi + fpr * (1 - pi)); NaN where the detector
    raises no alerts at all (both rates 0) or a rate is undefined.
    """
    t = np.asarray(tpr, dtype=np.float64)
    f = np.asarray(fpr, dtype=np.float64)
    return ratio(t * prevalence, t * prevalence + f * (1.0 - prevalence))


def latency_percentiles(latency_s: ArrayLike) -> dict[str, float]:
    """Return latency p50/p95/p99 and mean in seconds; NaN when there is none.

    Percentiles interpolate linearly (numpy's default).
    """
    values = np.asarray(latency_s, dtype=np.float64)
    values = values[~np.isnan(values)]
    names = [f"latency_p{q}_s" for q in LATENCY_PERCENTILES] + ["latency_mean_s"]
    if values.size == 0:
        return dict.fromkeys(names, float("nan"))
    out = {
        f"latency_p{q}_s": float(v)
        for q, v in zip(
            LATENCY_PERCENTILES, np.percentile(values, LATENCY_PERCENTILES), strict=True
        )
    }
    out["latency_mean_s"] = float(values.mean())
    return out


def per_thousand(values: ArrayLike) -> float:
    """Mean of the known values x 1,000 (per 1,000 events); NaN if none is known."""
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    return float(v.mean() * 1000) if v.size else float("nan")
