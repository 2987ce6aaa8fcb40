import pyarrow as pa

from cybench.store.maintenance import export, gc, verify


def write(store, kind, params, inputs=None, n=4):
    table = pa.table(
        {"sample_id": [f"s{i}" for i in range(n)], "y": [i % 2 for i in range(n)]}
    )
    return store.write("step", kind, 1, params, inputs or {}, table)


def test_verify_passes_on_clean_store(store):
    write(store, "samples", {"a": 1})
    store.rows("responses").append([{"row_key": "k", "v": 1}])
    checked, problems = verify(store)
    assert (checked, problems) == (2, [])


def test_verify_names_flipped_byte(store):
    manifest = write(store, "samples", {"a": 1})
    path = store.parquet_path(manifest)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert [p.path for p in verify(store)[1]] == [path]


def test_verify_names_truncated_file(store):
    manifest = write(store, "samples", {"a": 1})
    path = store.parquet_path(manifest)
    path.write_bytes(path.read_bytes()[:100])
    assert [p.path for p in verify(store)[1]] == [path]


def test_verify_names_edited_manifest_params(store):
    manifest = write(store, "samples", {"a": 1})
    path = store.manifest_path(manifest)
    path.write_text(path.read_text().replace('"a": 1', '"a": 2'))
    problems = verify(store)[1]
    assert [p.path for p in problems] == [path]
    assert "re-derived" in problems[0].problem


def test_verify_names_damaged_row_batch(store):
    path = store.rows("responses").append([{"row_key": "k", "v": 1}])
    path.write_bytes(path.read_bytes()[:-10])
    assert [p.path for p in verify(store)[1]] == [path]


def test_gc_keeps_dropped_artifact_that_a_kept_one_needs(store):
    raw = write(store, "raw", {"a": 1})
    write(store, "samples", {"a": 1}, inputs={"raw": raw.key})
    store.drop(raw)
    gc(store)
    assert {m.kind for m in store.manifests()} == {"raw", "samples"}


def test_gc_removes_dropped_leaf(store):
    raw = write(store, "raw", {"a": 1})
    samples = write(store, "samples", {"a": 1}, inputs={"raw": raw.key})
    store.drop(samples)
    removed = gc(store)
    assert {m.kind for m in store.manifests()} == {"raw"}
    assert store.parquet_path(samples) in removed


def test_gc_removes_dropped_chain(store):
    raw = write(store, "raw", {"a": 1})
    samples = write(store, "samples", {"a": 1}, inputs={"raw": raw.key})
    store.drop(raw)
    store.drop(samples)
    gc(store)
    assert store.manifests() == []


def test_gc_keeps_undropped_artifacts(store):
    write(store, "raw", {"a": 1})
    write(store, "raw", {"a": 2})
    assert gc(store) == []


def test_gc_removes_parquet_without_manifest(store):
    manifest = write(store, "samples", {"a": 1})
    store.manifest_path(manifest).unlink()
    assert gc(store) == [store.parquet_path(manifest)]


def test_gc_dry_run_removes_nothing(store):
    manifest = write(store, "samples", {"a": 1})
    store.drop(manifest)
    listed = gc(store, dry_run=True)
    assert store.parquet_path(manifest) in listed
    assert store.parquet_path(manifest).exists()


def test_export_csv_has_header_and_rows(store):
    manifest = write(store, "samples", {"a": 1}, n=2)
    assert export(store, manifest, "csv", None).decode().splitlines() == [
        '"sample_id","y"',
        '"s0",0',
        '"s1",1',
    ]


def test_export_json_lines(store):
    manifest = write(store, "samples", {"a": 1}, n=2)
    assert export(store, manifest, "json", None).decode().splitlines()[1] == (
        '{"sample_id": "s1", "y": 1}'
    )


def test_export_parquet_to_file(store, tmp_path):
    import pyarrow.parquet as pq

    manifest = write(store, "samples", {"a": 1}, n=3)
    out = tmp_path / "out.parquet"
    export(store, manifest, "parquet", out)
    assert pq.read_table(out).num_rows == 3
