"""Gather a report's runs, scores, curves and examples from the store.

Runs are resolved as `cybench score` resolves them: key prefixes of responses
or scores artifacts, or `--dataset NAME` for every run on that dataset's
newest prompts. A run without a scores artifact is scored here with the score
step's default settings, and the report carries a warning that names it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cybench.report.model import (
    OVERALL,
    Curve,
    Example,
    MetricValue,
    ReportData,
    Run,
)
from cybench.report.significance import compare

if TYPE_CHECKING:
    import pyarrow as pa

    from cybench.store.manifest import Manifest
    from cybench.store.store import Store

log = logging.getLogger(__name__)

RESPONSES_KIND = "responses"
SCORES_KIND = "scores"
PROMPTS_KIND = "prompts"
JUDGMENTS_KIND = "judgments"
EXAMPLE_TEXT_LIMIT = 4000
RESPONSE_COLUMNS = (
    "sample_id",
    "prompt_id",
    "y_true",
    "y_pred",
    "p_positive",
    "parse_status",
    "raw_text",
    "explanation",
    "model",
    "model_id",
)


def load_report(
    store: Store,
    refs: Sequence[str] = (),
    dataset: str | None = None,
    *,
    examples: int = 3,
    policy: str = "all",
) -> ReportData:
    """Collect every run named by `refs` or `dataset` into one `ReportData`.

    Raise UsageError when nothing is named, StoreError when a named artifact
    is missing, and DataError when the runs were evaluated on different
    samples. A run without scores is scored first (see `scores_of`).
    """
    from cybench.scoring import resolve_runs

    responses = resolve_runs(store, refs, dataset)
    runs = []
    tables = []
    warnings: list[str] = []
    for manifest in responses:
        table = store.read_table(manifest, columns=_present(store, manifest))
        tables.append(table)
        runs.append(_load_run(store, manifest, table, examples, policy, warnings))
    data = _report_data(store, responses[0], tables[0], runs)
    data.warnings = warnings
    data.comparison = compare(store, runs, tables)
    return data


def _present(store: Store, manifest: Manifest) -> list[str]:
    import pyarrow.parquet as pq

    names = set(pq.read_schema(store.parquet_path(manifest)).names)
    return [c for c in RESPONSE_COLUMNS if c in names]


# -- one run -------------------------------------------------------------------


def scores_of(store: Store, responses: Manifest, warnings: list[str]) -> Manifest:
    """Return the newest scores artifact of `responses`, scoring the run if none.

    A run scored here uses `ScoreSettings()` defaults, exactly as a bare
    `cybench score RUN` would, so a later `cybench score` reuses the artifact.
    """
    candidates = [
        m for m in store.manifests(SCORES_KIND) if responses.key in m.input_keys()
    ]
    if candidates:
        return candidates[-1]
    from cybench.scoring import ScoreSettings, ensure_scores

    manifest, _ = ensure_scores(store, responses, ScoreSettings())
    log.info("scored run %s for the report: scores %s", responses.key, manifest.key)
    warnings.append(
        f"run {responses.short_key} had no scores; scored it with the default "
        f"settings of `cybench score` (scores {manifest.short_key})"
    )
    return manifest


def read_metrics(
    store: Store, scores: Manifest
) -> dict[tuple[str, str, str], MetricValue]:
    """Read a scores artifact into {(slice, policy, metric): MetricValue}."""
    table = store.read_table(scores)
    metrics = {}
    for row in table.to_pylist():
        key = (row["slice"], row["policy"], row["metric"])
        metrics[key] = MetricValue(
            _float(row.get("value")),
            _float(row.get("ci_low")),
            _float(row.get("ci_high")),
            row.get("n"),
        )
    return metrics


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _load_run(
    store: Store,
    responses: Manifest,
    table: pa.Table,
    examples: int,
    policy: str,
    warnings: list[str],
) -> Run:
    scores = scores_of(store, responses, warnings)
    prompts = _prompts_of(store, responses)
    models = _first(table, "model") or str(responses.params.get("model", "?"))
    run = Run(
        key=responses.key,
        scores_key=scores.key,
        model=models,
        model_id=_first(table, "model_id") or models,
        template=_template(store, prompts),
        metrics=read_metrics(store, scores),
    )
    run.judge = judge_scores(store, responses, scores, run.metrics)
    run.judge_agreement = judge_agreement(store, responses)
    run.roc, run.pr = run_curves(scores, table, policy)
    run.reliability = reliability_curve(scores, policy)
    warnings.extend(
        f"run {run.short_key}: {w}" for w in scores.meta.get("warnings", [])
    )
    run.examples = pick_examples(store, prompts, table, examples)
    return run


def _first(table: pa.Table, column: str) -> str | None:
    if column not in table.column_names or table.num_rows == 0:
        return None
    value = table.column(column)[0].as_py()
    return None if value is None else str(value)


def _prompts_of(store: Store, responses: Manifest) -> Manifest | None:
    for key in responses.input_keys():
        found = store.find(key, PROMPTS_KIND)
        if found is not None:
            return found
    return None


def _template(store: Store, prompts: Manifest | None) -> str:
    if prompts is None:
        return ""
    template = prompts.params.get("template")
    if isinstance(template, str):
        return template
    table = store.read_table(prompts, columns=["template"])
    values = sorted({v for v in table.column("template").to_pylist() if v})
    return ", ".join(values)


# -- curves and examples -------------------------------------------------------


def judge_scores(
    store: Store,
    responses: Manifest,
    scores: Manifest,
    metrics: dict[tuple[str, str, str], MetricValue],
) -> dict[str, MetricValue]:
    """Return the mean rating per rubric criterion from the run's judgments.

    With one judge the keys are criterion names; with several, each key names
    its judge too (`faithfulness (llamacpp:qwen2.5-coder-0.5b)`). The newest
    artifact of each judge wins; `n` is the number of rated explanations.
    When the scores were computed with a judge (`cybench score --judge`), that
    judge's means come from the scores instead, with their bootstrap intervals.
    """
    newest: dict[str, Manifest] = {}
    for manifest in store.manifests(JUDGMENTS_KIND):
        if manifest.inputs.get("responses") == responses.key:
            newest[str(manifest.params.get("judge", "?"))] = manifest
    out = {}
    for judge, manifest in newest.items():
        summary = manifest.meta.get("summary") or {}
        for criterion, mean in (summary.get("means") or {}).items():
            name = criterion if len(newest) == 1 else f"{criterion} ({judge})"
            scored = metrics.get((OVERALL, "all", f"judge_{criterion}"))
            if judge == scores.meta.get("judge") and scored is not None:
                out[name] = scored
                continue
            out[name] = MetricValue(_float(mean), n=summary.get("rated"))
    return out


def judge_agreement(store: Store, responses: Manifest) -> list[dict[str, Any]]:
    """Return the weighted kappa of every pair of judges of this run, per criterion.

    Uses the judge step's own `judge_pairs` and `agreement`, for the newest
    rubric version any judge of this run used.
    """
    versions = [
        m.params.get("rubric_version")
        for m in store.manifests(JUDGMENTS_KIND)
        if m.inputs.get("responses") == responses.key
    ]
    versions = [v for v in versions if isinstance(v, int)]
    if not versions:
        return []
    from cybench.judge import agreement, judge_pairs

    out = []
    for first, second in judge_pairs(store, responses, max(versions)):
        criteria = list(first.meta.get("rubric") or [])
        rows = agreement(store.read_table(first), store.read_table(second), criteria)
        for row in rows:
            judges = {
                "judge_a": first.params.get("judge"),
                "judge_b": second.params.get("judge"),
            }
            out.append({**judges, **row})
    return out


def run_curves(
    scores: Manifest, table: pa.Table, policy: str
) -> tuple[Curve | None, Curve | None]:
    """Return the ROC and PR points the score step stored, under `policy`.

    Scores written by another version may lack them; the points are then
    recomputed with the score step's own `curves` function.
    """
    stored = scores.meta.get("curves", {}).get(policy)
    if stored is None:
        from cybench.scoring import curves

        stored = curves(table, policy)
    roc, pr = stored.get("roc") or {}, stored.get("pr") or {}
    n = int(table.num_rows)
    roc_curve = Curve(roc["fpr"], roc["tpr"], n) if roc.get("fpr") else None
    pr_curve = Curve(pr["recall"], pr["precision"], n) if pr.get("recall") else None
    return roc_curve, pr_curve


def reliability_curve(scores: Manifest, policy: str) -> Curve | None:
    """Return the reliability-diagram points the score step stored, or None.

    x is the mean stated probability of a bin, y the share of positives in it.
    """
    stored = (scores.meta.get("reliability") or {}).get(policy) or {}
    if not stored.get("p_mean"):
        return None
    rows = stored.get("rows") or []
    return Curve(stored["p_mean"], stored["positive_rate"], int(sum(rows)))


def pick_examples(
    store: Store, prompts: Manifest | None, table: pa.Table, limit: int
) -> list[Example]:
    """Pick up to `limit` replies: a correct one, a wrong one, an unparsed one, ...

    The choice is deterministic (ordered by sample_id) so a report rebuilt from
    the same store shows the same examples.
    """
    if limit <= 0 or prompts is None or table.num_rows == 0:
        return []
    rows = sorted(table.to_pylist(), key=lambda r: r["sample_id"])
    buckets: dict[str, list[dict]] = {"correct": [], "wrong": [], "unparsed": []}
    for row in rows:
        buckets[_outcome(row)].append(row)
    chosen: list[dict] = []
    while len(chosen) < limit and any(buckets.values()):
        for bucket in buckets.values():
            if bucket and len(chosen) < limit:
                chosen.append(bucket.pop(0))
    texts = _prompt_texts(store, prompts, [r["prompt_id"] for r in chosen])
    return [_example(row, texts.get(row["prompt_id"], ("", ""))) for row in chosen]


def _outcome(row: dict) -> str:
    if row.get("y_pred") is None:
        return "unparsed"
    return "correct" if row["y_pred"] == row["y_true"] else "wrong"


def _prompt_texts(
    store: Store, prompts: Manifest, prompt_ids: list[str]
) -> dict[str, tuple[str, str]]:
    import pyarrow.compute as pc

    table = store.read_table(prompts, columns=["prompt_id", "system", "user"])
    wanted = table.filter(
        pc.is_in(table.column("prompt_id"), value_set=_array(prompt_ids))
    )
    return {
        r["prompt_id"]: (r["system"] or "", r["user"] or "") for r in wanted.to_pylist()
    }


def _array(values: list[str]):
    import pyarrow as pa

    return pa.array(values, pa.string())


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= EXAMPLE_TEXT_LIMIT:
        return text
    return (
        text[:EXAMPLE_TEXT_LIMIT]
        + f"\n[... {len(text) - EXAMPLE_TEXT_LIMIT} more characters]"
    )


def _example(row: dict, texts: tuple[str, str]) -> Example:
    return Example(
        sample_id=row["sample_id"],
        y_true=int(row["y_true"]),
        y_pred=None if row.get("y_pred") is None else int(row["y_pred"]),
        parse_status=str(row.get("parse_status") or ""),
        system=_clip(texts[0]) or "",
        user=_clip(texts[1]) or "",
        raw_text=_clip(row.get("raw_text")),
        explanation=_clip(row.get("explanation")),
    )


# -- report-wide facts ---------------------------------------------------------


def _report_data(
    store: Store, first: Manifest, table: pa.Table, runs: list[Run]
) -> ReportData:
    from cybench.scoring.step import dataset_of

    y = [v for v in table.column("y_true").to_pylist() if v is not None]
    positive, negative, split = _labels_and_split(store, _prompts_of(store, first))
    return ReportData(
        dataset=dataset_of(store, first) or "unknown",
        split=split,
        n=len(y),
        prevalence=sum(y) / len(y) if y else None,
        positive_label=positive,
        negative_label=negative,
        runs=runs,
    )


def _labels_and_split(store: Store, prompts: Manifest | None) -> tuple[str, str, str]:
    if prompts is None:
        return "positive", "negative", "unknown"
    table = store.read_table(prompts, columns=["label", "y", "split"])
    positive = negative = None
    for row in table.to_pylist():
        if row["y"] == 1 and positive is None:
            positive = row["label"]
        if row["y"] == 0 and negative is None:
            negative = row["label"]
    splits = sorted({s for s in table.column("split").to_pylist() if s})
    return (
        positive or "positive",
        negative or "negative",
        ", ".join(splits) or "unknown",
    )
