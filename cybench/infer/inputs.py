"""The prompts a run answers: which artifact, which rows, which samples."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cybench.errors import StoreError, UsageError
from cybench.infer.rows import Job, response_row_key

if TYPE_CHECKING:
    from cybench.infer.config import RunConfig
    from cybench.models.base import GenerationSettings
    from cybench.store import Manifest, Store

PROMPT_COLUMNS = [
    "prompt_id",
    "sample_id",
    "y",
    "category",
    "template_version",
    "system",
    "user",
]
# Columns a baseline must not see when it labels a sample.
HIDDEN_SAMPLE_COLUMNS = ("label", "y", "category", "split", "dataset")


def resolve_prompts(store: Store, config: RunConfig) -> Manifest:
    """Return the prompts artifact named by `--prep` or `--dataset`.

    With `--dataset` and no prompts yet, runs the dataset's default prep
    through `cybench.datasets.prep.ensure_prep`, except in a dry run, which writes
    nothing.
    """
    if config.prep and config.dataset:
        raise UsageError("give --dataset or --prep, not both")
    if config.prep:
        return _prompts_of(store, store.resolve(config.prep))
    if not config.dataset:
        raise UsageError(
            "no prompts selected", hint="pass --dataset NAME or --prep KEY"
        )
    dataset = _dataset_name(config.dataset)
    found = newest_prompts(store, dataset)
    if found is not None:
        return found
    if config.dry_run:
        raise UsageError(
            f"no prompts for dataset {dataset!r} in {store.root}",
            hint=f"run `cybench prep {dataset}` first; a dry run writes nothing",
        )
    return _prompts_of(store, _ensure_prep(store, dataset))


def _dataset_name(name: str) -> str:
    """Return the registry name of a dataset name or alias (`phishing`)."""
    try:
        from cybench.datasets.registry import resolve_name
    except ImportError:
        return name
    return resolve_name(name)


def newest_prompts(store: Store, dataset: str) -> Manifest | None:
    """Return the newest prompts artifact of `dataset`, or None."""
    matches = [m for m in store.manifests("prompts") if _dataset_of(m) == dataset]
    return matches[-1] if matches else None


def _dataset_of(manifest: Manifest) -> str | None:
    for mapping in (manifest.params, manifest.meta):
        value = mapping.get("dataset")
        if isinstance(value, str):
            return value
    return None


def _ensure_prep(store: Store, dataset: str) -> Any:
    try:
        from cybench.datasets.prep import ensure_prep
    except ImportError as exc:
        raise UsageError(
            f"no prompts for dataset {dataset!r} and this install cannot run prep",
            hint=f"run `cybench prep {dataset}` or pass --prep KEY",
        ) from exc
    result = ensure_prep(store, dataset)
    found = newest_prompts(store, dataset)
    if found is not None:
        return found
    return result


def _prompts_of(store: Store, value: Any) -> Manifest:
    """Return the prompts artifact that `value` (manifest, key, or tuple) names."""
    from cybench.store import Manifest

    if isinstance(value, str):
        value = store.find(value)
    if isinstance(value, list | tuple):
        value = next((m for m in value if getattr(m, "kind", "") == "prompts"), None)
    if isinstance(value, dict):
        value = value.get("prompts")
    if isinstance(value, Manifest) and value.kind == "prompts":
        return value
    if isinstance(value, Manifest) and value.kind == "samples":
        rendered = [
            m for m in store.manifests("prompts") if value.key in m.input_keys()
        ]
        if rendered:
            return rendered[-1]
    kind = getattr(value, "kind", type(value).__name__)
    raise StoreError(
        f"artifact {getattr(value, 'short_key', value)} is of kind {kind}, not prompts",
        hint="pass the key of a prompts artifact from `cybench store ls`",
    )


def read_jobs(
    store: Store,
    prompts: Manifest,
    model_id: str,
    settings: GenerationSettings,
    limit: int | None,
) -> list[Job]:
    """Return one job per prompt row, in table order, keyed for this model."""
    table = store.read_table(prompts, columns=PROMPT_COLUMNS)
    if limit is not None:
        table = table.slice(0, limit)
    columns = table.to_pydict()
    interned: dict[str, str] = {}
    jobs = []
    for i in range(table.num_rows):
        system = interned.setdefault(columns["system"][i], columns["system"][i])
        user = columns["user"][i]
        version = columns["template_version"][i]
        jobs.append(
            Job(
                key=response_row_key(model_id, settings, system, user, version),
                prompt_id=columns["prompt_id"][i],
                sample_id=columns["sample_id"][i],
                y_true=columns["y"][i],
                category_true=columns["category"][i],
                system=system,
                user=user,
            )
        )
    return jobs


def read_samples(
    store: Store, prompts: Manifest, sample_ids: set[str]
) -> dict[str, dict[str, Any]]:
    """Return sample_id -> feature columns (label columns removed) for baselines."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from cybench.models.baseline import find_samples

    samples = find_samples(store, prompts)
    table = store.read_table(samples)
    wanted = pa.array(sorted(sample_ids), pa.string())
    table = table.filter(pc.is_in(table.column("sample_id"), value_set=wanted))
    keep = [c for c in table.column_names if c not in HIDDEN_SAMPLE_COLUMNS]
    return {row["sample_id"]: row for row in table.select(keep).to_pylist()}
