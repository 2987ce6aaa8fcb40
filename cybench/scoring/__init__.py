"""The score step: metrics with bootstrap intervals for each run.

Importable entry points (all documented where defined):

- `compute_scores(table, ...)` -> ScoreResult: score a responses table in memory;
- `curves(table, policy="all")`: ROC, PR and calibration points of a run;
- `ensure_scores(store, responses_manifest, settings)`: find or write the
  scores artifact of one run;
- `resolve_runs(store, prefixes, dataset)`: responses artifacts the user named.
"""

from __future__ import annotations

from cybench.scoring.compute import OVERALL, ScoreResult, compute_scores
from cybench.scoring.step import ScoreSettings, curves, ensure_scores, resolve_runs

__all__ = [
    "OVERALL",
    "ScoreResult",
    "ScoreSettings",
    "compute_scores",
    "curves",
    "ensure_scores",
    "resolve_runs",
]
