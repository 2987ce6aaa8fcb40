"""Row-level tables: step outputs produced one row at a time.

A row table is a folder of immutable Parquet batches. Each batch is named by
the digest of its own bytes and published atomically, so a killed writer loses
at most the batch it was writing and two writers never touch the same file.
Every row has
a `row_key` (the digest of the fields that determine it) and a `written_at`
timestamp. Readers see the latest row per key; a key written twice, by a retry
or by two processes at once, still reads back as one row.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cybench.store.files import publish, temp_path
from cybench.store.keys import digest_file, split_key

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from cybench.store.store import Store

ROW_KEY = "row_key"
WRITTEN_AT = "written_at"


def arrow_table(con: duckdb.DuckDBPyConnection, query: str) -> pa.Table:
    """Run `query` and return its rows as an Arrow table without an extra copy.

    DuckDB 2 names the method `to_arrow_table`; DuckDB 1 names it `arrow`.
    """
    relation = con.sql(query)
    fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
    return fetch()


def sql_string(value: str) -> str:
    """Quote `value` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def parquet_source(paths: Iterable[Path]) -> str:
    """Return a DuckDB `read_parquet` call over an explicit list of files."""
    listed = ", ".join(sql_string(str(p)) for p in paths)
    return f"read_parquet([{listed}], union_by_name = true, filename = true)"


class RowTable:
    """One named row table inside a store."""

    def __init__(self, store: Store, name: str) -> None:
        self.store = store
        self.name = name
        self.folder = store.root / "rows" / name

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.parquet"))

    def append(self, rows: pa.Table | list[Mapping[str, Any]]) -> Path | None:
        """Publish `rows` as one batch; return its path, or None for no rows."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(list(rows))
        if table.num_rows == 0:
            return None
        if ROW_KEY not in table.column_names:
            raise ValueError(f"rows for table {self.name!r} have no {ROW_KEY} column")
        if WRITTEN_AT not in table.column_names:
            now = pa.array(
                [datetime.now(UTC)] * table.num_rows, pa.timestamp("us", "UTC")
            )
            table = table.append_column(WRITTEN_AT, now)

        self.store.ensure_writable()
        tmp = temp_path(self.store.tmp_dir, ".parquet")
        try:
            pq.write_table(table, tmp, compression="zstd")
            _, hexdigest = split_key(digest_file(str(tmp)))
            final = self.folder / f"{hexdigest}.parquet"
            publish(tmp, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        return final

    def relation_sql(self, prefilter: str | None = None) -> str | None:
        """Return SQL for the deduplicated rows (latest per key), or None if empty.

        `prefilter` is a SQL condition applied before deduplication; it must
        select whole keys (e.g. a condition on `row_key`), so that the latest
        row of every selected key is still the one returned.
        """
        files = self.files()
        if not files:
            return None
        condition = f"WHERE {prefilter}" if prefilter else ""
        return (
            f"SELECT * EXCLUDE (filename) FROM {parquet_source(files)} {condition} "
            f"QUALIFY row_number() OVER (PARTITION BY {ROW_KEY} "
            f"ORDER BY {WRITTEN_AT} DESC, filename DESC) = 1"
        )

    def _connect(self) -> duckdb.DuckDBPyConnection:
        import duckdb

        return duckdb.connect()

    def keys(self, where: str | None = None) -> set[str]:
        """Return the row keys present, optionally only those matching SQL `where`."""
        sql = self.relation_sql()
        if sql is None:
            return set()
        condition = f"WHERE {where}" if where else ""
        query = f"SELECT {ROW_KEY} FROM ({sql}) {condition}"
        with self._connect() as con:
            return {r[0] for r in con.execute(query).fetchall()}

    def read(self, keys: Iterable[str] | None = None) -> pa.Table:
        """Return the latest row per key, for all keys or only the ones given."""
        import pyarrow as pa

        if keys is None:
            sql = self.relation_sql()
        else:
            sql = self.relation_sql(f"{ROW_KEY} IN (SELECT {ROW_KEY} FROM wanted)")
        if sql is None:
            return pa.table({ROW_KEY: pa.array([], pa.string())})
        with self._connect() as con:
            if keys is not None:
                wanted = pa.table({ROW_KEY: pa.array(list(keys), pa.string())})
                con.register("wanted", wanted)
            return arrow_table(con, sql)

    def compact(self) -> int:
        """Merge every batch into one deduplicated batch; return files merged."""
        files = self.files()
        if len(files) < 2:
            return 0
        merged = self.read()
        self.append(merged)
        for path in files:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        return len(files)
