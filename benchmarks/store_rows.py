"""Row-table throughput: append 1,000,000 small rows in batches, then read
them back through DuckDB (deduplicated, latest row per key).

Reports rows/s for both, and the ratio of the append rate to writing the same
batches with plain `pyarrow.parquet.write_table` into one folder (no digest,
no fsync, no rename), measured in the same script.

Run: .venv/bin/python benchmarks/store_rows.py [--rows 1000000] [--batch 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cybench.store import Store


def batches(total: int, size: int):
    for start in range(0, total, size):
        n = min(size, total - start)
        yield pa.table(
            {
                "row_key": [f"sha256:{i:064x}" for i in range(start, start + n)],
                "label": [
                    "attack" if i % 3 else "benign" for i in range(start, start + n)
                ],
                "confidence": [
                    ((i * 7919) % 1000) / 1000 for i in range(start, start + n)
                ],
                "latency_s": [0.05] * n,
            }
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    prepared = list(batches(args.rows, args.batch))

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain"
        plain.mkdir()
        start = time.perf_counter()
        for i, table in enumerate(prepared):
            pq.write_table(table, plain / f"{i}.parquet", compression="zstd")
        plain_s = time.perf_counter() - start

        rows = Store(Path(tmp) / "store").rows("responses")
        start = time.perf_counter()
        for table in prepared:
            rows.append(table)
        append_s = time.perf_counter() - start

        start = time.perf_counter()
        read = rows.read()
        read_s = time.perf_counter() - start
        assert read.num_rows == args.rows

        start = time.perf_counter()
        keys = rows.keys(where="label = 'attack'")
        keys_s = time.perf_counter() - start

    n = args.rows
    print(f"rows={n} batch={args.batch} files={len(prepared)}")
    print(f"plain pyarrow write: {n / plain_s:,.0f} rows/s")
    print(
        f"row table append:    {n / append_s:,.0f} rows/s "
        f"({plain_s / append_s:.2f}x plain write)"
    )
    print(f"dedup read (DuckDB): {n / read_s:,.0f} rows/s")
    print(f"keys with filter:    {len(keys) / keys_s:,.0f} keys/s")


if __name__ == "__main__":
    main()
