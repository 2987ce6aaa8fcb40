"""The prep step: raw artifact -> samples artifact -> prompts artifact.

Samples: every clean record once (exact duplicates removed before splitting),
with a seeded split into train/dev/test stratified by class, where the class
is the category when the dataset has one and the label otherwise. Prompts: a
seeded sample of one split (N per class, or the natural class prevalence),
rendered by a versioned template. Both artifacts are looked up by key first,
so an identical second prep reads no table.
"""

from __future__ import annotations

import tempfile
import time
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, model_validator

from cybench.datasets.base import BASE_COLUMNS
from cybench.datasets.fetch import resolve_raw
from cybench.datasets.registry import get_dataset
from cybench.errors import UsageError
from cybench.schemas import PROMPTS, SAMPLES

if TYPE_CHECKING:
    import pyarrow as pa

    from cybench.datasets.base import DatasetSpec
    from cybench.datasets.progress import StepProgress
    from cybench.store import Manifest, Store

STEP = "prep"
SPLITS = ("train", "dev", "test")
# Default prompt set: 2 records per class (20 prompts for UNSW-NB15's ten
# classes). It is small because a UNSW-NB15 prompt is about 1,150 tokens, which
# a 0.5B model on a few CPU cores needs seconds to minutes to process.
DEFAULT_PER_CLASS = 2
DEFAULT_NATURAL_N = 20
# Cap on DuckDB's buffers during deduplication. A group-by that needs more
# spills to a temporary folder instead of growing the process.
DUCKDB_MEMORY_LIMIT = "400MB"
# PrepConfig fields that `cybench prep` takes as `--field-name` options.
OPTION_FIELDS = (
    "template",
    "k",
    "per_class",
    "prevalence",
    "n",
    "split",
    "seed",
    "limit",
)


class PrepConfig(BaseModel):
    """Every choice of one prep; all of them are parameters of the artifacts' keys."""

    template: Literal["zero-shot", "few-shot"] = Field(
        "zero-shot", description="Prompt template name."
    )
    k: int = Field(
        4, ge=1, le=32, description="Few-shot examples from the train split."
    )
    per_class: int | None = Field(
        None, ge=1, description="Records per class in the prompt set (balanced)."
    )
    prevalence: Literal["balanced", "natural"] = Field(
        "balanced", description="balanced: per_class per class; natural: n records."
    )
    n: int | None = Field(
        None, ge=1, description="Prompt set size for natural prevalence."
    )
    split: Literal["train", "dev", "test"] = Field(
        "test", description="Split to prompt."
    )
    seed: int = Field(0, description="Seed of the split, the sample and the examples.")
    limit: int | None = Field(None, ge=1, description="Keep at most this many prompts.")
    fractions: tuple[float, float, float] = Field(
        (0.7, 0.1, 0.2), description="train, dev and test shares of each class."
    )

    @model_validator(mode="after")
    def _resolve_sampling(self) -> PrepConfig:
        if self.n is not None and self.per_class is not None:
            raise UsageError(
                "--n and --per-class exclude each other",
                hint="use --per-class N for a balanced set, "
                "or --n N at natural prevalence",
            )
        if self.n is not None:
            self.prevalence = "natural"
        if self.prevalence == "natural" and self.per_class is not None:
            raise UsageError(
                "--per-class applies to balanced sampling, not --prevalence natural",
                hint="use --n N to size a natural-prevalence set",
            )
        if self.prevalence == "natural" and self.n is None:
            self.n = DEFAULT_NATURAL_N
        if self.prevalence == "balanced" and self.per_class is None:
            self.per_class = DEFAULT_PER_CLASS
        if abs(sum(self.fractions) - 1.0) > 1e-9 or min(self.fractions) < 0:
            raise UsageError(
                f"split fractions {self.fractions} must be >= 0 and sum to 1"
            )
        return self

    def samples_params(self, dataset: str) -> dict[str, Any]:
        return {
            "dataset": dataset,
            "seed": self.seed,
            "fractions": list(self.fractions),
            "dedupe": "exact",
            "stratify": "category",
        }

    def prompts_params(self, dataset: str, template_version: int) -> dict[str, Any]:
        return {
            "dataset": dataset,
            "template": self.template,
            "template_version": template_version,
            "k": self.k if self.template == "few-shot" else 0,
            "prevalence": self.prevalence,
            "per_class": self.per_class,
            "n": self.n,
            "split": self.split,
            "seed": self.seed,
            "limit": self.limit,
        }


