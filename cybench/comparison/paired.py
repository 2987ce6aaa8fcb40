"""Compare runs on the same samples: align them, pick the best, test the rest.

`compare_runs(tables, names, headlines)` is the entry point the compare step
and the report call. Every run is scored under policy `all` (a parse failure
counts as wrong), so each run is compared on every sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cybench.errors import DataError
from cybench.metrics.bootstrap import percentile_interval
from cybench.metrics.paired import (
    bootstrap_p_value,
    holm,
    mcnemar_exact,
    paired_differences,
)
from cybench.scoring.arrays import PolicyRows, policy_rows, read_arrays

POLICY = "all"
# Headline metrics in the comparison table, and whether a higher value is better.
COLUMNS = {
    "f1": True,
    "recall": True,
    "precision": True,
    "fpr": False,
    "roc_auc": True,
    "pr_auc": True,
    "mcc": True,
    "parse_rate": True,
    "latency_p50_s": False,
    "cost_per_1k_usd": False,
}


@dataclass
class Comparison:
    """One row per run, in the input order, and which run is best.

    Each row contains `name`, `model`, `n`, every COLUMNS metric with `_ci_low`
    and `_ci_high`, and `best_metrics` (the columns where this run is best).
    Every run but the best also has McNemar counts and p (raw and Holm), and
    the paired bootstrap difference (this run minus the best) of F1 and ROC-AUC
    with its interval and Holm-adjusted bootstrap p.
    """

    rows: list[dict[str, Any]]
    best: str
    primary: str
    warnings: list[str] = field(default_factory=list)


def align_runs(tables: Sequence, names: Sequence[str]) -> list[PolicyRows]:
    """Return each run's policy-`all` rows sorted by sample_id.

    Raise DataError when a run repeats a sample or was evaluated on other
    samples than the first run, naming the run and how many samples differ.
    """
    aligned = []
    reference: np.ndarray | None = None
    for table, name in zip(tables, names, strict=True):
        if "sample_id" not in table.column_names:
            raise DataError(
                f"run {name} has no sample_id column", hint="re-run `cybench infer`"
            )
        run = read_arrays(table, sample_ids=True)
        ids = run.sample_id
        order = np.argsort(ids, kind="stable")
        ids = ids[order]
        repeated = len(ids) - len(np.unique(ids))
        if repeated:
            raise DataError(
                f"run {name} contains {repeated} repeated samples",
                hint="compare runs with one response per sample",
            )
        rows = policy_rows(run, POLICY)
        if reference is None:
            reference = ids
        elif not np.array_equal(ids, reference):
            _raise_different(name, names[0], ids, reference)
        elif (differ := int(np.sum(rows.y_true[order] != aligned[0].y_true))) > 0:
            raise DataError(
                f"run {name} gives {differ} samples another true label "
                f"than run {names[0]}",
                hint="compare runs of the same prep",
            )
        aligned.append(
            PolicyRows(
                POLICY,
                rows.mask[order],
                rows.y_true[order],
                rows.y_pred[order],
                rows.scores[order],
            )
        )
    return aligned


def _raise_different(
    name: str, first: str, ids: np.ndarray, reference: np.ndarray
) -> None:
    extra = len(np.setdiff1d(ids, reference))
    missing = len(np.setdiff1d(reference, ids))
    raise DataError(
        f"run {name} was evaluated on other samples than run {first}: "
        f"{extra} of its samples are not in {first} "
        f"and {missing} of {first}'s are missing",
        hint="compare runs of the same prompts (`cybench compare --dataset NAME`)",
    )


def pick_best(headlines: Sequence[dict[str, dict]], primary: str) -> int:
    """Index of the run with the best `primary` value; the first one on ties.

    Best is highest, or lowest for metrics where lower is better (COLUMNS).
    A run without a value for `primary` is never best unless all lack one.
    """
    higher = COLUMNS.get(primary, True)
    values = [h.get(primary, {}).get("value") for h in headlines]
    worst = -np.inf if higher else np.inf
    scores = np.array([worst if v is None else v for v in values], dtype=np.float64)
    return int(np.argmax(scores) if higher else np.argmin(scores))


def compare_runs(
    tables: Sequence,
    names: Sequence[str] | None = None,
    headlines: Sequence[dict[str, dict]] | None = None,
    *,
    models: Sequence[str] | None = None,
    primary: str = "f1",
    bootstrap: int = 1000,
    seed: int = 0,
) -> Comparison:
    """Compare runs on the same samples against the best run by `primary`.

    `tables` are responses tables, `names` their labels (short keys; default
    run1, run2, ...), `headlines[i]` maps a metric to {value, ci_low, ci_high}
    under policy all (as `ScoreResult.overall()` returns or a scores artifact
    stores). Without `headlines` each run is scored here with the same
    `bootstrap` and `seed`. Paired bootstrap intervals use `bootstrap`
    resamples seeded by `seed`.
    """
    names = list(names or [f"run{i + 1}" for i in range(len(tables))])
    if headlines is None:
        from cybench.scoring.compute import compute_scores

        headlines = [
            compute_scores(t, bootstrap=bootstrap, seed=seed).overall() for t in tables
        ]
    aligned = align_runs(tables, names)
    best = pick_best(headlines, primary)
    rows = [
        _metric_row(
            names[i], (models or names)[i], len(aligned[i].y_true), headlines[i]
        )
        for i in range(len(names))
    ]
    _mark_best(rows, [not np.any(a.y_pred == 1) for a in aligned])

    others = [i for i in range(len(names)) if i != best]
    for i in others:
        rows[i].update(_paired(aligned[i], aligned[best], bootstrap, [seed, i]))
    for column in ("mcnemar_p", "f1_diff_p", "roc_auc_diff_p"):
        adjusted = holm([rows[i][column] for i in others])
        for i, value in zip(others, adjusted, strict=True):
            rows[i][f"{column}_holm"] = _clean(value)
    return Comparison(rows=rows, best=names[best], primary=primary)


def _metric_row(
    name: str, model: str, n: int, headline: dict[str, dict]
) -> dict[str, Any]:
    row: dict[str, Any] = {"name": name, "model": model, "n": n}
    for metric in COLUMNS:
        entry = headline.get(metric, {})
        row[metric] = _clean(entry.get("value"))
        row[f"{metric}_ci_low"] = _clean(entry.get("ci_low"))
        row[f"{metric}_ci_high"] = _clean(entry.get("ci_high"))
    return row


# A run with no positive prediction has FPR 0 by construction; it is not best there.
NEEDS_ALERTS = ("fpr",)


def _mark_best(rows: list[dict[str, Any]], silent: Sequence[bool]) -> None:
    """Fill `best_metrics`; `silent[i]` is True when run i never predicted positive."""
    for row in rows:
        row["best_metrics"] = []
    for metric, higher in COLUMNS.items():
        ranked = [
            r
            for r, quiet in zip(rows, silent, strict=True)
            if not (quiet and metric in NEEDS_ALERTS)
        ]
        values = [r[metric] for r in ranked if r[metric] is not None]
        if not values:
            continue
        target = max(values) if higher else min(values)
        for row in ranked:
            if row[metric] == target:
                row["best_metrics"].append(metric)


def _paired(
    run: PolicyRows, best: PolicyRows, bootstrap: int, seed: list[int]
) -> dict[str, Any]:
    test = mcnemar_exact(run.y_pred == run.y_true, best.y_pred == best.y_true)
    out: dict[str, Any] = {
        "mcnemar_only_this": test.only_a,
        "mcnemar_only_best": test.only_b,
        "mcnemar_p": test.p_value,
    }
    diffs = paired_differences(
        run.y_true,
        run.y_pred,
        run.scores,
        best.y_pred,
        best.scores,
        resamples=bootstrap,
        seed=seed,
    )
    point = _point_differences(run, best)
    for metric in ("f1", "roc_auc"):
        low, high = (
            percentile_interval(diffs[metric]) if bootstrap else (np.nan, np.nan)
        )
        out[f"{metric}_diff"] = _clean(point[metric])
        out[f"{metric}_diff_ci_low"] = _clean(low)
        out[f"{metric}_diff_ci_high"] = _clean(high)
        out[f"{metric}_diff_p"] = (
            bootstrap_p_value(diffs[metric]) if bootstrap else np.nan
        )
    return out


def _point_differences(run: PolicyRows, best: PolicyRows) -> dict[str, float]:
    from cybench.metrics.detection import classification_metrics
    from cybench.metrics.ranking import ranking_metrics

    f1_run = classification_metrics(run.y_true, run.y_pred)[0]["f1"]
    f1_best = classification_metrics(best.y_true, best.y_pred)[0]["f1"]
    auc_run = ranking_metrics(run.y_true, run.scores)[0]["roc_auc"]
    auc_best = ranking_metrics(best.y_true, best.scores)[0]["roc_auc"]
    return {"f1": f1_run - f1_best, "roc_auc": auc_run - auc_best}


def _clean(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if np.isfinite(number) else None
