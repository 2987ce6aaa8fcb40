"""Interrupted runs: SIGKILL and Ctrl-C mid-run, then a re-run that completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cybench.infer import RunConfig, run_infer
from cybench.store import Store
from tests.infer.prompts import write_prompts
from tests.stub_server import STUB_KEY

REPO = Path(__file__).resolve().parents[2]
PROMPTS = 160
MODEL = "openai:gpt-4o-mini"


@pytest.fixture
def slow_stub(stub):
    stub.state.latency_s = 0.05
    return stub


def start_infer(store_dir: Path, prep: str, base_url: str) -> subprocess.Popen:
    env = {**os.environ, "CYBENCH_STORE": str(store_dir), "OPENAI_API_KEY": STUB_KEY}
    command = [sys.executable, "-m", "cybench", "infer", "-m", MODEL]
    command += ["--prep", prep, "--base-url", base_url, "--concurrency", "2"]
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def wait_for_batch(store_dir: Path, process: subprocess.Popen) -> None:
    """Wait until the run has appended at least one batch of rows."""
    folder = store_dir / "rows" / "responses"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(folder.glob("*.parquet")):
            return
        if process.poll() is not None:
            pytest.fail(f"infer exited early: {process.stderr.read().decode()}")
        time.sleep(0.05)
    pytest.fail("no batch appended within 60 s")


def stored_row_count(store_dir: Path) -> int:
    folder = store_dir / "rows" / "responses"
    return sum(pq.read_metadata(p).num_rows for p in folder.glob("*.parquet"))


def comparable(store: Store, manifest) -> list[dict]:
    table = store.read_table(manifest).drop_columns(["latency_s"])
    return table.to_pylist()


def finish_and_compare(store_dir: Path, store: Store, prompts, stub, tmp_path):
    """Re-run to completion; compare with an uninterrupted run in a fresh store."""
    config = RunConfig(
        model=MODEL, prep=prompts.key, base_url=stub.openai_url, progress=False
    )
    resumed = run_infer(store, config)
    fresh_store = Store(tmp_path / "fresh")
    fresh_prompts = write_prompts(fresh_store, PROMPTS)
    assert fresh_prompts.key == prompts.key
    fresh = run_infer(fresh_store, config)
    return resumed, fresh, fresh_store


def test_sigkill_mid_run_resumes(store_dir, store, slow_stub, tmp_path):
    prompts = write_prompts(store, PROMPTS)
    process = start_infer(store_dir, prompts.key, slow_stub.openai_url)
    wait_for_batch(store_dir, process)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    saved = stored_row_count(store_dir)
    assert 0 < saved < PROMPTS

    before = slow_stub.requests
    resumed, fresh, fresh_store = finish_and_compare(
        store_dir, store, prompts, slow_stub, tmp_path
    )
    assert slow_stub.requests - before - PROMPTS == PROMPTS - saved
    assert comparable(store, resumed.manifest) == comparable(
        fresh_store, fresh.manifest
    )
    assert stored_row_count(store_dir) == PROMPTS


def test_ctrl_c_exits_130_and_resumes(store_dir, store, slow_stub, tmp_path):
    prompts = write_prompts(store, PROMPTS)
    process = start_infer(store_dir, prompts.key, slow_stub.openai_url)
    wait_for_batch(store_dir, process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in stderr.decode()
    saved = stored_row_count(store_dir)
    assert saved < PROMPTS

    resumed, fresh, fresh_store = finish_and_compare(
        store_dir, store, prompts, slow_stub, tmp_path
    )
    assert comparable(store, resumed.manifest) == comparable(
        fresh_store, fresh.manifest
    )
    assert stored_row_count(store_dir) == PROMPTS
    assert store.manifests("responses")[-1].rows == PROMPTS
