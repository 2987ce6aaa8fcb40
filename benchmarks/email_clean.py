"""Throughput of the phishing-email clean step on the real corpus, as a ratio to
a bare stdlib parse (`email.message_from_bytes` plus `get_payload(decode=True)`
of every leaf part) of the same raw rows, measured in the same script.

Run: .venv/bin/python benchmarks/email_clean.py [--data ../shared/data/phishing-email]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import time
from pathlib import Path

from cybench.datasets.base import FetchOptions
from cybench.datasets.phishing import SPEC


def bare_parse(rows: list[dict]) -> int:
    """Parse every message and decode its leaf parts; return the bytes decoded."""
    total = 0
    for row in rows:
        message = email.message_from_bytes(
            row["raw_bytes"], policy=email.policy.compat32
        )
        for part in message.walk():
            if not part.is_multipart():
                total += len(part.get_payload(decode=True) or b"")
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "phishing-email"
    parser.add_argument("--data", type=Path, default=default)
    args = parser.parse_args()

    raw, meta = SPEC.fetch("path", [args.data], FetchOptions())
    rows = raw.to_pylist()

    start = time.perf_counter()
    bare_parse(rows)
    bare = time.perf_counter() - start

    start = time.perf_counter()
    samples = SPEC.clean(raw, meta)
    clean = time.perf_counter() - start

    print(f"messages: {raw.num_rows}, samples: {samples.num_rows}")
    print(f"bare stdlib parse: {bare:.2f} s ({raw.num_rows / bare:.0f} msg/s)")
    print(f"SPEC.clean: {clean:.2f} s ({raw.num_rows / clean:.0f} msg/s)")
    print(f"ratio clean / bare parse: {clean / bare:.2f}x")


if __name__ == "__main__":
    main()
