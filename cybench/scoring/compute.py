"""Compute the scores table of one run: every metric, both parse policies,
overall and per attack category, with bootstrap intervals.

`compute_scores(table, ...)` is the entry point the score step and the report
call; it reads nothing from the store.

Degenerate runs get these values, each with a warning in the result:

- one class present: recall (no positives) or FPR (no negatives), balanced
  accuracy, MCC, ROC-AUC and the detection rates at fixed FPR are null;
  PR-AUC is null without positives and 1.0 without negatives;
- no positive predictions: precision and MCC are null, recall and F1 are 0;
- a class that occurs only among the predictions: it counts as an error.
  FPR and precision are defined and balanced accuracy is null. A predicted
  attack category that no sample has counts as an error and is named;
- all scores equal: ROC-AUC 0.5 and PR-AUC equal to the prevalence;
- every reply unparsed: policy `parsed` has no rows and every metric null,
  policy `all` counts every reply as wrong (accuracy 0);
- no responses: every metric null.

Bootstrap intervals skip resamples where a metric is undefined and are null
when every resample is.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cybench.metrics import calibration, operational
from cybench.metrics.bootstrap import Resampler, cells, percentile_interval
from cybench.metrics.detection import (
    HEADLINE,
    Deployment,
    bootstrap_intervals,
    point_metrics,
)
from cybench.scoring.arrays import (
    POLICIES,
    PolicyRows,
    RunArrays,
    missing_score_rows,
    policy_rows,
    read_arrays,
)

OVERALL = "overall"
CATEGORY_PREFIX = "category:"
# Metrics shown in one-line summaries (CLI, --json), in display order.
SUMMARY = (
    "f1",
    "recall",
    "precision",
    "fpr",
    "roc_auc",
    "pr_auc",
    "mcc",
    "parse_rate",
    "judge_faithfulness",
    "judge_reasoning",
    "judge_usefulness",
)


@dataclass
class ScoreResult:
    """The scores table (SCORES layout) plus what does not fit a long table.

    `meta` contains, per policy: `confusion[policy][slice]` = [[tn, fp], [fn, tp]],
    `curves[policy]` = ROC and PR points (see `cybench.metrics.ranking.curves`),
    `reliability[policy]` = calibration bins; and `warnings`.
    """

    rows: list[dict[str, Any]]
    meta: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def to_arrow(self):  # -> pyarrow.Table
        import pyarrow as pa

        schema = pa.schema(
            [
                ("slice", pa.string()),
                ("policy", pa.string()),
                ("metric", pa.string()),
                ("value", pa.float64()),
                ("ci_low", pa.float64()),
                ("ci_high", pa.float64()),
                ("n", pa.int64()),
            ]
        )
        return pa.Table.from_pylist(self.rows, schema=schema)

    def value(
        self, metric: str, policy: str = "all", slice_: str = OVERALL
    ) -> float | None:
        """Return one metric's value, or None when absent or undefined."""
        for row in self.rows:
            if (row["metric"], row["policy"], row["slice"]) == (metric, policy, slice_):
                return row["value"]
        return None

    def overall(self, policy: str = "all") -> dict[str, dict[str, float | None]]:
        """Return {metric: {value, ci_low, ci_high}} of every overall metric."""
        return {
            row["metric"]: {k: row[k] for k in ("value", "ci_low", "ci_high")}
            for row in self.rows
            if row["slice"] == OVERALL and row["policy"] == policy
        }

    def summary(self, policy: str = "all") -> dict[str, dict[str, float | None]]:
        """Return {metric: {value, ci_low, ci_high}} of SUMMARY metrics, overall."""
        out = {}
        for row in self.rows:
            if (
                row["slice"] == OVERALL
                and row["policy"] == policy
                and row["metric"] in SUMMARY
            ):
                out[row["metric"]] = {k: row[k] for k in ("value", "ci_low", "ci_high")}
        return {m: out[m] for m in SUMMARY if m in out}