def ensure_prep(
    store: Store,
    dataset: str,
    *,
    raw: str | None = None,
    dry_run: bool = False,
    **params: Any,
) -> tuple[Manifest, Manifest]:
    """Return (samples, prompts) manifests of `dataset`, building what is missing.

    `raw` is a raw artifact key prefix; without it the newest raw artifact of
    the dataset is used, and without one a local copy is fetched. `params` are
    `PrepConfig` fields. With `dry_run` nothing is written: manifests that do
    not exist yet come back with `meta["dry_run"]` true and `rows` 0.
    """
    from cybench.datasets.fetch import latest_raw
    from cybench.prompts import template_version

    spec = get_dataset(dataset)
    config = resolve_config(params)
    version = template_version(spec.task, config.template)

    if dry_run and raw is None and latest_raw(store, spec.name) is None:
        from cybench.datasets.fetch import ensure_fetch

        raw_manifest = ensure_fetch(store, spec.name, dry_run=True)
    else:
        raw_manifest = resolve_raw(store, spec.name, raw)

    samples_params = config.samples_params(spec.name)
    samples = store.lookup(
        STEP, "samples", SAMPLES, samples_params, {"raw": raw_manifest.key}
    )
    if samples is None and dry_run:
        samples = planned(
            store, "samples", SAMPLES, samples_params, {"raw": raw_manifest.key}
        )
    if samples is None:
        samples = build_samples(store, spec, raw_manifest, config)

    if config.template == "few-shot":
        check_few_shot_k(config, samples)
    prompts_params = config.prompts_params(spec.name, version)
    inputs = {"samples": samples.key}
    prompts = store.lookup(STEP, "prompts", PROMPTS, prompts_params, inputs)
    if prompts is None and dry_run:
        prompts = planned(store, "prompts", PROMPTS, prompts_params, inputs)
    if prompts is None:
        prompts = build_prompts(store, spec, samples, config, version)
    return samples, prompts


def resolve_config(params: dict[str, Any]) -> PrepConfig:
    """Return the PrepConfig of `params`; raise UsageError naming an invalid value."""
    from pydantic import ValidationError

    try:
        return PrepConfig(**params)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        # Every field but `fractions` is a `cybench prep` option of the same name.
        option = f"--{field.replace('_', '-')}" if field in OPTION_FIELDS else field
        message = error["msg"][:1].lower() + error["msg"][1:]
        raise UsageError(
            f"invalid {option or 'options'} value {error.get('input')!r}: {message}",
            hint="see `cybench prep --help`",
        ) from exc


def check_few_shot_k(config: PrepConfig, samples: Manifest) -> None:
    """Raise UsageError when the train split has fewer records than `--k`.

    The prompts key records `k`, so drawing fewer examples than asked would
    store an artifact whose key misdescribes it. Planned samples of a dry run
    have no counts yet and pass.
    """
    by_split = samples.meta.get("counts", {}).get("by_split")
    if by_split is None:
        return
    train = sum(by_split.get("train", {}).values())
    if config.k <= train:
        return
    raise few_shot_k_error(config.k, train, samples)


def few_shot_k_error(k: int, train: int, samples: Manifest) -> UsageError:
    """Return the error for `--k` above the train split size."""
    hint = f"give --k {train} or less" if train else "use --template zero-shot"
    return UsageError(
        f"--k {k} is more than the {train} records of the train split "
        f"of samples {samples.short_key}",
        hint=hint,
    )


