"""Store housekeeping: verify every hash, collect garbage, export artifacts."""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cybench.errors import UsageError
from cybench.store.files import TMP_SUFFIX
from cybench.store.keys import digest_file, split_key
from cybench.store.manifest import Manifest
from cybench.store.store import PARQUET_META_KEY, Store

if TYPE_CHECKING:
    import pyarrow as pa

# A temporary file whose writer is gone is garbage once it is this old.
STALE_TMP_SECONDS = 3600


@dataclass(frozen=True)
class Problem:
    """One damaged or inconsistent file found by `verify`."""

    path: Path
    problem: str


def _verify_artifact(store: Store, manifest_file: Path) -> list[Problem]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        manifest = Manifest.model_validate_json(manifest_file.read_bytes())
    except (OSError, ValueError) as exc:
        return [
            Problem(manifest_file, f"unreadable manifest ({exc.__class__.__name__})")
        ]

    problems = []
    derived = manifest.derived_key()
    if derived != manifest.key:
        problems.append(
            Problem(manifest_file, f"key {manifest.key} != re-derived {derived}")
        )
    if split_key(manifest.key)[1] != manifest_file.stem:
        problems.append(Problem(manifest_file, "file name does not match the key"))
    if manifest_file.parent.name != manifest.kind:
        problems.append(Problem(manifest_file, f"kind {manifest.kind} in wrong folder"))

    parquet = manifest_file.with_suffix(".parquet")
    if not parquet.exists():
        return [*problems, Problem(parquet, "missing Parquet file")]
    actual = digest_file(str(parquet))
    if actual != manifest.content_digest:
        problems.append(
            Problem(
                parquet,
                f"content digest {actual} != manifest {manifest.content_digest}",
            )
        )
        return problems
    try:
        meta = pq.read_metadata(parquet)
    except (OSError, pa.ArrowException) as exc:
        return [*problems, Problem(parquet, f"unreadable Parquet ({exc})")]
    if meta.num_rows != manifest.rows:
        problems.append(
            Problem(parquet, f"{meta.num_rows} rows, manifest says {manifest.rows}")
        )
    stamp = (meta.metadata or {}).get(PARQUET_META_KEY)
    if stamp is None or json.loads(stamp).get("key") != manifest.key:
        problems.append(Problem(parquet, "embedded key does not match the manifest"))
    return problems


def verify(store: Store) -> tuple[int, list[Problem]]:
    """Re-derive every key and content digest; return files checked and problems."""
    checked = 0
    problems: list[Problem] = []
    for manifest_file in sorted((store.root / "artifacts").glob("*/*.json")):
        checked += 1
        problems.extend(_verify_artifact(store, manifest_file))
    for batch in sorted((store.root / "rows").glob("*/*.parquet")):
        checked += 1
        actual = split_key(digest_file(str(batch)))[1]
        if actual != batch.stem:
            problems.append(
                Problem(batch, f"content digest sha256:{actual} != file name")
            )
    return checked, problems


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale_tmp(path: Path, now: float) -> bool:
    pid_text = path.name.split("-", 1)[0]
    if pid_text.isdigit() and not _pid_alive(int(pid_text)):
        return True
    return now - path.stat().st_mtime > STALE_TMP_SECONDS


def kept_keys(store: Store, manifests: list[Manifest]) -> set[str]:
    """Return the keys to keep: every artifact not dropped, and their inputs."""
    dropped = {p.name for p in (store.root / "dropped").glob("*")}
    by_key = {m.key: m for m in manifests}
    pending = [m.key for m in manifests if split_key(m.key)[1] not in dropped]
    kept: set[str] = set()
    while pending:
        key = pending.pop()
        if key in kept:
            continue
        kept.add(key)
        if key in by_key:
            pending.extend(by_key[key].input_keys())
    return kept


def gc(store: Store, *, dry_run: bool = False) -> list[Path]:
    """Remove what no kept artifact references; return the paths removed.

    Removed: dropped artifacts that no kept artifact uses as input, Parquet
    files without a manifest, and temporary files whose writer has exited.
    Row tables are left whole, because their rows let an interrupted run resume.
    """
    manifests = store.manifests()
    kept = kept_keys(store, manifests)
    doomed: list[Path] = []

    for m in manifests:
        if m.key not in kept:
            doomed += [store.parquet_path(m), store.manifest_path(m)]
    published = {store.parquet_path(m) for m in manifests}
    for parquet in (store.root / "artifacts").glob("*/*.parquet"):
        if parquet not in published:
            doomed.append(parquet)
    now = time.time()
    for tmp in store.tmp_dir.glob(f"*{TMP_SUFFIX}"):
        if _stale_tmp(tmp, now):
            doomed.append(tmp)
    kept_hex = {split_key(k)[1] for k in kept}
    for marker in (store.root / "dropped").glob("*"):
        if marker.name not in kept_hex:
            doomed.append(marker)

    if not dry_run:
        for path in doomed:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    return [p for p in doomed if p.exists() or not dry_run]


EXPORT_FORMATS = ("csv", "json", "parquet")


def export(
    store: Store, manifest: Manifest, fmt: str, out: Path | None
) -> bytes | None:
    """Write an artifact as CSV, JSON lines or Parquet to `out`, or return the bytes."""
    import io

    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if fmt not in EXPORT_FORMATS:
        raise UsageError(
            f"unknown export format {fmt!r}",
            hint=f"use one of {', '.join(EXPORT_FORMATS)}",
        )
    table = store.read_table(manifest)
    buffer = io.BytesIO()
    if fmt == "csv":
        pacsv.write_csv(_flatten_for_csv(table), buffer)
    elif fmt == "json":
        for row in table.to_pylist():
            buffer.write(
                json.dumps(row, default=str, ensure_ascii=False).encode() + b"\n"
            )
    else:
        pq.write_table(table, buffer, compression="zstd")
    data = buffer.getvalue()
    if out is None:
        return data
    from cybench.store.files import write_bytes_atomic

    write_bytes_atomic(out, out.parent, data)
    return None


def _flatten_for_csv(table: pa.Table) -> pa.Table:
    """Turn nested columns (lists, structs, maps) into JSON strings for CSV."""
    import pyarrow as pa

    columns = []
    for column in table.columns:
        if pa.types.is_nested(column.type):
            values = [json.dumps(v, default=str) for v in column.to_pylist()]
            columns.append(pa.array(values, pa.string()))
        else:
            columns.append(column)
    return pa.table(columns, names=table.column_names)
