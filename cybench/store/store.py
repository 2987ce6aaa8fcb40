"""The content-addressed artifact store.

Identity rule: an artifact's key is `sha256:` + the SHA-256 of the canonical
JSON of its step, kind, schema version, parameters and input keys (see
`cybench.store.keys`). The same inputs give the same key, so a step calls
`store.lookup(...)` before doing any work and reuses what it returns.

Layout under the store root:

    artifacts/KIND/HEX.parquet   immutable table, written before its manifest
    artifacts/KIND/HEX.json      manifest; its presence publishes the artifact
    rows/TABLE/DIGEST.parquet    row-level batches (see `cybench.store.rows`)
    dropped/HEX                  marks an artifact for removal by `gc`
    locks/, tmp/                 writer locks and in-flight temporaries

A Parquet file without its manifest is not an artifact: readers ignore it and
`gc` removes it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cybench import __version__
from cybench.errors import StoreError
from cybench.store.files import locked, write_atomic, write_bytes_atomic
from cybench.store.keys import artifact_key, canonical_json, digest_file, split_key
from cybench.store.manifest import Manifest

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from cybench.store.rows import RowTable

DEFAULT_STORE = "store"
STORE_ENV = "CYBENCH_STORE"  # also named in cybench.cli.state
PARQUET_META_KEY = b"cybench"


def resolve_store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Return the store folder: the argument, else $CYBENCH_STORE, else ./store."""
    chosen = path or os.environ.get(STORE_ENV) or DEFAULT_STORE
    return Path(chosen).expanduser()


