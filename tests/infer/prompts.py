"""Write small prompts (and samples) artifacts straight into a test store."""

from __future__ import annotations

import time

from cybench import schemas
from cybench.store import Manifest, Store
from cybench.store.keys import digest_json

SYSTEM = "You are a network security analyst. Reply with JSON only."
TEMPLATE = "zero-shot"


def prompt_rows(count: int, dataset: str = "unsw") -> list[dict]:
    """Return `count` prompt rows; every third sample is an attack."""
    rows = []
    for i in range(count):
        y = 1 if i % 3 == 0 else 0
        user = f"Flow {i}: proto tcp, bytes {i * 37 % 1000}. Classify it. marker-{i}"
        rows.append(
            {
                "prompt_id": digest_json([TEMPLATE, 1, SYSTEM, user]),
                "sample_id": digest_json([dataset, i]),
                "split": "test",
                "label": "attack" if y else "benign",
                "y": y,
                "category": "DoS" if y else "normal",
                "template": TEMPLATE,
                "template_version": 1,
                "system": SYSTEM,
                "user": user,
                "few_shot_ids": [],
            }
        )
    return rows


def write_prompts(
    store: Store, count: int, dataset: str = "unsw", samples: Manifest | None = None
) -> Manifest:
    """Write a prompts artifact of `count` rows and return its manifest."""
    import pyarrow as pa

    table = pa.Table.from_pylist(prompt_rows(count, dataset))
    table = table.set_column(
        table.schema.get_field_index("y"), "y", table.column("y").cast(pa.int8())
    )
    inputs = {"samples": samples.key} if samples is not None else {}
    return store.write(
        "prep",
        "prompts",
        schemas.PROMPTS,
        {"dataset": dataset, "count": count, "template": TEMPLATE},
        inputs,
        table,
        started=time.perf_counter(),
        meta={"dataset": dataset},
    )
