"""Median wall time of `cybench --help` and `cybench STEP --help`, as a ratio
to `python -c pass` measured in the same script.

Run: .venv/bin/python benchmarks/cli_startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

CYBENCH = str(Path(sys.executable).with_name("cybench"))


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    baseline = median_seconds([sys.executable, "-c", "pass"], args.runs)
    print(f"python -c pass: {baseline:.3f} s median of {args.runs}")
    for argv in (["--help"], ["infer", "--help"], ["store", "ls", "--help"]):
        t = median_seconds([CYBENCH, *argv], args.runs)
        print(
            f"cybench {' '.join(argv)}: {t:.3f} s, {t / baseline:.1f}x python -c pass"
        )


if __name__ == "__main__":
    main()
