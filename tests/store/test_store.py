import time

import pyarrow as pa
import pytest

from cybench.errors import StoreError
from cybench.store.query import connect


def table(n=3, offset=0):
    return pa.table(
        {"sample_id": [f"s{i + offset}" for i in range(n)], "y": list(range(n))}
    )


def write(store, kind="samples", params=None, inputs=None, t=None, step="prep"):
    return store.write(
        step,
        kind,
        1,
        params or {"seed": 1},
        inputs or {},
        t or table(),
        started=time.perf_counter(),
    )


def test_lookup_finds_written_artifact(store):
    manifest = write(store)
    assert store.lookup("prep", "samples", 1, {"seed": 1}, {}) == manifest


def test_lookup_misses_before_write(store):
    assert store.lookup("prep", "samples", 1, {"seed": 1}, {}) is None


def test_manifest_records_rows_and_version(store):
    manifest = write(store, t=table(5))
    assert (manifest.rows, manifest.schema_version, manifest.cybench_version) == (
        5,
        1,
        "0.1.0",
    )


def test_manifest_created_at_is_utc(store):
    assert write(store).created_at.utcoffset().total_seconds() == 0


def test_second_write_returns_first_manifest(store):
    first = write(store)
    second = write(store, t=table(9))
    assert second == first


def test_read_table_round_trips(store):
    manifest = write(store)
    assert store.read_table(manifest).to_pydict() == table().to_pydict()


def test_parquet_metadata_carries_schema_version(store):
    import json

    import pyarrow.parquet as pq

    manifest = write(store)
    stamp = json.loads(
        pq.read_metadata(store.parquet_path(manifest)).metadata[b"cybench"]
    )
    assert stamp == {"key": manifest.key, "kind": "samples", "schema_version": 1}


def test_resolve_accepts_unique_prefix(store):
    manifest = write(store)
    assert store.resolve(manifest.key[7:15]).key == manifest.key


def test_resolve_rejects_unknown_prefix(store):
    hexdigest = write(store).key[7:]
    other = ("0" if hexdigest[0] != "0" else "1") + hexdigest[1:8]
    with pytest.raises(StoreError, match="no artifact"):
        store.resolve(other)


def test_resolve_rejects_non_hex(store):
    with pytest.raises(StoreError, match="invalid key prefix"):
        store.resolve("../etc")


def test_latest_filters_on_params(store):
    write(store, params={"dataset": "unsw", "seed": 1})
    newest = write(store, params={"dataset": "unsw", "seed": 2})
    write(store, params={"dataset": "nsl-kdd", "seed": 3})
    assert store.latest("samples", dataset="unsw") == newest


def test_non_json_meta_writes_nothing(store):
    with pytest.raises(TypeError):
        store.write("prep", "samples", 1, {}, {}, table(), meta={"bad": {1, 2}})
    assert not list(store.root.glob("artifacts/*/*"))


def test_views_expose_each_kind(store):
    samples = write(store)
    write(store, kind="prompts", inputs={"samples": samples.key}, t=table(2))
    with connect(store) as con:
        counts = dict(con.execute("SELECT kind, rows FROM artifacts").fetchall())
        n_prompts = con.execute("SELECT count(*) FROM prompts").fetchone()[0]
        keys = {
            r[0]
            for r in con.execute("SELECT DISTINCT artifact_key FROM samples").fetchall()
        }
    assert counts == {"samples": 3, "prompts": 2}
    assert n_prompts == 2
    assert keys == {samples.key}


def test_views_skip_parquet_without_manifest(store):
    manifest = write(store)
    store.manifest_path(manifest).unlink()
    with connect(store) as con:
        tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert "samples" not in tables


def test_store_path_that_is_a_file_is_rejected(tmp_path):
    from cybench.store import Store

    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        Store(path)
