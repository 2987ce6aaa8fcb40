import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cybench.store.maintenance import gc, verify

CHILD = Path(__file__).with_name("writer_child.py")


def kill_mid_write(store_root: Path, mode: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(store_root), mode],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.strip() == "BLOCKED"
        assert list((store_root / "tmp").glob("*.tmp")), "temporary file should exist"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def test_sigkill_mid_artifact_leaves_no_partial_artifact(store):
    kill_mid_write(store.root, "artifact")
    assert [m.params for m in store.manifests()] == [{"n": 1}]


def test_sigkill_mid_artifact_leaves_no_stray_parquet(store):
    kill_mid_write(store.root, "artifact")
    assert len(list(store.root.glob("artifacts/*/*.parquet"))) == 1


def test_sigkill_mid_artifact_keeps_store_verifiable(store):
    kill_mid_write(store.root, "artifact")
    assert verify(store)[1] == []


def test_sigkill_mid_row_batch_keeps_only_finished_batch(store):
    kill_mid_write(store.root, "rows")
    table = store.rows("responses").read()
    assert sorted(table.column("row_key").to_pylist()) == sorted(
        f"k{i}" for i in range(500)
    )


def test_gc_removes_temporaries_of_killed_writer(store):
    kill_mid_write(store.root, "rows")
    removed = gc(store)
    assert [p.suffix for p in removed] == [".tmp"]


@pytest.mark.parametrize("mode", ["artifact", "rows"])
def test_store_views_work_after_kill(store, mode):
    kill_mid_write(store.root, mode)
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM artifacts").fetchone()[0] == (
            1 if mode == "artifact" else 0
        )
