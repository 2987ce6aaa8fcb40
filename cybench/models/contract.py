"""The answer contract of a prompts artifact: allowed labels, categories, schema.

`cybench prep` records the contract in the prompts manifest's `meta`: `labels`
(positive first), `categories` (None for email) and `answer_schema`. For a
prompts artifact without them, the labels come from the prompts table (`label`
where `y` is 1 and 0) and the categories from its `category` column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cybench.errors import DataError
from cybench.models.parse import TaskLabels

if TYPE_CHECKING:
    from cybench.store import Manifest, Store

DEFAULT_LABELS = {1: "attack", 0: "benign"}


def read_task_labels(store: Store, prompts: Manifest) -> TaskLabels:
    """Return the allowed labels and categories of the prompts artifact."""
    meta = prompts.meta
    labels = meta.get("labels")
    categories = meta.get("categories")
    if not labels and meta.get("positive_label") and meta.get("negative_label"):
        labels = [meta["positive_label"], meta["negative_label"]]
    if not labels:
        labels, table_categories = _labels_from_table(store, prompts)
        categories = categories if categories is not None else table_categories
    positive, negative = str(labels[0]), str(labels[1])
    cats = tuple(str(c) for c in categories) if categories else None
    return TaskLabels.of(positive, negative, cats)


def _labels_from_table(
    store: Store, prompts: Manifest
) -> tuple[list[str], list[str] | None]:
    table = store.read_table(prompts, columns=["label", "y", "category"])
    found = dict(DEFAULT_LABELS)
    seen: dict[int, str] = {}
    for label, y in zip(
        table.column("label").to_pylist(), table.column("y").to_pylist(), strict=True
    ):
        if label is not None and y in (0, 1):
            seen.setdefault(int(y), str(label))
    if not seen:
        raise DataError(
            f"prompts artifact {prompts.short_key} has no labelled rows",
            hint="re-run prep for this dataset",
        )
    found.update(seen)
    categories = sorted(
        {c for c in table.column("category").to_pylist() if isinstance(c, str)}
    )
    return [found[1], found[0]], categories or None


def strip_schema_keys(schema: Any, keys: tuple[str, ...]) -> Any:
    """Return a copy of a JSON schema without the given keywords, at any depth."""
    if isinstance(schema, dict):
        return {
            k: strip_schema_keys(v, keys) for k, v in schema.items() if k not in keys
        }
    if isinstance(schema, list):
        return [strip_schema_keys(v, keys) for v in schema]
    return schema


def read_answer_schema(prompts: Manifest, task: TaskLabels) -> dict[str, Any]:
    """Return the prompts' recorded answer schema, or one built from `task`."""
    recorded = prompts.meta.get("answer_schema")
    return recorded if isinstance(recorded, dict) else answer_schema(task)


def answer_schema(task: TaskLabels) -> dict[str, Any]:
    """Return the JSON schema of the answer contract (OpenAI strict-mode shape)."""
    category: dict[str, Any] = {"type": ["string", "null"]}
    if task.categories:
        category = {
            "anyOf": [
                {"type": "string", "enum": list(task.categories)},
                {"type": "null"},
            ]
        }
    return {
        "type": "object",
        "properties": {
            "label": {"type": "string", "enum": [task.positive, task.negative]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "category": category,
            "explanation": {"type": "string"},
        },
        "required": ["label", "confidence", "category", "explanation"],
        "additionalProperties": False,
    }
