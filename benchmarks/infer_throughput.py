"""Orchestration throughput of `cybench infer` against the stub API server.

Runs the aiohttp stub (tests/stub_server.py) in its own process with a fixed
reply latency, then answers the same prompts twice in this process: first
with a bare aiohttp client posting the chat-completions requests from
`concurrency` workers (the floor any client pays), then with `run_infer`
and the `openai:` provider (the official SDK), which adds key computation,
retries, parsing, row appends and the artifact write. Prints prompts/s for
both and their ratio.

    .venv/bin/python benchmarks/infer_throughput.py --prompts 2000 --latency 0.05 \
        --concurrency 64
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.infer.prompts import write_prompts  # noqa: E402
from tests.stub_server import STUB_KEY  # noqa: E402


def start_stub(latency: float) -> tuple[subprocess.Popen, str]:
    """Start the stub in a child process; return it and its base URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "tests" / "stub_server.py"),
            "--latency",
            str(latency),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        process.kill()
        raise SystemExit(f"stub did not start: {line!r}")
    return process, f"http://127.0.0.1:{line.split()[1]}"


async def bare_client(url: str, bodies: list[bytes], concurrency: int) -> float:
    """Post every body with `concurrency` workers; return prompts per second."""
    import aiohttp

    headers = {
        "Authorization": f"Bearer {STUB_KEY}",
        "Content-Type": "application/json",
    }
    pending = iter(bodies)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker() -> None:
            for body in pending:
                async with session.post(f"{url}/v1/chat/completions", data=body) as r:
                    json.loads(await r.read())

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(bodies) / (time.perf_counter() - started)


def request_bodies(store, prompts) -> list[bytes]:
    table = store.read_table(prompts, columns=["system", "user"]).to_pylist()
    return [
        json.dumps(
            {
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": row["system"]},
                    {"role": "user", "content": row["user"]},
                ],
                "temperature": 0,
                "seed": 0,
                "max_tokens": 256,
            }
        ).encode()
        for row in table
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()

    from cybench.infer import RunConfig, run_infer
    from cybench.store import Store

    os.environ["OPENAI_API_KEY"] = STUB_KEY
    stub, url = start_stub(args.latency)
    try:
        with tempfile.TemporaryDirectory() as folder:
            store = Store(Path(folder) / "store")
            prompts = write_prompts(store, args.prompts)
            bodies = request_bodies(store, prompts)
            asyncio.run(bare_client(url, bodies[:200], args.concurrency))  # warm-up
            bare = asyncio.run(bare_client(url, bodies, args.concurrency))

            rates = {}
            for client in ("sdk", "aiohttp"):
                config = RunConfig(
                    model=f"openai:gpt-4o-mini-{client}",
                    prep=prompts.key,
                    base_url=f"{url}/v1",
                    http_client=client,
                    concurrency=args.concurrency,
                    progress=False,
                )
                started = time.perf_counter()
                result = run_infer(store, config)
                wall = time.perf_counter() - started
                assert result.manifest is not None
                assert result.manifest.rows == args.prompts
                rates[client] = args.prompts / wall
    finally:
        stub.kill()

    print(
        f"prompts {args.prompts}, latency {args.latency * 1000:.0f} ms, "
        f"concurrency {args.concurrency}"
    )
    print(f"bare aiohttp client:             {bare:8.1f} prompts/s")
    for client, rate in rates.items():
        print(
            f"cybench infer, --http-client {client:7s} {rate:8.1f} prompts/s, "
            f"ratio {rate / bare:.2f} (whole run, artifact included)"
        )


if __name__ == "__main__":
    main()
