"""The dataset catalogue: registered datasets joined with what the store holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cybench.datasets.registry import dataset_names, get_dataset
from cybench.errors import UsageError

if TYPE_CHECKING:
    from cybench.store import Store

COLUMNS = [
    "name",
    "title",
    "task",
    "licence",
    "citation",
    "raw_artifacts",
    "latest_raw",
    "raw_rows",
    "partition",
    "samples_artifacts",
]


def fetched_summary(store: Store) -> dict[str, dict[str, Any]]:
    """Return per dataset: raw artifact count, newest raw manifest, samples count."""
    summary: dict[str, dict[str, Any]] = {}
    for manifest in store.manifests("raw"):
        entry = summary.setdefault(
            manifest.params.get("dataset"), {"raw": 0, "samples": 0}
        )
        entry["raw"] += 1
        entry["latest"] = manifest
    for manifest in store.manifests("samples"):
        entry = summary.setdefault(
            manifest.params.get("dataset"), {"raw": 0, "samples": 0}
        )
        entry["samples"] += 1
    return summary


def dataset_rows(
    store: Store, short_keys: bool = True
) -> tuple[list[str], list[tuple]]:
    """Return the catalogue as (columns, rows), one row per registered dataset."""
    summary = fetched_summary(store)
    rows = []
    for name in dataset_names():
        entry = summary.get(name, {"raw": 0, "samples": 0})
        latest = entry.get("latest")
        try:
            spec = get_dataset(name)
            title, task, licence, citation = (
                spec.title,
                spec.task,
                spec.licence,
                spec.citation,
            )
        except UsageError as exc:
            title, task, licence, citation = name, "?", "?", exc.one_line()
        key = None
        if latest is not None:
            key = latest.short_key if short_keys else latest.key
        rows.append(
            (
                name,
                title,
                task,
                licence,
                citation,
                entry["raw"],
                key,
                latest.rows if latest else None,
                latest.meta.get("partition") if latest else None,
                entry["samples"],
            )
        )
    return COLUMNS, rows
