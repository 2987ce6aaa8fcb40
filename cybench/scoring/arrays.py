"""A responses table as aligned NumPy arrays, and the two parse policies.

Policy `all` keeps every response and counts a parse failure as wrong: its
predicted class is the opposite of the true class and its score is the
maximally wrong probability (1 - y_true). Policy `parsed` keeps only responses
with a parsed label. A parsed response without p_positive is scored by its
label (0.0 or 1.0), and a warning counts those rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cybench.errors import DataError

POLICIES = ("all", "parsed")
REQUIRED = ("y_true", "y_pred")


@dataclass(frozen=True)
class RunArrays:
    """Columns of one run's responses, one element per response."""

    y_true: NDArray[np.int64]
    y_pred: NDArray[np.int64]  # -1 where unparsed
    p_positive: NDArray[np.float64]  # NaN where missing
    category_true: NDArray[np.object_]  # casefolded and stripped, None where missing
    category_pred: NDArray[np.object_]
    parse_status: NDArray[np.object_]
    error_class: NDArray[np.object_]
    latency_s: NDArray[np.float64]
    tokens_in: NDArray[np.float64]
    tokens_out: NDArray[np.float64]
    cost_usd: NDArray[np.float64]
    sample_id: NDArray[np.object_]

    @property
    def parsed(self) -> NDArray[np.bool_]:
        return self.y_pred >= 0

    def __len__(self) -> int:
        return len(self.y_true)


@dataclass(frozen=True)
class PolicyRows:
    """The rows one policy scores, with the predicted class and score it uses."""

    policy: str
    mask: NDArray[np.bool_]  # rows of the run this policy keeps
    y_true: NDArray[np.int64]
    y_pred: NDArray[np.int64]
    scores: NDArray[np.float64]


def _floats(table, name: str) -> NDArray[np.float64]:
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    column = table.column(name).cast("float64")
    return column.to_numpy(zero_copy_only=False).astype(np.float64)


def _texts(table, name: str, *, normalise: bool = False) -> NDArray[np.object_]:
    if name not in table.column_names:
        return np.full(table.num_rows, None, dtype=object)
    values = table.column(name).to_pylist()
    if normalise:
        values = [
            v.strip().casefold() or None if isinstance(v, str) else None for v in values
        ]
    return np.asarray(values, dtype=object)


def read_arrays(table) -> RunArrays:
    """Convert a responses table to RunArrays; raise DataError on bad labels."""
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise DataError(
            f"responses table has no column {', '.join(missing)}",
            hint="score a responses artifact written by `cybench infer`",
        )
    y_true = _floats(table, "y_true")
    if np.isnan(y_true).any() or not np.isin(y_true, (0, 1)).all():
        raise DataError(
            "responses column y_true holds values other than 0 and 1",
            hint="re-run `cybench prep` and `cybench infer` to label every sample",
        )
    y_pred = _floats(table, "y_pred")
    bad = ~np.isnan(y_pred) & ~np.isin(y_pred, (0, 1))
    if bad.any():
        raise DataError(
            f"responses column y_pred holds {int(bad.sum())} values "
            "other than 0, 1 or null",
            hint="re-run `cybench infer`",
        )
    p_positive = _floats(table, "p_positive")
    outside = ~np.isnan(p_positive) & ((p_positive < 0) | (p_positive > 1))
    if outside.any():
        raise DataError(
            f"responses column p_positive holds {int(outside.sum())} values "
            "outside [0, 1]",
            hint="re-run `cybench infer`",
        )
    return RunArrays(
        y_true=y_true.astype(np.int64),
        y_pred=np.where(np.isnan(y_pred), -1, y_pred).astype(np.int64),
        p_positive=p_positive,
        category_true=_texts(table, "category_true", normalise=True),
        category_pred=_texts(table, "category", normalise=True),
        parse_status=_texts(table, "parse_status"),
        error_class=_texts(table, "error_class"),
        latency_s=_floats(table, "latency_s"),
        tokens_in=_floats(table, "tokens_in"),
        tokens_out=_floats(table, "tokens_out"),
        cost_usd=_floats(table, "cost_usd"),
        sample_id=_texts(table, "sample_id"),
    )


def policy_rows(run: RunArrays, policy: str) -> PolicyRows:
    """Return the rows, predictions and scores that `policy` scores."""
    parsed = run.parsed
    wrong = 1 - run.y_true
    hard = np.where(parsed, run.y_pred, wrong).astype(np.float64)
    scores = np.where(np.isnan(run.p_positive) | ~parsed, hard, run.p_positive)
    y_pred = np.where(parsed, run.y_pred, wrong)
    if policy == "all":
        mask = np.ones(len(run), dtype=bool)
    elif policy == "parsed":
        mask = parsed
    else:
        raise ValueError(f"unknown policy {policy!r}; use one of {POLICIES}")
    return PolicyRows(
        policy, mask, run.y_true[mask], y_pred[mask], scores[mask]
    )


def missing_score_rows(run: RunArrays) -> int:
    """Number of parsed responses without p_positive (scored by their label)."""
    return int(np.sum(run.parsed & np.isnan(run.p_positive)))
