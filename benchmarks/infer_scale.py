"""Re-run speed and memory of `cybench infer` at scale, against the stub server.

1. Answers `--rerun-prompts` prompts (default 10,000), then times the same
   command again: in-process `run_infer` and the `cybench infer` CLI in a fresh
   process, both with the stub's request counter checked for zero. It also
   times a re-run that must rebuild the artifact from stored rows (a new price
   table changes the artifact key but no row key).
2. Runs `cybench infer` over `--big-prompts` prompts (default 100,000) in a
   child process and reports that child's peak RSS.

    .venv/bin/python benchmarks/infer_scale.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from infer_throughput import start_stub  # noqa: E402

from tests.infer.prompts import write_prompts  # noqa: E402
from tests.stub_server import STUB_KEY  # noqa: E402

MODEL = "openai:gpt-4o-mini"


def stub_requests(url: str) -> int:
    with urllib.request.urlopen(f"{url}/_stub/stats") as response:
        return json.loads(response.read())["requests"]


def cli(store: Path, prep: str, url: str, *extra: str) -> tuple[float, int]:
    """Run `cybench infer` in a child; return (wall seconds, its peak RSS in MB)."""
    env = {**os.environ, "CYBENCH_STORE": str(store), "OPENAI_API_KEY": STUB_KEY}
    command = [sys.executable, "-m", "cybench", "infer", "-m", MODEL, "--prep", prep]
    command += ["--base-url", f"{url}/v1", "--http-client", "aiohttp", *extra]
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True)
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kb // 1024


def rerun(url: str, count: int) -> None:
    from cybench.infer import RunConfig, run_infer
    from cybench.store import Store

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "store"
        store = Store(root)
        prompts = write_prompts(store, count)
        config = RunConfig(
            model=MODEL,
            prep=prompts.key,
            base_url=f"{url}/v1",
            http_client="aiohttp",
            concurrency=64,
            progress=False,
        )
        started = time.perf_counter()
        run_infer(store, config)
        first = time.perf_counter() - started

        before = stub_requests(url)
        started = time.perf_counter()
        again = run_infer(store, config)
        in_process = time.perf_counter() - started
        assert again.reused
        cli_wall, _ = cli(root, prompts.key, url)
        env = {**os.environ, "CYBENCH_STORE": str(root)}
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cybench", "--version"], env=env, check=True
        )
        version_wall = time.perf_counter() - started

        prices = Path(folder) / "prices.json"
        prices.write_text(json.dumps({"date": "2026-12-04", "models": {}}))
        started = time.perf_counter()
        rebuilt = run_infer(store, config.model_copy(update={"price_table": prices}))
        from_rows = time.perf_counter() - started
        assert not rebuilt.reused
        requests = stub_requests(url) - before

    print(f"first run of {count} prompts: {first:.2f} s")
    print(f"re-run, in process:           {in_process:.3f} s")
    print(f"re-run, `cybench infer` CLI:  {cli_wall:.3f} s (fresh interpreter)")
    print(f"`cybench --version` for scale: {version_wall:.3f} s")
    print(f"re-run from stored rows:      {from_rows:.3f} s (new artifact, no calls)")
    print(f"requests during the re-runs:  {requests}")


def big_run(url: str, count: int) -> None:
    from cybench.store import Store

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "store"
        prompts = write_prompts(Store(root), count)
        wall, peak_mb = cli(root, prompts.key, url, "--concurrency", "64")
    print(f"run of {count} prompts: {wall:.1f} s, {count / wall:.0f} prompts/s")
    print(f"peak RSS of the `cybench infer` process: {peak_mb} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rerun-prompts", type=int, default=10_000)
    parser.add_argument("--big-prompts", type=int, default=100_000)
    args = parser.parse_args()

    os.environ["OPENAI_API_KEY"] = STUB_KEY
    stub, url = start_stub(0.0)
    try:
        rerun(url, args.rerun_prompts)
        if args.big_prompts:
            big_run(url, args.big_prompts)
    finally:
        stub.kill()


if __name__ == "__main__":
    main()