class Store:
    """A folder of hash-addressed Parquet artifacts and row tables."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        existing = next(
            (p for p in (self.root, *self.root.parents) if p.exists()), None
        )
        if existing is not None and not existing.is_dir():
            what = (
                "is a file"
                if existing == self.root
                else f"is under the file {existing}"
            )
            raise StoreError(
                f"store path {self.root} {what}, not a folder",
                hint="pass --store with a folder path or set CYBENCH_STORE",
            )

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> Store:
        return cls(resolve_store_path(path))

    # -- paths -------------------------------------------------------------

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    def ensure_writable(self) -> None:
        """Create the store folder; raise StoreError when that is impossible."""
        try:
            self.tmp_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create store folder {self.root}: {exc.strerror}",
                hint="pass --store with a writable folder or set CYBENCH_STORE",
            ) from exc

    def _paths(self, kind: str, key: str) -> tuple[Path, Path]:
        _, hexdigest = split_key(key)
        folder = self.root / "artifacts" / kind
        return folder / f"{hexdigest}.parquet", folder / f"{hexdigest}.json"

    def parquet_path(self, manifest: Manifest) -> Path:
        return self._paths(manifest.kind, manifest.key)[0]

    def manifest_path(self, manifest: Manifest) -> Path:
        return self._paths(manifest.kind, manifest.key)[1]

    # -- lookup ------------------------------------------------------------

    def _manifest_files(self, kind: str | None = None) -> list[Path]:
        base = self.root / "artifacts"
        pattern = f"{kind}/*.json" if kind else "*/*.json"
        return sorted(base.glob(pattern))

    @staticmethod
    def _load_manifest(path: Path) -> Manifest:
        try:
            return Manifest.model_validate_json(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"unreadable manifest {path}: {exc.__class__.__name__}",
                hint="run `cybench store verify` to list damaged files",
            ) from exc

    def find(self, key: str, kind: str | None = None) -> Manifest | None:
        """Return the manifest of artifact `key`, or None when it does not exist."""
        _, hexdigest = split_key(key)
        kinds = [kind] if kind else [p.parent.name for p in self._manifest_files()]
        for k in dict.fromkeys(kinds):
            path = self.root / "artifacts" / k / f"{hexdigest}.json"
            if path.exists():
                return self._load_manifest(path)
        return None

    def key_for(
        self,
        step: str,
        kind: str,
        schema_version: int,
        params: Mapping[str, Any],
        inputs: Mapping[str, Any],
    ) -> str:
        """Return the key of the artifact these inputs would produce."""
        return artifact_key(step, kind, schema_version, params, inputs)

    def lookup(
        self,
        step: str,
        kind: str,
        schema_version: int,
        params: Mapping[str, Any],
        inputs: Mapping[str, Any],
    ) -> Manifest | None:
        """Return the artifact for these inputs, or None; call it before working."""
        key = self.key_for(step, kind, schema_version, params, inputs)
        return self.find(key, kind)

    def manifests(self, kind: str | None = None) -> list[Manifest]:
        """Return every artifact's manifest, oldest first."""
        found = [self._load_manifest(p) for p in self._manifest_files(kind)]
        return sorted(found, key=lambda m: (m.created_at, m.key))

    def latest(self, kind: str, **param_filter: Any) -> Manifest | None:
        """Return the newest artifact of `kind` whose params match every filter."""
        matches = [
            m
            for m in self.manifests(kind)
            if all(m.params.get(k) == v for k, v in param_filter.items())
        ]
        return matches[-1] if matches else None

    def resolve(self, prefix: str, kind: str | None = None) -> Manifest:
        """Return the one artifact whose key starts with `prefix`."""
        text = prefix.strip()
        hex_prefix = text.split(":", 1)[1] if text.startswith("sha256:") else text
        if len(hex_prefix) < 4 or any(c not in "0123456789abcdef" for c in hex_prefix):
            raise StoreError(
                f"invalid key prefix {prefix!r}",
                hint="give at least 4 hex digits of a key from `cybench store ls`",
            )
        hits = [p for p in self._manifest_files(kind) if p.stem.startswith(hex_prefix)]
        if not hits:
            where = f" of kind {kind}" if kind else ""
            raise StoreError(
                f"no artifact{where} with key prefix {prefix!r} in {self.root}",
                hint="list artifacts with `cybench store ls`",
            )
        if len(hits) > 1:
            raise StoreError(
                f"key prefix {prefix!r} matches {len(hits)} artifacts",
                hint="give more digits of the key",
            )
        return self._load_manifest(hits[0])

    # -- read and write ----------------------------------------------------

    def write(
        self,
        step: str,
        kind: str,
        schema_version: int,
        params: Mapping[str, Any],
        inputs: Mapping[str, Any],
        table: pa.Table,
        *,
        started: float | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> Manifest:
        """Write `table` as the artifact for these inputs and return its manifest.

        `started` is a `time.perf_counter()` value taken when the step began, so
        the manifest records the step's wall time. Writing an artifact that
        already exists returns the existing manifest and writes nothing.
        """
        import pyarrow.parquet as pq

        key = self.key_for(step, kind, schema_version, params, inputs)
        canonical_json(dict(meta or {}))  # reject non-JSON metadata before any I/O
        self.ensure_writable()
        parquet, manifest_file = self._paths(kind, key)
        _, hexdigest = split_key(key)

        with locked(self.root / "locks" / f"{hexdigest}.lock"):
            if manifest_file.exists():
                return self._load_manifest(manifest_file)

            file_meta = canonical_json(
                {"key": key, "kind": kind, "schema_version": schema_version}
            )
            stamped = table.replace_schema_metadata(
                {**(table.schema.metadata or {}), PARQUET_META_KEY: file_meta}
            )
            write_atomic(
                parquet,
                self.tmp_dir,
                lambda p: pq.write_table(stamped, p, compression="zstd"),
                suffix=".parquet",
            )
            manifest = Manifest(
                key=key,
                step=step,
                kind=kind,
                schema_version=schema_version,
                params=dict(params),
                inputs=dict(inputs),
                rows=table.num_rows,
                content_digest=digest_file(str(parquet)),
                cybench_version=__version__,
                created_at=datetime.now(UTC),
                wall_seconds=round(time.perf_counter() - started, 6)
                if started
                else 0.0,
                meta=dict(meta or {}),
            )
            write_bytes_atomic(
                manifest_file, self.tmp_dir, manifest.model_dump_json(indent=2).encode()
            )
        return manifest

    def read_table(
        self, manifest: Manifest, columns: list[str] | None = None
    ) -> pa.Table:
        """Read an artifact's table; raise StoreError if the file is missing or bad."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = self.parquet_path(manifest)
        try:
            return pq.read_table(path, columns=columns)
        except (OSError, pa.ArrowException) as exc:
            raise StoreError(
                f"cannot read artifact {manifest.short_key} at {path}: {exc}",
                hint="run `cybench store verify`; re-run the step to rebuild it",
            ) from exc

    def rows(self, name: str) -> RowTable:
        """Return the row-level table `name` (responses, judgments, ...)."""
        from cybench.store.rows import RowTable

        return RowTable(self, name)

    def drop(self, manifest: Manifest) -> None:
        """Mark an artifact for removal by the next `gc`; nothing is deleted now."""
        _, hexdigest = split_key(manifest.key)
        write_bytes_atomic(self.root / "dropped" / hexdigest, self.tmp_dir, b"")

    def connect(self) -> duckdb.DuckDBPyConnection:
        """Return an in-memory DuckDB connection with views over this store."""
        from cybench.store.query import connect

        return connect(self)
