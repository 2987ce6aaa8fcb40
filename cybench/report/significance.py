"""Paired tests of each run against the best run, for the table marks.

The numbers come from the compare step (`cybench.comparison`): a stored
comparison artifact of exactly these runs when one exists, else
`compare_runs` in memory, which writes nothing. Correctness counts an
unparsed reply as wrong, so every run is tested on the same samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cybench.report.model import Comparison, Run, Significance

if TYPE_CHECKING:
    import pyarrow as pa

    from cybench.store.manifest import Manifest
    from cybench.store.store import Store

TEST_NAME = "McNemar's exact test on per-sample correctness"
CORRECTION = "Holm's step-down correction"
COMPARISON_KIND = "comparison"


def stored_comparison(store: Store, runs: Sequence[Run]) -> Manifest | None:
    """Return the newest comparison artifact of exactly these runs, or None."""
    wanted = {run.key for run in runs}
    found = [
        m
        for m in store.manifests(COMPARISON_KIND)
        if set(m.inputs.get("responses") or []) == wanted
    ]
    return found[-1] if found else None


def _headline(run: Run) -> dict[str, dict[str, float | None]]:
    out = {}
    for (slice_name, policy, metric), value in run.metrics.items():
        if slice_name == "overall" and policy == "all":
            out[metric] = {
                "value": value.value,
                "ci_low": value.ci_low,
                "ci_high": value.ci_high,
            }
    return out


def compare(
    store: Store, runs: Sequence[Run], tables: Sequence[pa.Table]
) -> Comparison | None:
    """Return the paired tests of `runs`; None for fewer than two runs."""
    if len(runs) < 2:
        return None
    from cybench.comparison import compare_runs, comparison_rows

    manifest = stored_comparison(store, runs)
    if manifest is not None:
        rows = comparison_rows(store.read_table(manifest))
        best, primary = (
            str(manifest.meta.get("best")),
            str(manifest.meta.get("primary")),
        )
    else:
        result = compare_runs(
            list(tables),
            [run.short_key for run in runs],
            [_headline(run) for run in runs],
            models=[run.model for run in runs],
        )
        rows, best, primary = result.rows, result.best, result.primary
    return _comparison(runs, rows, best, primary)


def _comparison(
    runs: Sequence[Run], rows: list[dict[str, Any]], best: str, primary: str
) -> Comparison | None:
    by_name = {run.short_key: run for run in runs}
    reference = by_name.get(best)
    if reference is None:
        return None
    comparison = Comparison(reference.key, primary, TEST_NAME, CORRECTION)
    for row in rows:
        run = by_name.get(str(row.get("name")))
        if run is None:
            continue
        comparison.rows[run.key] = row
        if run.key != reference.key:
            comparison.by_run[run.key] = Significance(
                row.get("mcnemar_p"), row.get("mcnemar_p_holm")
            )
    return comparison