def _clean(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if np.isfinite(number) else None


class _Collector:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.warnings: list[str] = []

    def add(
        self,
        slice_: str,
        policy: str,
        metric: str,
        value: Any,
        n: int,
        interval: tuple[float, float] | None = None,
    ) -> None:
        low, high = interval if interval else (None, None)
        self.rows.append(
            {
                "slice": slice_,
                "policy": policy,
                "metric": metric,
                "value": _clean(value),
                "ci_low": _clean(low),
                "ci_high": _clean(high),
                "n": int(n),
            }
        )

    def warn(self, where: str, messages: list[str]) -> None:
        for message in messages:
            text = f"{where}: {message}"
            if text not in self.warnings:
                self.warnings.append(text)


def compute_scores(
    table,
    *,
    events_per_day: float = 1_000_000,
    prevalence: float = 0.01,
    bootstrap: int = 1000,
    seed: int = 0,
    infer_wall_s: float | None = None,
    judgments=None,
) -> ScoreResult:
    """Score a responses table (pyarrow, RESPONSES layout).

    Returns one row per (slice, policy, metric): slice `overall` or
    `category:NAME` (categories lower-cased), policy `all` or `parsed`.
    Headline metrics (`cybench.metrics.detection.HEADLINE`) carry a percentile
    bootstrap interval of `bootstrap` resamples seeded by `seed`; 0 disables
    intervals. `events_per_day` and `prevalence` describe the deployment the
    alert counts and precision_at_prevalence are stated for. `infer_wall_s`,
    the infer step's wall time, gives throughput_per_s and
    wall_throughput_per_s (None without it). `judgments`, a
    table in the JUDGMENTS layout for this run, adds judge_CRITERION means
    (1-5, with intervals) and judge_rated_rate under both policies.
    Undefined values are None, each with a warning in `warnings`.
    """
    run = read_arrays(table)
    deployment = Deployment(events_per_day=events_per_day, prevalence=prevalence)
    out = _Collector()
    meta: dict[str, Any] = {"confusion": {}, "curves": {}, "reliability": {}}

    if len(run) == 0:
        out.warn("run", ["no responses, so every metric is null"])
    elif not run.parsed.any():
        out.warn(
            "run",
            [
                "every response is unparsed: policy parsed has no rows and "
                "policy all counts every response as wrong"
            ],
        )
    if missing := missing_score_rows(run):
        out.warn(
            "run",
            [
                f"{missing} parsed responses have no p_positive; their label "
                "(0 or 1) is their score"
            ],
        )

    def score_policy(policy_index: int) -> tuple[_Collector, dict[str, Any]]:
        part = _Collector()
        part_meta: dict[str, Any] = {"confusion": {}, "curves": {}, "reliability": {}}
        rows = policy_rows(run, POLICIES[policy_index])
        seed_of = [seed, policy_index]
        _overall(part, part_meta, rows, deployment, bootstrap, seed_of)
        _run_rates(part, run, rows.policy, len(rows.y_true))
        _operational(part, run, rows, infer_wall_s)
        _category_prediction(part, run, rows)
        _category_slices(part, part_meta, run, rows, bootstrap, seed_of)
        return part, part_meta

    # The policies are independent, and scikit-learn's and NumPy's sorts release
    # the GIL, so two threads score them in about two thirds of the time.
    # `warnings.catch_warnings` is not thread-safe: the threads' own blocks can
    # restore each other's filters, so scikit-learn's warnings (replaced by the
    # ones this function returns) are silenced here, around both threads.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ThreadPoolExecutor(max_workers=len(POLICIES)) as pool:
            parts = list(pool.map(score_policy, range(len(POLICIES))))
    for part, part_meta in parts:
        out.rows.extend(part.rows)
        for text in part.warnings:
            if text not in out.warnings:
                out.warnings.append(text)
        for name, value in part_meta.items():
            meta[name].update(value)

    if judgments is not None:
        for policy_index, policy in enumerate(POLICIES):
            _judge_metrics(
                out, judgments, policy, bootstrap, [seed, policy_index, 0, 2]
            )
    found = merge_policy_warnings(out.warnings)
    meta["warnings"] = found
    return ScoreResult(rows=out.rows, meta=meta, warnings=found)


def merge_policy_warnings(found: list[str]) -> list[str]:
    """Join a warning that both policies raise into one `policy all and parsed` line."""
    prefix = {policy: f"policy {policy}" for policy in POLICIES}
    merged: list[str] = []
    for text in found:
        if text.startswith(prefix["parsed"]):
            twin = prefix["all"] + text.removeprefix(prefix["parsed"])
            if twin in found:
                continue
        if text.startswith(prefix["all"]):
            twin = prefix["parsed"] + text.removeprefix(prefix["all"])
            if twin in found:
                text = "policy all and parsed" + text.removeprefix(prefix["all"])
        merged.append(text)
    return merged


def _overall(out, meta, rows: PolicyRows, deployment, bootstrap: int, seed_of) -> None:
    n = len(rows.y_true)
    values, found, ranked = point_metrics(
        rows.y_true, rows.y_pred, rows.scores, deployment
    )
    out.warn(f"policy {rows.policy}, {OVERALL}", found)
    intervals: dict[str, tuple[float, float]] = {}
    if bootstrap and n:
        intervals = bootstrap_intervals(
            rows.y_true,
            rows.y_pred,
            rows.scores,
            deployment,
            resamples=bootstrap,
            seed=[*seed_of, 0],
        )
    for metric, value in values.items():
        out.add(OVERALL, rows.policy, metric, value, n, intervals.get(metric))

    tn, fp, fn, tp = (int(values[k]) for k in ("tn", "fp", "fn", "tp"))
    meta["confusion"].setdefault(rows.policy, {})[OVERALL] = [[tn, fp], [fn, tp]]
    meta["curves"][rows.policy] = ranked.curves() if ranked else {"roc": {}, "pr": {}}
    meta["reliability"][rows.policy] = calibration.reliability(rows.y_true, rows.scores)


def _run_rates(out, run: RunArrays, policy: str, n_policy: int) -> None:
    """Parse, refusal and error rates describe the whole run under both policies."""
    n = len(run)
    rates = {
        "parse_rate": np.mean(run.parsed) if n else np.nan,
        "refusal_rate": np.mean(run.refused) if n else np.nan,
        "error_rate": np.mean(run.errored) if n else np.nan,
    }
    for metric, value in rates.items():
        out.add(OVERALL, policy, metric, value, n)


def _operational(
    out, run: RunArrays, rows: PolicyRows, infer_wall_s: float | None
) -> None:
    mask = rows.mask
    n = int(mask.sum())
    for metric, value in operational.latency_percentiles(run.latency_s[mask]).items():
        out.add(OVERALL, rows.policy, metric, value, n)
    # Throughput is responses per second of the infer step's wall time. Summed
    # latency would count a batch's wall time once per reply and a concurrent
    # run's overlapping requests twice. When infer reused stored responses,
    # its wall time leaves them out, so both rates overstate that run.
    rate = len(run) / infer_wall_s if infer_wall_s else np.nan
    for metric in ("throughput_per_s", "wall_throughput_per_s"):
        out.add(OVERALL, rows.policy, metric, rate, len(run))
    out.add(
        OVERALL,
        rows.policy,
        "tokens_in_per_1k",
        operational.per_thousand(run.tokens_in[mask]),
        n,
    )
    out.add(
        OVERALL,
        rows.policy,
        "tokens_out_per_1k",
        operational.per_thousand(run.tokens_out[mask]),
        n,
    )
    cost = operational.per_thousand(run.cost_usd[mask])
    out.add(OVERALL, rows.policy, "cost_per_1k_usd", cost, n)
    if n and np.isnan(cost):
        out.warn(
            f"policy {rows.policy}",
            ["no response has a known cost, so cost_per_1k_usd is null"],
        )


def _category_prediction(out, run: RunArrays, rows: PolicyRows) -> None:
    """Attack-category accuracy and macro F1 on attack rows with a true category.

    Labels are the true categories present. A predicted category that never
    occurs as a true one counts as an error and is named in a warning. Under
    policy `all` a missing predicted category is an error too.
    """
    from sklearn.metrics import f1_score

    keep = rows.mask & (run.y_true == 1) & (run.category_true >= 0)
    if rows.policy == "parsed":
        keep &= run.category_pred >= 0
    if not keep.any() or not (run.category_pred >= 0).any():
        return
    truth = run.category_true[keep]
    predicted = run.category_pred[keep]
    labels = np.unique(truth)
    extra = sorted(set(np.unique(predicted).tolist()) - set(labels.tolist()) - {-1})
    if extra:
        names = ", ".join(run.categories[code] for code in extra)
        out.warn(
            f"policy {rows.policy}, category",
            [f"predicted categories not among the true ones count as errors: {names}"],
        )
    n = len(truth)
    out.add(OVERALL, rows.policy, "category_accuracy", np.mean(truth == predicted), n)
    macro = f1_score(
        truth, predicted, labels=labels, average="macro", zero_division=np.nan
    )
    out.add(OVERALL, rows.policy, "category_f1_macro", macro, n)


def _category_slices(
    out, meta, run: RunArrays, rows: PolicyRows, bootstrap: int, seed_of
) -> None:
    """Per true category: recall (detection rate) on attack rows, FPR on benign ones."""
    codes = run.category_true[rows.mask]
    for code in np.unique(codes[codes >= 0]).tolist():
        inside = codes == code
        y = rows.y_true[inside]
        yp = rows.y_pred[inside]
        slice_ = f"{CATEGORY_PREFIX}{run.categories[code]}"
        n = len(y)
        tn = int(np.sum((y == 0) & (yp == 0)))
        fp = int(np.sum((y == 0) & (yp == 1)))
        fn = int(np.sum((y == 1) & (yp == 0)))
        tp = int(np.sum((y == 1) & (yp == 1)))
        meta["confusion"][rows.policy][slice_] = [[tn, fp], [fn, tp]]
        out.add(slice_, rows.policy, "n_positive", tp + fn, n)
        seed = [*seed_of, code + 1]
        if tp + fn:
            hits = (yp == 1)[y == 1]
            interval = _rate_interval(hits, bootstrap, [*seed, 1])
            out.add(slice_, rows.policy, "recall", hits.mean(), tp + fn, interval)
        if tn + fp:
            alarms = (yp == 1)[y == 0]
            interval = _rate_interval(alarms, bootstrap, [*seed, 0])
            out.add(slice_, rows.policy, "fpr", alarms.mean(), tn + fp, interval)


def _judge_metrics(
    out, judgments, policy: str, bootstrap: int, seed: list[int]
) -> None:
    """Add the mean rubric score per criterion over judgments with status ok.

    Every response has one judgment, so the values are the same under both
    policies; judge_rated_rate is the share of judgments with scores.
    """
    from cybench.judge.rubric import SCALE, rubric

    rows = judgments.num_rows
    status = judgments.column("parse_status").to_numpy(zero_copy_only=False)
    rated = status == "ok"
    out.add(OVERALL, policy, "judge_rated_rate", rated.mean() if rows else np.nan, rows)
    if rows == 0:
        return
    version = int(judgments.column("rubric_version")[0].as_py())
    scale = np.arange(SCALE[0], SCALE[1] + 1, dtype=np.float64)
    for name in rubric(version).criteria:
        values = judgments.column(name).to_numpy(zero_copy_only=False)[rated]
        values = values.astype(np.int64)
        if len(values) == 0:
            out.add(OVERALL, policy, f"judge_{name}", np.nan, 0)
            continue
        interval = None
        if bootstrap:
            sampler = Resampler(len(values), bootstrap, seed)
            assignment = [cells(values - SCALE[0], len(scale))]
            means = [c @ scale / len(values) for (c,) in sampler.counts(assignment)]
            interval = percentile_interval(np.concatenate(means))
        out.add(OVERALL, policy, f"judge_{name}", values.mean(), len(values), interval)
    if not rated.any():
        out.warn(
            f"policy {policy}, judge",
            ["no judgment has scores, so judge_* means are null"],
        )


def _rate_interval(
    flags: np.ndarray, bootstrap: int, seed: list[int]
) -> tuple[float, float] | None:
    if not bootstrap or len(flags) == 0:
        return None
    sampler = Resampler(len(flags), bootstrap, seed)
    rates = [
        hits[:, 1] / len(flags)
        for (hits,) in sampler.counts([cells(flags.astype(np.int64), 2)])
    ]
    return percentile_interval(np.concatenate(rates))


__all__ = ["HEADLINE", "OVERALL", "ScoreResult", "compute_scores", "read_arrays"]