def planned(
    store: Store,
    kind: str,
    version: int,
    params: dict[str, Any],
    inputs: dict[str, Any],
) -> Manifest:
    """Return the manifest that a write of these inputs would produce (rows unknown)."""
    from datetime import UTC, datetime

    from cybench import __version__
    from cybench.store import Manifest

    return Manifest(
        key=store.key_for(STEP, kind, version, params, inputs),
        step=STEP,
        kind=kind,
        schema_version=version,
        params=params,
        inputs=inputs,
        rows=0,
        content_digest="",
        cybench_version=__version__,
        created_at=datetime.now(UTC),
        wall_seconds=0.0,
        meta={"dry_run": True},
    )


# -- samples -------------------------------------------------------------------


def read_raw(store: Store, spec: DatasetSpec, raw: Manifest) -> Any:
    """Return the raw rows for `spec.clean`: a streaming dataset or a table."""
    if not spec.streams_raw:
        return store.read_table(raw)
    import pyarrow.dataset as ds

    return ds.dataset(store.parquet_path(raw), format="parquet")


def build_samples(
    store: Store, spec: DatasetSpec, raw: Manifest, config: PrepConfig
) -> Manifest:
    """Clean, deduplicate and split the raw rows, then write the samples artifact."""
    from cybench.datasets.progress import step_progress

    started = time.perf_counter()
    with step_progress(f"prep {spec.name}") as progress:
        progress.update(f"cleaning {raw.rows:,} raw rows")
        holder = [spec.clean(read_raw(store, spec, raw), raw.meta)]
        progress.update("removing duplicates and splitting")
        # The list hands over the only reference, so the wide columns can be
        # freed one by one while they are filtered.
        excluded = {*BASE_COLUMNS, *spec.info_columns}
        features = [c for c in holder[0].column_names if c not in excluded]
        negative = spec.categories[0] if spec.categories else None
        table, counts = dedupe_and_split(holder, features, config, progress, negative)
        meta = samples_meta(spec, raw, table, features, counts)
        progress.update(f"writing {table.num_rows:,} samples")
        return store.write(
            STEP,
            "samples",
            SAMPLES,
            config.samples_params(spec.name),
            {"raw": raw.key},
            table,
            started=started,
            meta=meta,
        )


def dedupe_and_split(
    holder: list[pa.Table],
    features: list[str],
    config: PrepConfig,
    progress: StepProgress | None = None,
    negative_category: str | None = None,
) -> tuple[pa.Table, dict[str, Any]]:
    """Return the first copy of each sample_id with its split, plus the counts.

    `holder` is a one-element list with the clean table and is emptied, so
    this function holds the only reference and can free the table batch by
    batch while filtering it (see `filter_batches`).
    """

    import numpy as np
    import pyarrow as pa

    from cybench.datasets.duck import connect

    clean = holder.pop()
    order = pa.array(np.arange(clean.num_rows, dtype=np.int64))
    with tempfile.TemporaryDirectory(prefix="cybench-duckdb-") as spill:
        con = connect(memory_limit=DUCKDB_MEMORY_LIMIT, temp_directory=spill)
        try:
            con.register("clean", clean.append_column("_ord", order))
            counts = duplicate_counts(con, features, negative_category)
            keep = con.sql(split_sql(config)).to_arrow_table()
        finally:
            con.close()

    mask = np.zeros(clean.num_rows, dtype=bool)
    mask[keep.column("_ord").to_numpy()] = True
    if progress is not None:
        progress.update(f"selecting {keep.num_rows:,} unique samples")
    schema = clean.schema
    batches = clean.to_batches()
    del clean
    table = filter_batches(batches, schema, mask)
    table = table.add_column(2, "split", keep.column("split"))
    counts["rows"] = table.num_rows
    counts["by_split"] = class_counts(table)
    return table, counts


