import multiprocessing as mp

import pyarrow as pa

from cybench.store import Store


def rows(keys, tag):
    return [{"row_key": k, "value": f"{tag}-{k}"} for k in keys]


def test_append_then_read_round_trips(store):
    store.rows("responses").append(rows(["a", "b"], "x"))
    assert sorted(store.rows("responses").read().column("row_key").to_pylist()) == [
        "a",
        "b",
    ]


def test_empty_append_writes_nothing(store):
    assert store.rows("responses").append([]) is None


def test_latest_row_wins_per_key(store):
    table = store.rows("responses")
    table.append(rows(["a"], "old"))
    table.append(rows(["a"], "new"))
    assert table.read().column("value").to_pylist() == ["new-a"]


def test_keys_filters_with_sql(store):
    table = store.rows("responses")
    table.append(
        [{"row_key": "a", "error": None}, {"row_key": "b", "error": "Timeout"}]
    )
    assert table.keys(where="error IS NULL") == {"a"}


def test_read_selected_keys(store):
    table = store.rows("responses")
    table.append(rows(["a", "b", "c"], "x"))
    assert sorted(table.read(["a", "c", "z"]).column("row_key").to_pylist()) == [
        "a",
        "c",
    ]


def test_batch_file_named_by_content_digest(store):
    from cybench.store.keys import digest_file

    path = store.rows("responses").append(rows(["a"], "x"))
    assert digest_file(str(path)) == f"sha256:{path.stem}"


def test_compact_keeps_every_row_once(store):
    table = store.rows("responses")
    for i in range(5):
        table.append(rows([f"k{i}", "shared"], str(i)))
    table.compact()
    keys = table.read().column("row_key").to_pylist()
    assert (len(table.files()), sorted(keys)) == (
        1,
        sorted([f"k{i}" for i in range(5)] + ["shared"]),
    )


def test_response_rows_view_deduplicates(store):
    table = store.rows("responses")
    table.append(rows(["a", "b"], "1"))
    table.append(rows(["b"], "2"))
    with store.connect() as con:
        got = dict(con.execute("SELECT row_key, value FROM response_rows").fetchall())
    assert got == {"a": "1-a", "b": "2-b"}


def _append_many(root, worker, n_batches, batch):
    store = Store(root)
    for b in range(n_batches):
        keys = [f"w{worker}-{b}-{i}" for i in range(batch)] + [f"shared-{b}"]
        store.rows("responses").append(pa.Table.from_pylist(rows(keys, str(worker))))


def test_two_processes_append_without_loss_or_duplicates(store):
    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(target=_append_many, args=(str(store.root), w, 20, 50))
        for w in (0, 1)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    keys = store.rows("responses").read().column("row_key").to_pylist()
    expected = {f"w{w}-{b}-{i}" for w in (0, 1) for b in range(20) for i in range(50)}
    expected |= {f"shared-{b}" for b in range(20)}
    assert len(keys) == len(set(keys))
    assert set(keys) == expected


def _write_same_artifact(root):
    store = Store(root)
    table = pa.table({"v": list(range(10_000))})
    for _ in range(5):
        store.write("prep", "samples", 1, {"p": 1}, {}, table)


def test_two_processes_writing_one_artifact_agree(store):
    from cybench.store.maintenance import verify

    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(target=_write_same_artifact, args=(str(store.root),))
        for _ in (0, 1)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert len(store.manifests()) == 1
    assert verify(store)[1] == []
