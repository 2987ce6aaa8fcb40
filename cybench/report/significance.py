"""Paired significance of each run against the best run, for the table marks.

The tests are the metrics package's own (`cybench.metrics.paired`): McNemar's
exact test on per-sample correctness, then Holm's correction across the runs
compared with the reference. Correctness counts an unparsed reply as wrong,
so every run is tested on the same samples whatever its parse rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cybench.report.model import Comparison, Run, Significance

if TYPE_CHECKING:
    import pyarrow as pa

TEST_NAME = "McNemar's exact test on per-sample correctness"
CORRECTION = "Holm's step-down correction"
REFERENCE_METRIC = "f1"


def reference_run(runs: Sequence[Run], policy: str = "all") -> Run | None:
    """Return the run with the highest F1 under `policy` (the first on a tie)."""
    best: Run | None = None
    best_value = -math.inf
    for run in runs:
        value = run.value(REFERENCE_METRIC, policy)
        if value is not None and value > best_value:
            best, best_value = run, value
    return best


def _correct_by_sample(table: pa.Table) -> dict[str, bool]:
    samples = table.column("sample_id").to_pylist()
    truth = table.column("y_true").to_pylist()
    predicted = table.column("y_pred").to_pylist()
    return {
        s: p is not None and p == t
        for s, t, p in zip(samples, truth, predicted, strict=True)
    }


def compare_runs(
    runs: Sequence[Run], tables: Sequence[pa.Table], policy: str = "all"
) -> Comparison | None:
    """Test every run against the reference run; None for fewer than two runs."""
    if len(runs) < 2:
        return None
    reference = reference_run(runs, policy)
    if reference is None:
        return None
    from cybench.metrics.paired import holm, mcnemar_exact

    correct = {
        run.key: _correct_by_sample(table)
        for run, table in zip(runs, tables, strict=True)
    }
    samples = sorted(correct[reference.key])
    base = [correct[reference.key][s] for s in samples]
    others = [run for run in runs if run.key != reference.key]
    p_values = [
        mcnemar_exact(base, [correct[run.key].get(s, False) for s in samples]).p_value
        for run in others
    ]
    adjusted = holm(p_values)
    comparison = Comparison(reference.key, REFERENCE_METRIC, TEST_NAME, CORRECTION)
    for run, p, p_adj in zip(others, p_values, adjusted, strict=True):
        comparison.by_run[run.key] = Significance(p, p_adj)
    return comparison
