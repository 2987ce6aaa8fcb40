"""The compare step over the store: score each run, compare, store the table."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from cybench.errors import UsageError
from cybench.scoring.step import ScoreSettings, ensure_scores

if TYPE_CHECKING:
    from cybench.comparison.paired import Comparison
    from cybench.store import Manifest, Store

STEP = "compare"
KIND = "comparison"
SCHEMA_VERSION = 1


class CompareSettings(BaseModel):
    """Parameters of the compare step; all of them are part of the artifact key."""

    primary: str = Field("f1", description="Metric that picks the best run.")
    bootstrap: int = Field(1000, ge=0, description="Paired bootstrap resamples.")
    seed: int = Field(0, ge=0, description="Seed of the paired bootstrap.")
    score: ScoreSettings = Field(default_factory=ScoreSettings)


def headline_of(scores_table) -> dict[str, dict[str, float | None]]:
    """Return {metric: {value, ci_low, ci_high}} of a scores table (overall, all)."""
    out = {}
    for row in scores_table.to_pylist():
        if row["slice"] == "overall" and row["policy"] == "all":
            out[row["metric"]] = {k: row[k] for k in ("value", "ci_low", "ci_high")}
    return out


def ensure_comparison(
    store: Store, runs: Sequence[Manifest], settings: CompareSettings
) -> tuple[Manifest, Comparison | None]:
    """Return the comparison artifact of `runs`, computing it only when absent.

    Scores each run first (reusing its scores artifact). The second value is
    the fresh Comparison, or None when an existing artifact was reused.
    """
    from cybench.comparison.paired import COLUMNS, compare_runs

    if len(runs) < 2:
        raise UsageError(
            f"compare needs at least two runs, got {len(runs)}",
            hint="name two or more runs, or a dataset with several runs",
        )
    if settings.primary not in COLUMNS:
        raise UsageError(
            f"unknown metric {settings.primary!r} for --metric",
            hint=f"use one of {', '.join(COLUMNS)}",
        )
    runs = sorted(runs, key=lambda m: m.key)
    scores = [ensure_scores(store, run, settings.score)[0] for run in runs]
    params = settings.model_dump()
    inputs = {"responses": [r.key for r in runs], "scores": [s.key for s in scores]}
    found = store.lookup(STEP, KIND, SCHEMA_VERSION, params, inputs)
    if found is not None:
        return found, None

    started = time.perf_counter()
    comparison = compare_runs(
        [store.read_table(r) for r in runs],
        [r.short_key for r in runs],
        [headline_of(store.read_table(s)) for s in scores],
        models=[
            str(s.meta.get("model") or r.params.get("model", "?"))
            for r, s in zip(runs, scores, strict=True)
        ],
        primary=settings.primary,
        bootstrap=settings.bootstrap,
        seed=settings.seed,
    )
    meta = {
        "best": comparison.best,
        "primary": comparison.primary,
        "runs": dict(
            zip([r.short_key for r in runs], [r.key for r in runs], strict=True)
        ),
    }
    manifest = store.write(
        STEP,
        KIND,
        SCHEMA_VERSION,
        params,
        inputs,
        comparison_table(comparison),
        started=started,
        meta=meta,
    )
    return manifest, comparison


def comparison_table(comparison: Comparison):  # -> pyarrow.Table
    """Return the comparison rows as a table, with best_metrics joined by ';'."""
    import pyarrow as pa

    rows = [_flat(row) for row in comparison.rows]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    return pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])


def comparison_rows(table) -> list[dict[str, Any]]:
    """Read a comparison artifact's table back into rows like Comparison.rows."""
    rows = table.to_pylist()
    for row in rows:
        row["best_metrics"] = [
            m for m in (row.get("best_metrics") or "").split(";") if m
        ]
    return rows


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["best_metrics"] = ";".join(row["best_metrics"])
    return out