def filter_batches(batches: list[Any], schema: Any, mask: Any) -> pa.Table:
    """Return a table of the rows where boolean array `mask` is true.

    Empties `batches` as it goes. Tables exported by DuckDB free their memory
    one record batch at a time, so filtering batch by batch keeps the peak
    near one copy of the data plus one batch.
    """
    import pyarrow as pa

    if mask.all():
        return pa.Table.from_batches(batches, schema=schema)
    kept = []
    offset = 0
    batches.reverse()
    while batches:
        batch = batches.pop()
        part = pa.array(mask[offset : offset + batch.num_rows])
        offset += batch.num_rows
        kept.append(batch.filter(part))
        del batch
    return pa.Table.from_batches(kept, schema=schema)


def duplicate_counts(
    con: Any, features: list[str], negative_category: str | None = None
) -> dict[str, Any]:
    """Count exact duplicates, conflicting labels and label/category mismatches.

    A mismatch is a record whose binary label disagrees with its category,
    such as a raw UNSW-NB15 row with an empty `attack_cat` (Normal) and Label 1.
    """
    from cybench.datasets.flows import literal, q

    mismatch = "false"
    if negative_category is not None:
        negative = literal(negative_category)
        mismatch = f"category IS NOT NULL AND (category = {negative}) <> (y = 0)"

    feature_hash = (
        f"hash({', '.join(q(c) for c in features)})" if features else "hash(text)"
    )
    row = con.sql(
        f"""
        WITH firsts AS (
            SELECT sample_id, any_value({feature_hash}) AS fh,
                   any_value(y) AS y, any_value(category) AS category,
                   count(*) AS copies
            FROM clean GROUP BY sample_id
        ), vectors AS (
            SELECT fh, count(DISTINCT y) AS ys, count(DISTINCT category) AS cats,
                   count(*) AS samples
            FROM firsts GROUP BY fh
        )
        SELECT (SELECT sum(copies) FROM firsts),
               (SELECT sum(copies - 1) FROM firsts),
               (SELECT count(*) FROM vectors WHERE ys > 1),
               (SELECT coalesce(sum(samples), 0) FROM vectors WHERE ys > 1),
               (SELECT count(*) FROM vectors WHERE cats > 1),
               (SELECT coalesce(sum(copies), 0) FROM firsts WHERE {mismatch})
        """
    ).fetchall()[0]
    return {
        "clean_rows": int(row[0] or 0),
        "duplicates_removed": int(row[1] or 0),
        "conflicting_label_vectors": int(row[2]),
        "conflicting_label_samples": int(row[3]),
        "conflicting_category_vectors": int(row[4]),
        "label_category_mismatches": int(row[5]),
    }


def split_sql(config: PrepConfig) -> str:
    """Return SQL assigning each unique sample to a split, stratified by class.

    Within a class, samples are ordered by md5(sample_id, seed); the first
    share goes to test, the next to dev, the rest to train. A class with at
    least three samples gets at least one in each split; a class with one
    sample goes to test and one with two to test and train.
    """
    train, dev, test = config.fractions
    seed = int(config.seed)
    return f"""
        WITH firsts AS (
            SELECT sample_id, min(_ord) AS _ord,
                   any_value(coalesce(category, label)) AS cls
            FROM clean GROUP BY sample_id
        ), ranked AS (
            SELECT _ord, cls,
                   row_number() OVER (
                       PARTITION BY cls ORDER BY md5(sample_id || ':{seed}'), sample_id
                   ) - 1 AS r,
                   count(*) OVER (PARTITION BY cls) AS n
            FROM firsts
        ), sized AS (
            SELECT _ord, r,
                CASE WHEN n >= 3 THEN greatest(1, round(n * {test})::BIGINT)
                     WHEN n >= 1 THEN 1 ELSE 0 END AS n_test,
                CASE WHEN n >= 3 AND {dev} > 0
                     THEN greatest(1, round(n * {dev})::BIGINT)
                     ELSE 0 END AS n_dev
            FROM ranked
        )
        SELECT _ord,
            CASE WHEN r < n_test THEN 'test'
                 WHEN r < n_test + n_dev THEN 'dev'
                 ELSE 'train' END AS split
        FROM sized ORDER BY _ord
    """


