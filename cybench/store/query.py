"""DuckDB views over the store: the one query layer for every listing.

`connect(store)` returns an in-memory connection with:

- `artifacts`: one row per published artifact (manifest fields, JSON columns
  for params, inputs and meta);
- one view per artifact kind present (`samples`, `prompts`, `responses`,
  `judgments`, `scores`, ...), the union of that kind's Parquet files with an
  `artifact_key` column;
- one view per row table, suffixed `_rows` (`response_rows`, ...), with the
  latest row per key.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from cybench.store.rows import parquet_source

if TYPE_CHECKING:
    import duckdb

    from cybench.store.manifest import Manifest
    from cybench.store.store import Store

_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")

ARTIFACT_COLUMNS = (
    "key VARCHAR, step VARCHAR, kind VARCHAR, schema_version INTEGER, rows BIGINT, "
    "content_digest VARCHAR, cybench_version VARCHAR, created_at TIMESTAMPTZ, "
    "wall_seconds DOUBLE, params JSON, inputs JSON, meta JSON"
)


def _artifacts_view(con: duckdb.DuckDBPyConnection, manifests: list[Manifest]) -> None:
    import pyarrow as pa

    con.execute(f"CREATE TABLE artifacts ({ARTIFACT_COLUMNS})")
    if not manifests:
        return
    table = pa.table(
        {
            "key": [m.key for m in manifests],
            "step": [m.step for m in manifests],
            "kind": [m.kind for m in manifests],
            "schema_version": [m.schema_version for m in manifests],
            "rows": [m.rows for m in manifests],
            "content_digest": [m.content_digest for m in manifests],
            "cybench_version": [m.cybench_version for m in manifests],
            "created_at": [m.created_at for m in manifests],
            "wall_seconds": [m.wall_seconds for m in manifests],
            "params": [json.dumps(m.params) for m in manifests],
            "inputs": [json.dumps(m.inputs) for m in manifests],
            "meta": [json.dumps(m.meta) for m in manifests],
        }
    )
    con.register("_manifests", table)
    con.execute("INSERT INTO artifacts SELECT * FROM _manifests")
    con.unregister("_manifests")


def lock_down(con: duckdb.DuckDBPyConnection, store: Store) -> None:
    """Limit `con` to reading the store's own Parquet files, for user SQL.

    After this, queries cannot read, copy to, attach or download any other
    file, and cannot change the setting back. DuckDB still lets a query write
    over one of the allowed files; `cybench store verify` detects that.
    """
    allowed = [str(p) for p in (store.root / "artifacts").glob("*/*.parquet")]
    allowed += [str(p) for p in (store.root / "rows").glob("*/*.parquet")]
    con.execute("SET allowed_paths = ?", [allowed])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def connect(store: Store) -> duckdb.DuckDBPyConnection:
    """Return an in-memory DuckDB connection with views over `store`."""
    import duckdb

    con = duckdb.connect()
    manifests = store.manifests()
    _artifacts_view(con, manifests)

    by_kind: dict[str, list[str]] = {}
    for m in manifests:
        path = store.parquet_path(m)
        if path.exists():
            by_kind.setdefault(m.kind, []).append(str(path))
    for kind, paths in sorted(by_kind.items()):
        if not _IDENT.match(kind):
            continue
        source = parquet_source(paths)  # type: ignore[arg-type]
        con.execute(
            f"CREATE VIEW {kind} AS SELECT 'sha256:' || "
            f"regexp_extract(filename, '([0-9a-f]{{64}})\\.parquet$', 1) "
            "AS artifact_key, "
            f"* EXCLUDE (filename) FROM {source}"
        )

    rows_root = store.root / "rows"
    if rows_root.is_dir():
        for folder in sorted(p for p in rows_root.iterdir() if p.is_dir()):
            name = folder.name.rstrip("s") + "_rows"
            sql = store.rows(folder.name).relation_sql()
            if sql and _IDENT.match(name):
                con.execute(f"CREATE VIEW {name} AS {sql}")
    return con
