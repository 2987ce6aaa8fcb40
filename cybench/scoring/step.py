"""The score step over the store: resolve runs, find or write scores artifacts."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from cybench.errors import StoreError, UsageError
from cybench.schemas import SCORES

if TYPE_CHECKING:
    from cybench.scoring.compute import ScoreResult
    from cybench.store import Manifest, Store

STEP = "score"
KIND = "scores"
RESPONSES_KIND = "responses"
PROMPTS_KIND = "prompts"


class ScoreSettings(BaseModel):
    """Parameters of the score step; all of them are part of the artifact key."""

    events_per_day: float = Field(
        1_000_000,
        gt=0,
        allow_inf_nan=False,
        description="Events a day the deployment sees, for alerts per day.",
    )
    prevalence: float = Field(
        0.01,
        gt=0,
        lt=1,
        allow_inf_nan=False,
        description="Share of positive events in the deployment, "
        "for precision_at_prevalence and alerts per day.",
    )
    bootstrap: int = Field(
        1000, ge=0, description="Bootstrap resamples; 0 disables intervals."
    )
    seed: int = Field(0, ge=0, description="Seed of the bootstrap resamples.")

    def params(self) -> dict[str, Any]:
        from cybench.metrics.bootstrap import CONFIDENCE_LEVEL
        from cybench.metrics.calibration import ECE_BINS

        # Floats stay floats in the key: 1000000 and 1000000.0 are one setting.
        return {
            **self.model_dump(),
            "events_per_day": float(self.events_per_day),
            "prevalence": float(self.prevalence),
            "confidence_level": CONFIDENCE_LEVEL,
            "ece_bins": ECE_BINS,
        }


def dataset_of(store: Store, manifest: Manifest, depth: int = 0) -> str | None:
    """Return the `dataset` parameter of this artifact or of its nearest input."""
    value = manifest.params.get("dataset")
    if isinstance(value, str):
        return value
    if depth > 8:
        return None
    for key in manifest.input_keys():
        parent = store.find(key) if isinstance(key, str) else None
        found = dataset_of(store, parent, depth + 1) if parent else None
        if found:
            return found
    return None


def runs_of_dataset(store: Store, dataset: str) -> list[Manifest]:
    """Return every responses artifact of the newest prompts artifact of `dataset`."""
    prompts = [
        m for m in store.manifests(PROMPTS_KIND) if dataset_of(store, m) == dataset
    ]
    if not prompts:
        raise StoreError(
            f"no prompts artifact of dataset {dataset!r} in {store.root}",
            hint=f"run `cybench prep {dataset}` and "
            f"`cybench infer --dataset {dataset}` first",
        )
    newest = prompts[-1]
    runs = [m for m in store.manifests(RESPONSES_KIND) if newest.key in m.input_keys()]
    if not runs:
        raise StoreError(
            f"no responses for the newest {dataset} prompts ({newest.short_key})",
            hint=f"run `cybench infer --dataset {dataset} --model MODEL` first",
        )
    return runs


def responses_of(store: Store, manifest: Manifest) -> Manifest:
    """Return the responses artifact a responses or scores artifact stands for."""
    if manifest.kind == RESPONSES_KIND:
        return manifest
    if manifest.kind == KIND:
        found = store.find(manifest.inputs.get("responses", ""), RESPONSES_KIND)
        if found is not None:
            return found
    raise UsageError(
        f"artifact {manifest.short_key} is of kind {manifest.kind}, not a run",
        hint="give a responses key from `cybench store ls --kind responses`",
    )


def resolve_runs(
    store: Store, prefixes: Sequence[str], dataset: str | None
) -> list[Manifest]:
    """Return the responses artifacts named by key prefixes and a dataset."""
    if not prefixes and not dataset:
        raise UsageError(
            "no runs given",
            hint="name runs by key prefix (`cybench store ls --kind responses`) "
            "or pass --dataset NAME",
        )
    found = [responses_of(store, store.resolve(p)) for p in prefixes]
    if dataset:
        found.extend(runs_of_dataset(store, dataset))
    return list({m.key: m for m in found}.values())


def read_responses(store: Store, responses: Manifest):  # -> pyarrow.Table
    return store.read_table(responses)


def judgments_of(store: Store, responses: Manifest, judge: str) -> Manifest:
    """Return the newest judgments artifact of `responses` by judge model `judge`."""
    found = [
        m
        for m in store.manifests("judgments")
        if m.inputs.get("responses") == responses.key and m.params.get("judge") == judge
    ]
    if not found:
        raise StoreError(
            f"run {responses.short_key} has no judgments by {judge}",
            hint=f"run `cybench judge {responses.short_key} --judge {judge}` first",
        )
    return found[-1]


def ensure_scores(
    store: Store,
    responses: Manifest,
    settings: ScoreSettings,
    judgments: Manifest | None = None,
) -> tuple[Manifest, ScoreResult | None]:
    """Return the scores artifact of `responses`, computing it only when absent.

    With `judgments` (a judgments artifact of this run) the scores include the
    judge's rubric means. The second value is the freshly computed result, or
    None when an existing artifact was reused (its warnings are in its meta).
    """
    from cybench.scoring.compute import compute_scores

    params = settings.params()
    inputs = {"responses": responses.key}
    if judgments is not None:
        inputs["judgments"] = judgments.key
    found = store.lookup(STEP, KIND, SCORES, params, inputs)
    if found is not None:
        return found, None

    started = time.perf_counter()
    result = compute_scores(
        read_responses(store, responses),
        events_per_day=settings.events_per_day,
        prevalence=settings.prevalence,
        bootstrap=settings.bootstrap,
        seed=settings.seed,
        infer_wall_s=responses.wall_seconds or None,
        judgments=store.read_table(judgments) if judgments is not None else None,
    )
    meta = {
        **result.meta,
        "model": responses.params.get("model"),
        "dataset": dataset_of(store, responses),
        "headline": result.summary("all"),
        "judge": judgments.params.get("judge") if judgments is not None else None,
    }
    manifest = store.write(
        STEP,
        KIND,
        SCORES,
        params,
        inputs,
        result.to_arrow(),
        started=started,
        meta=meta,
    )
    return manifest, result


def curves(table, policy: str = "all") -> dict[str, dict]:
    """Return ROC, PR and reliability points of a responses table under `policy`.

    Result: {"roc": {"fpr", "tpr", "threshold"}, "pr": {"recall", "precision",
    "threshold"}, "reliability": {"p_mean", "positive_rate", "rows"}}, at most
    1,001 points per curve; a curve that needs a missing class is {}.
    """
    from cybench.metrics import calibration, ranking
    from cybench.scoring.arrays import policy_rows, read_arrays

    rows = policy_rows(read_arrays(table), policy)
    out = ranking.curves(rows.y_true, rows.scores)
    out["reliability"] = calibration.reliability(rows.y_true, rows.scores)
    return out