def class_counts(table: pa.Table) -> dict[str, dict[str, int]]:
    """Return {split: {class: rows}} of a samples table."""

    from cybench.datasets.duck import connect

    con = connect()
    try:
        con.register("t", table.select(["split", "label", "category"]))
        rows = con.execute(
            "SELECT split, coalesce(category, label) AS cls, count(*) FROM t "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    counts: dict[str, dict[str, int]] = {}
    for split, cls, n in rows:
        counts.setdefault(split, {})[cls] = int(n)
    return counts


def samples_meta(
    spec: DatasetSpec,
    raw: Manifest,
    table: pa.Table,
    features: list[str],
    counts: dict[str, Any],
) -> dict[str, Any]:
    """Return the samples manifest meta: columns, labels, counts and provenance."""
    import pyarrow as pa

    categorical = [
        c for c in features if pa.types.is_string(table.schema.field(c).type)
    ]
    return {
        "dataset": spec.name,
        "title": spec.title,
        "task": spec.task,
        "feature_columns": features,
        "categorical_columns": categorical,
        "info_columns": list(spec.info_columns),
        "categories": list(spec.categories) if spec.categories else None,
        "positive_label": spec.positive_label,
        "negative_label": spec.negative_label,
        "feature_descriptions": spec.feature_descriptions(raw.meta),
        "raw_rows": raw.rows,
        "partition": raw.meta.get("partition"),
        "licence": spec.licence,
        "citation": spec.citation,
        "counts": counts,
        "warnings": mismatch_warnings(counts),
    }


def mismatch_warnings(counts: dict[str, Any]) -> list[str]:
    """Return a warning when some records' label disagrees with their category."""
    mismatches = counts.get("label_category_mismatches", 0)
    if not mismatches:
        return []
    return [
        f"{mismatches:,} records have a binary label that disagrees with their "
        "category; `y` follows the published label column"
    ]


# -- prompts -------------------------------------------------------------------


def build_prompts(
    store: Store, spec: DatasetSpec, samples: Manifest, config: PrepConfig, version: int
) -> Manifest:
    """Sample the prompt set, render it and write the prompts artifact."""
    from cybench.datasets.sampling import few_shot_ids, sample_ids
    from cybench.prompts import render_prompts

    started = time.perf_counter()
    path = store.parquet_path(samples)
    chosen = sample_ids(path, config)
    if not chosen:
        raise UsageError(
            f"split {config.split} of samples {samples.short_key} is empty",
            hint="choose another --split",
        )
    examples = few_shot_ids(path, config) if config.template == "few-shot" else []
    if config.template == "few-shot" and len(examples) < config.k:
        raise few_shot_k_error(config.k, len(examples), samples)
    table = render_prompts(
        path, samples.meta, chosen, examples, config.template, version
    )
    meta = prompts_meta(spec, samples, table, examples)
    return store.write(
        STEP,
        "prompts",
        PROMPTS,
        config.prompts_params(spec.name, version),
        {"samples": samples.key},
        table,
        started=started,
        meta=meta,
    )


def prompts_meta(
    spec: DatasetSpec, samples: Manifest, table: pa.Table, examples: list[str]
) -> dict[str, Any]:
    """Return the prompts manifest meta: the answer contract and class counts."""
    from collections import Counter

    from cybench.prompts import answer_schema_for

    classes = Counter(
        c or lab
        for c, lab in zip(
            table.column("category").to_pylist(),
            table.column("label").to_pylist(),
            strict=True,
        )
    )
    contract = spec.answer_contract()
    meta = {
        "dataset": spec.name,
        "task": spec.task,
        "labels": list(contract.labels),
        "positive_label": spec.positive_label,
        "negative_label": spec.negative_label,
        "categories": list(contract.categories) if contract.categories else None,
        "few_shot_ids": examples,
        "class_counts": dict(sorted(classes.items())),
        "licence": spec.licence,
    }
    meta["answer_schema"] = answer_schema_for(meta)
    return meta
