"""The fetch step: store a dataset's raw rows as published, with provenance.

The raw artifact's key covers the dataset, the source, the remote reference
and the digests of the files read, so fetching unchanged files again returns
the stored artifact, and a changed file gives a new one.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cybench.datasets.base import DatasetSpec, FetchOptions, file_record
from cybench.datasets.download import path_hint
from cybench.datasets.registry import get_dataset
from cybench.errors import DataError, UsageError

if TYPE_CHECKING:
    from cybench.store import Manifest, Store

log = logging.getLogger(__name__)

STEP = "fetch"
KIND = "raw"
SCHEMA_VERSION = 1


def ensure_fetch(
    store: Store,
    dataset: str,
    *,
    source: str | None = None,
    paths: Sequence[str | Path] = (),
    ref: str | None = None,
    labels: Sequence[str | None] = (),
    dry_run: bool = False,
) -> Manifest:
    """Return the raw artifact of `dataset` from `source`, fetching it when missing.

    With no source and no paths, a local copy found by `spec.discover_paths()`
    ($CYBENCH_DATA, then ../shared/data) is used. With `dry_run` nothing is
    written and the returned manifest is the one that would be written
    (`meta["dry_run"]` is true).
    """
    from cybench.datasets.progress import step_progress

    spec = get_dataset(dataset)
    source = source or spec.default_source
    spec.check_source(source)
    chosen = [Path(p).expanduser() for p in paths]
    if source == "path" and not chosen:
        chosen = default_paths(spec)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fetch-") as tmp:
        options = FetchOptions(
            ref=ref, labels=tuple(labels), download_dir=Path(tmp) / "download"
        )
        with step_progress(f"fetch {spec.name}") as progress:
            progress.update("locating files")
            files = spec.locate(source, chosen, options)
            if files is not None:
                digests = [file_record(f, None)["sha256"] for f in files]
                params = fetch_params(spec, source, options, digests)
                found = store.lookup(STEP, KIND, SCHEMA_VERSION, params, {})
                if found is not None:
                    return found
                progress.update(f"reading {len(files)} file(s)")
                table, meta = spec.read(files, options)
            else:
                progress.update("fetching")
                table, meta = spec.fetch(source, chosen, options)
                digests = [f["sha256"] for f in meta.get("files", [])]
                params = fetch_params(spec, source, options, digests)

            meta = provenance(spec, source, ref, meta)
            if dry_run:
                return dry_run_manifest(store, params, table.num_rows, meta)
            progress.update(f"writing {table.num_rows:,} raw rows")
            return store.write(
                STEP,
                KIND,
                SCHEMA_VERSION,
                params,
                {},
                table,
                started=started,
                meta=meta,
            )


def fetch_params(
    spec: DatasetSpec, source: str, options: FetchOptions, digests: list[str]
) -> dict[str, Any]:
    """Return the parameters that identify a raw artifact (file digests, not paths)."""
    return {
        "dataset": spec.name,
        "source": source,
        "ref": options.ref,
        "labels": list(options.labels),
        "file_digests": sorted(digests),
    }


def provenance(
    spec: DatasetSpec, source: str, ref: str | None, meta: dict[str, Any]
) -> dict[str, Any]:
    """Return `meta` completed with the dataset's licence, citation and source."""
    return {
        "dataset": spec.name,
        "title": spec.title,
        "task": spec.task,
        "licence": spec.licence,
        "citation": spec.citation,
        "url": spec.url,
        "source": source,
        "ref": ref,
        "warnings": [],
        **meta,
    }


def default_paths(spec: DatasetSpec) -> list[Path]:
    """Return the discovered local copy of `spec`, or raise naming where it looked."""
    from cybench.datasets.base import DATA_ENV, data_roots

    found = spec.discover_paths()
    if found:
        return found[:1]
    looked = ", ".join(str(r) for r in data_roots()) or "no data folder exists"
    raise DataError(
        f"no local copy of {spec.title} found "
        f"(looked in ${DATA_ENV}, ../shared/data: {looked})",
        hint=path_hint(spec.name, "FILE_OR_DIR"),
    )


def dry_run_manifest(
    store: Store, params: dict[str, Any], rows: int, meta: dict[str, Any]
) -> Manifest:
    """Return the manifest a write would produce, without writing anything."""
    from datetime import UTC, datetime

    from cybench import __version__
    from cybench.store import Manifest

    key = store.key_for(STEP, KIND, SCHEMA_VERSION, params, {})
    return Manifest(
        key=key,
        step=STEP,
        kind=KIND,
        schema_version=SCHEMA_VERSION,
        params=params,
        inputs={},
        rows=rows,
        content_digest="",
        cybench_version=__version__,
        created_at=datetime.now(UTC),
        wall_seconds=0.0,
        meta={**meta, "dry_run": True},
    )


def latest_raw(store: Store, dataset: str) -> Manifest | None:
    """Return the newest raw artifact of `dataset`, or None."""
    return store.latest(KIND, dataset=dataset)


def resolve_raw(store: Store, dataset: str, raw: str | None) -> Manifest:
    """Return the raw artifact for prep: `raw` (key prefix), the newest, or a fetch."""
    spec = get_dataset(dataset)
    if raw:
        manifest = store.resolve(raw, kind=KIND)
        if manifest.params.get("dataset") != spec.name:
            raise UsageError(
                f"raw artifact {manifest.short_key} belongs to "
                f"{manifest.params.get('dataset')}, "
                f"not {spec.name}",
                hint="give a raw artifact key of this dataset (`cybench datasets`)",
            )
        return manifest
    return latest_raw(store, spec.name) or ensure_fetch(store, spec.name)
