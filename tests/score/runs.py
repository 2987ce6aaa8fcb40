"""Responses artifacts written straight into a test store, as `cybench infer` would."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cybench.schemas import RESPONSES

CATEGORIES = ("Exploits", "DoS", "Worms")


def responses_table(
    n: int = 200,
    *,
    seed: int = 0,
    accuracy: float = 0.8,
    unparsed: float = 0.05,
    sample_ids: list[str] | None = None,
    model: str = "scripted:test",
    y_true: np.ndarray | None = None,
) -> pa.Table:
    """Return a random but plausible responses table of `n` rows."""
    rng = np.random.default_rng(seed)

    # Labels depend only on n, so runs of different seeds share their samples.
    labels = np.random.default_rng(n).integers(0, 2, n)
    y = labels if y_true is None else np.asarray(y_true)
    right = rng.random(n) < accuracy
    y_pred = np.where(right, y, 1 - y).astype(float)
    y_pred[rng.random(n) < unparsed] = np.nan

    confidence = np.round(0.5 + rng.random(n) / 2, 2)
    p_positive = np.where(y_pred == 1, confidence, 1 - confidence)
    p_positive[np.isnan(y_pred)] = np.nan

    category = np.where(y == 1, rng.choice(CATEGORIES, n), "Normal")
    ids = sample_ids or [f"sample-{i:05d}" for i in range(n)]
    status = np.where(np.isnan(y_pred), "unparseable", "ok")
    return pa.table(
        {
            "row_key": [f"sha256:{model}-{i}" for i in ids],
            "prompt_id": [f"prompt-{i}" for i in ids],
            "sample_id": ids,
            "y_true": pa.array(y, pa.int8()),
            "category_true": category,
            "model": [model] * n,
            "model_id": [model] * n,
            "y_pred": pa.array(y_pred, pa.float64(), from_pandas=True).cast(pa.int8()),
            "confidence": pa.array(
                np.where(np.isnan(y_pred), np.nan, confidence), from_pandas=True
            ),
            "p_positive": pa.array(p_positive, from_pandas=True),
            "category": np.where(rng.random(n) < 0.7, category, "DoS"),
            "explanation": [f"explanation {i}" for i in range(n)],
            "parse_status": status,
            "latency_s": rng.random(n),
            "tokens_in": pa.array(rng.integers(100, 200, n), pa.int64()),
            "tokens_out": pa.array(rng.integers(10, 30, n), pa.int64()),
            "cost_usd": pa.array(rng.random(n) / 1000),
            "error_class": pa.nulls(n, pa.string()),
        }
    )


def write_prompts(store, dataset: str = "unsw", n: int = 200):
    """Write a minimal prompts artifact of `dataset` and return its manifest."""
    table = pa.table({"prompt_id": [f"prompt-sample-{i:05d}" for i in range(n)]})
    return store.write("prep", "prompts", 1, {"dataset": dataset, "n": n}, {}, table)


def write_run(
    store,
    table: pa.Table,
    prompts_key: str = "sha256:" + "0" * 64,
    model: str | None = None,
):
    """Write `table` as a responses artifact of `prompts_key`; return its manifest."""
    spec = model or table.column("model")[0].as_py()
    params = {"model": spec, "template": "zero-shot"}
    return store.write(
        "infer", "responses", RESPONSES, params, {"prompts": prompts_key}, table
    )
