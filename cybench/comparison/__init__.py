"""The compare step: paired significance tests between runs on the same samples.

Importable entry points (documented where defined):

- `compare_runs(tables, names, headlines, ...)` -> Comparison, in memory;
- `align_runs(tables, names)`: rows of each run in sample order, or DataError
  when the runs were evaluated on different samples;
- `ensure_comparison(store, runs, settings)`: find or write the comparison artifact;
- `comparison_rows(table)`: read a stored comparison back.
"""

from __future__ import annotations

from cybench.comparison.paired import COLUMNS, Comparison, align_runs, compare_runs
from cybench.comparison.step import (
    CompareSettings,
    comparison_rows,
    ensure_comparison,
    headline_of,
)

__all__ = [
    "COLUMNS",
    "CompareSettings",
    "Comparison",
    "align_runs",
    "compare_runs",
    "comparison_rows",
    "ensure_comparison",
    "headline_of",
]
