"""Scoring speed: 1,000,000 responses with 1,000 bootstrap resamples.

Measures, in one process:

1. `compute_scores` end to end on a synthetic run shaped like an LLM's
   (confidences in steps of 0.01, 5% unparsed replies, ten categories): every
   metric, both parse policies, per-category slices, intervals for the
   headline metrics;
2. the bootstrap alone (headline metrics, policy all) on the same rows;
3. the baseline: a Python loop that draws row indices and calls scikit-learn
   once per metric per resample, on a smaller run, scaled linearly to the full
   size (the loop's cost grows with rows x resamples);
4. the bootstrap on continuous scores (one distinct score per row, as a
   classical baseline's predict_proba gives), where the index-matrix path runs.

Run: .venv/bin/python benchmarks/score_bootstrap.py [--rows 1000000]
     [--resamples 1000] [--loop-rows 100000] [--loop-resamples 10]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pyarrow as pa

from cybench.metrics.detection import Deployment, resampled_metrics
from cybench.scoring import compute_scores

CATEGORIES = np.array(
    ["Exploits", "DoS", "Fuzzers", "Generic", "Reconnaissance", "Analysis",
     "Backdoor", "Shellcode", "Worms"]
)  # fmt: skip
DEPLOYMENT = Deployment(events_per_day=1_000_000, prevalence=0.01)


def synthetic_run(rows: int, seed: int = 0, *, continuous: bool = False) -> pa.Table:
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.45).astype(np.int8)
    correct = rng.random(rows) < 0.8
    y_pred = np.where(correct, y, 1 - y).astype(float)
    y_pred[rng.random(rows) < 0.05] = np.nan
    confidence = 0.5 + rng.random(rows) / 2
    if not continuous:
        confidence = np.round(confidence, 2)
    p_positive = np.where(y_pred == 1, confidence, 1 - confidence)
    category = np.where(y == 1, rng.choice(CATEGORIES, rows), "Normal")
    return pa.table(
        {
            "sample_id": pa.array(np.arange(rows).astype(str)),
            "y_true": pa.array(y),
            "y_pred": pa.array(y_pred, from_pandas=True).cast(pa.int8()),
            "p_positive": pa.array(p_positive, from_pandas=True),
            "category_true": pa.array(category),
            "category": pa.array(category),
            "parse_status": pa.array(np.where(np.isnan(y_pred), "unparseable", "ok")),
            "latency_s": pa.array(rng.gamma(2.0, 0.2, rows)),
            "tokens_in": pa.array(rng.integers(300, 600, rows)),
            "tokens_out": pa.array(rng.integers(20, 80, rows)),
            "cost_usd": pa.array(rng.random(rows) / 10_000),
        }
    )


def policy_all_arrays(table: pa.Table):
    y = table.column("y_true").to_numpy().astype(np.int64)
    parsed = table.column("y_pred").is_valid().to_numpy(zero_copy_only=False)
    raw = table.column("y_pred").fill_null(0).to_numpy().astype(np.int64)
    y_pred = np.where(parsed, raw, 1 - y)
    p = table.column("p_positive").fill_null(0.0).to_numpy()
    scores = np.where(parsed, p, 1.0 - y)
    return y, y_pred, scores


def sklearn_loop(y, y_pred, scores, resamples: int, seed: int) -> float:
    """Seconds for a loop calling scikit-learn once per metric per resample."""
    from sklearn import metrics as skm

    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(resamples):
            index = rng.integers(0, len(y), len(y))
            yt, yp, s = y[index], y_pred[index], scores[index]
            skm.confusion_matrix(yt, yp, labels=[0, 1])
            skm.accuracy_score(yt, yp)
            skm.balanced_accuracy_score(yt, yp)
            skm.precision_score(yt, yp, zero_division=np.nan)
            skm.recall_score(yt, yp, zero_division=np.nan)
            skm.f1_score(yt, yp, zero_division=np.nan)
            skm.matthews_corrcoef(yt, yp)
            skm.roc_auc_score(yt, s)
            skm.average_precision_score(yt, s)
            skm.brier_score_loss(yt, s)
    return time.perf_counter() - started


def timed(label: str, call) -> float:
    started = time.perf_counter()
    call()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--loop-rows", type=int, default=100_000)
    parser.add_argument("--loop-resamples", type=int, default=10)
    parser.add_argument("--continuous-rows", type=int, default=100_000)
    args = parser.parse_args()

    table = synthetic_run(args.rows)
    print(f"rows {args.rows:,}, resamples {args.resamples:,}")
    compute_scores(synthetic_run(1000), bootstrap=10)  # import and warm-up

    full = timed(
        "compute_scores end to end",
        lambda: compute_scores(table, bootstrap=args.resamples, seed=0),
    )
    y, y_pred, scores = policy_all_arrays(table)
    ours = timed(
        "bootstrap of headline metrics (policy all)",
        lambda: resampled_metrics(
            y, y_pred, scores, DEPLOYMENT, resamples=args.resamples, seed=0
        ),
    )

    small = synthetic_run(args.loop_rows, seed=1)
    loop = sklearn_loop(*policy_all_arrays(small), args.loop_resamples, seed=0)
    scale = (args.rows / args.loop_rows) * (args.resamples / args.loop_resamples)
    print(
        f"scikit-learn loop: {loop:.2f} s for {args.loop_rows:,} rows x "
        f"{args.loop_resamples} resamples; scaled x{scale:,.0f} = {loop * scale:,.0f} s"
    )
    speedup = loop * scale / ours
    print(f"speed-up of the vectorised bootstrap over the scaled loop: {speedup:,.0f}x")
    print(f"end to end under 10 s: {full < 10}")

    cont = synthetic_run(args.continuous_rows, seed=2, continuous=True)
    yc, pc, sc = policy_all_arrays(cont)
    cont_s = timed(
        f"bootstrap, continuous scores, {args.continuous_rows:,} rows "
        f"x {args.resamples}",
        lambda: resampled_metrics(
            yc, pc, sc, DEPLOYMENT, resamples=args.resamples, seed=0
        ),
    )
    cont_loop = sklearn_loop(yc, pc, sc, args.loop_resamples, seed=0)
    cont_scale = args.resamples / args.loop_resamples
    cont_loop_s = cont_loop * cont_scale
    print(
        f"scikit-learn loop on the same continuous rows, scaled to {args.resamples} "
        f"resamples: {cont_loop_s:.1f} s; speed-up {cont_loop_s / cont_s:.1f}x"
    )


if __name__ == "__main__":
    main()
