"""Gather a report's runs, scores, curves and examples from the store.

A run is named by the key (or a unique prefix) of its responses artifact or of
a scores artifact computed from it. `--dataset NAME` selects every responses
artifact whose chain of inputs leads to a prep of that dataset.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cybench.errors import StoreError, UsageError
from cybench.report.model import Curve, Example, MetricValue, ReportData, Run
from cybench.report.significance import compare_runs

if TYPE_CHECKING:
    import pyarrow as pa

    from cybench.store.manifest import Manifest
    from cybench.store.store import Store

log = logging.getLogger(__name__)

RESPONSES_KIND = "responses"
SCORES_KIND = "scores"
PROMPTS_KIND = "prompts"
CURVE_POINTS = 200
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

    Raise UsageError when nothing is named, and StoreError when a run has no
    scores or the runs were evaluated on different samples.
    """
    responses = resolve_runs(store, refs, dataset)
    runs = []
    tables = []
    for manifest in responses:
        table = store.read_table(manifest, columns=_present(store, manifest))
        tables.append(table)
        runs.append(_load_run(store, manifest, table, examples))
    _check_same_samples(responses, tables)
    data = _report_data(store, responses[0], tables[0], runs)
    data.comparison = compare_runs(runs, tables, policy)
    return data


def resolve_runs(
    store: Store, refs: Sequence[str], dataset: str | None
) -> list[Manifest]:
    """Return the responses manifests named by key prefixes or by a dataset name."""
    if not refs and not dataset:
        raise UsageError(
            "no runs given",
            hint="name runs by key prefix (`cybench store ls --kind responses`) "
            "or pass --dataset NAME",
        )
    found: list[Manifest] = []
    for ref in refs:
        found.append(_responses_of(store, store.resolve(ref)))
    if dataset:
        matches = [
            m
            for m in store.manifests(RESPONSES_KIND)
            if dataset_of(store, m) == dataset
        ]
        if not matches:
            raise StoreError(
                f"no responses artifact of dataset {dataset!r} in {store.root}",
                hint=f"run `cybench infer --dataset {dataset} --model MODEL` first",
            )
        found.extend(matches)
    return list({m.key: m for m in found}.values())


def _responses_of(store: Store, manifest: Manifest) -> Manifest:
    if manifest.kind == RESPONSES_KIND:
        return manifest
    if manifest.kind == SCORES_KIND:
        for key in manifest.input_keys():
            found = store.find(key, RESPONSES_KIND)
            if found is not None:
                return found
    raise UsageError(
        f"artifact {manifest.short_key} is of kind {manifest.kind}, not a run",
        hint="give the key of a responses or scores artifact",
    )


def dataset_of(store: Store, manifest: Manifest, depth: int = 0) -> str | None:
    """Return the `dataset` parameter found on this artifact or its inputs."""
    value = manifest.params.get("dataset")
    if isinstance(value, str):
        return value
    if depth > 8:
        return None
    for key in manifest.input_keys():
        parent = store.find(key) if isinstance(key, str) else None
        if parent is not None:
            found = dataset_of(store, parent, depth + 1)
            if found:
                return found
    return None


def _present(store: Store, manifest: Manifest) -> list[str]:
    import pyarrow.parquet as pq

    names = set(pq.read_schema(store.parquet_path(manifest)).names)
    return [c for c in RESPONSE_COLUMNS if c in names]


def _check_same_samples(manifests: list[Manifest], tables: list[pa.Table]) -> None:
    reference = set(tables[0].column("sample_id").to_pylist())
    for manifest, table in zip(manifests[1:], tables[1:], strict=True):
        if set(table.column("sample_id").to_pylist()) != reference:
            raise StoreError(
                f"run {manifest.short_key} was evaluated on other samples than "
                f"run {manifests[0].short_key}",
                hint="report runs of one prep together; run them separately otherwise",
            )


# -- one run -------------------------------------------------------------------


def scores_of(store: Store, responses: Manifest) -> Manifest:
    """Return the newest scores artifact computed from `responses`."""
    candidates = [
        m for m in store.manifests(SCORES_KIND) if responses.key in m.input_keys()
    ]
    if candidates:
        return candidates[-1]
    raise StoreError(
        f"run {responses.short_key} has no scores",
        hint=f"run `cybench score {responses.short_key}` first",
    )


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


def _load_run(store: Store, responses: Manifest, table: pa.Table, examples: int) -> Run:
    scores = scores_of(store, responses)
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
    run.roc, run.pr = curves(table)
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


def curves(table: pa.Table) -> tuple[Curve | None, Curve | None]:
    """Return ROC and precision-recall points from rows with a p_positive.

    Rows without a probability (parse failures, errors) are left out, so the
    curves describe the scored replies; None when both classes are not present.
    """
    if "p_positive" not in table.column_names:
        return None, None
    import numpy as np
    from sklearn.metrics import precision_recall_curve, roc_curve

    y = table.column("y_true").to_numpy(zero_copy_only=False)
    p = table.column("p_positive").to_numpy(zero_copy_only=False)
    keep = ~np.isnan(p.astype(float))
    y, p = y[keep].astype(int), p[keep].astype(float)
    if len(np.unique(y)) < 2:
        return None, None
    fpr, tpr, _ = roc_curve(y, p)
    precision, recall, _ = precision_recall_curve(y, p)
    roc = Curve(*_thin(fpr, tpr), n=int(len(y)))
    pr = Curve(*_thin(recall[::-1], precision[::-1]), n=int(len(y)))
    return roc, pr


def _thin(xs: Any, ys: Any) -> tuple[list[float], list[float]]:
    """Keep at most CURVE_POINTS points, always including both ends."""
    import numpy as np

    if len(xs) > CURVE_POINTS:
        index = np.unique(np.linspace(0, len(xs) - 1, CURVE_POINTS).round().astype(int))
        xs, ys = xs[index], ys[index]
    return [float(v) for v in xs], [float(v) for v in ys]


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
