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
    """Columns of one run's responses, one element per response.

    Categories are integer codes into `categories` (names stripped and
    lower-cased, so `DoS` and `dos ` are one category), -1 where missing.
    """

    y_true: NDArray[np.int64]
    y_pred: NDArray[np.int64]  # -1 where unparsed
    p_positive: NDArray[np.float64]  # NaN where missing
    category_true: NDArray[np.int64]
    category_pred: NDArray[np.int64]
    categories: list[str]
    refused: NDArray[np.bool_]  # parse_status is "refused"
    errored: NDArray[np.bool_]  # error_class is set
    latency_s: NDArray[np.float64]
    tokens_in: NDArray[np.float64]
    tokens_out: NDArray[np.float64]
    cost_usd: NDArray[np.float64]
    sample_id: NDArray[np.str_]

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


def _normalised(table, name: str):
    """Return the column as stripped, lower-case text, with empty strings as null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if name not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    text = pc.utf8_lower(pc.utf8_trim_whitespace(table.column(name).cast(pa.string())))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _category_codes(table) -> tuple[NDArray[np.int64], NDArray[np.int64], list[str]]:
    """Codes of true and predicted categories in one shared vocabulary."""
    import pyarrow as pa
    import pyarrow.compute as pc

    truth = _normalised(table, "category_true")
    predicted = _normalised(table, "category")
    names = sorted(
        {v for v in pc.unique(truth).to_pylist() if v}
        | {v for v in pc.unique(predicted).to_pylist() if v}
    )
    vocabulary = pa.array(names, pa.string())
    codes = [
        pc.fill_null(pc.index_in(column, value_set=vocabulary), -1)
        .to_numpy(zero_copy_only=False)
        .astype(np.int64)
        for column in (truth, predicted)
    ]
    return codes[0], codes[1], names


def _flags(table, name: str, equals: str | None) -> NDArray[np.bool_]:
    """Rows where the column equals `equals`, or, with None, is not null."""
    import pyarrow.compute as pc

    if name not in table.column_names:
        return np.zeros(table.num_rows, dtype=bool)
    column = table.column(name)
    found = pc.is_valid(column) if equals is None else pc.equal(column, equals)
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False).astype(bool)


def _sample_ids(table) -> NDArray[np.str_]:
    if "sample_id" not in table.column_names:
        return np.full(table.num_rows, "", dtype=str)
    column = table.column("sample_id").cast("string").fill_null("")
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=str)


def read_arrays(table, *, sample_ids: bool = False) -> RunArrays:
    """Convert a responses table to RunArrays; raise DataError on bad labels.

    `sample_id` is read only when `sample_ids` is true (comparing runs needs it,
    scoring does not). Otherwise it contains empty strings.
    """
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise DataError(
            f"responses table has no column {', '.join(missing)}",
            hint="score a responses artifact written by `cybench infer`",
        )
    y_true = _floats(table, "y_true")
    if np.isnan(y_true).any() or not np.isin(y_true, (0, 1)).all():
        raise DataError(
            "responses column y_true contains values other than 0 and 1",
            hint="re-run `cybench prep` and `cybench infer` to label every sample",
        )
    y_pred = _floats(table, "y_pred")
    bad = ~np.isnan(y_pred) & ~np.isin(y_pred, (0, 1))
    if bad.any():
        raise DataError(
            f"responses column y_pred contains {int(bad.sum())} values "
            "other than 0, 1 or null",
            hint="re-run `cybench infer`",
        )
    p_positive = _floats(table, "p_positive")
    outside = ~np.isnan(p_positive) & ((p_positive < 0) | (p_positive > 1))
    if outside.any():
        raise DataError(
            f"responses column p_positive contains {int(outside.sum())} values "
            "outside [0, 1]",
            hint="re-run `cybench infer`",
        )
    category_true, category_pred, categories = _category_codes(table)
    return RunArrays(
        y_true=y_true.astype(np.int64),
        y_pred=np.where(np.isnan(y_pred), -1, y_pred).astype(np.int64),
        p_positive=p_positive,
        category_true=category_true,
        category_pred=category_pred,
        categories=categories,
        refused=_flags(table, "parse_status", "refused"),
        errored=_flags(table, "error_class", None),
        latency_s=_floats(table, "latency_s"),
        tokens_in=_floats(table, "tokens_in"),
        tokens_out=_floats(table, "tokens_out"),
        cost_usd=_floats(table, "cost_usd"),
        sample_id=_sample_ids(table) if sample_ids else np.full(len(y_true), ""),
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
    return PolicyRows(policy, mask, run.y_true[mask], y_pred[mask], scores[mask])


def missing_score_rows(run: RunArrays) -> int:
    """Number of parsed responses without p_positive (scored by their label)."""
    return int(np.sum(run.parsed & np.isnan(run.p_positive)))
