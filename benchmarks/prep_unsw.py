"""Time `cybench fetch` and `cybench prep` on a full-size (2.54M-row) UNSW-NB15.

The 2,540,044-row file is built in a temporary folder by stacking the published
82,332-row partition 31 times (cut to the size of the full dataset) with a small
jitter per copy (dur + copy * 1e-6 s, sbytes + copy, id renumbered), so copies
are distinct records and deduplication keeps them. Each command runs in its own
process; wall time and peak RSS come from os.wait4. The baseline is DuckDB
materialising the same CSV with its own read_csv in a fresh process.

    .venv/bin/python benchmarks/prep_unsw.py [--data ../shared/data/unsw-nb15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FULL_ROWS = 2_540_044
COPIES = 31


def build_file(source: Path, target: Path) -> None:
    """Write the stacked, jittered CSV with DuckDB (header, LF endings)."""
    import duckdb

    con = duckdb.connect()
    con.execute(
        f"""
        COPY (
            SELECT * EXCLUDE (copy) REPLACE (
                CAST(copy * 82332 + id AS BIGINT) AS id,
                round(dur + copy * 1e-6, 6) AS dur,
                sbytes + copy AS sbytes
            )
            FROM read_csv('{source}', header = true), range({COPIES}) AS r(copy)
            ORDER BY copy, id
            LIMIT {FULL_ROWS}
        ) TO '{target}' (HEADER, DELIMITER ',')
        """
    )
    con.close()


def run_wait4(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; return (wall seconds, peak RSS in MiB, stdout)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            sys.exit(f"{' '.join(argv)} failed:\n{err.read()}")
        return wall, usage.ru_maxrss / 1024, out.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=REPO.parent / "shared" / "data" / "unsw-nb15"
    )
    args = parser.parse_args()
    source = args.data / "UNSW_NB15_training-set.csv"
    cybench = [sys.executable, "-m", "cybench"]

    work = Path(tempfile.mkdtemp(prefix="cybench-bench-"))
    try:
        data = work / "data" / "unsw-nb15"
        data.mkdir(parents=True)
        big = data / "UNSW_NB15_testing-set.csv"
        started = time.perf_counter()
        build_file(source, big)
        print(
            f"built {big.stat().st_size / 2**20:.0f} MiB file in {time.perf_counter() - started:.1f} s"
        )

        env = {
            **os.environ,
            "CYBENCH_STORE": str(work / "store"),
            "CYBENCH_DATA": str(work / "data"),
        }
        baseline = (
            "import duckdb; c = duckdb.connect(); "
            "c.execute('SET enable_progress_bar = false'); "
            f"c.execute(\"CREATE TABLE t AS SELECT * FROM read_csv('{big}')\"); "
            "print(c.execute('SELECT count(*) FROM t').fetchone()[0])"
        )
        duck_s, duck_mb, duck_rows = run_wait4([sys.executable, "-c", baseline], env)
        fetch_s, fetch_mb, _ = run_wait4([*cybench, "fetch", "unsw"], env)
        prep_s, prep_mb, key = run_wait4([*cybench, "prep", "unsw"], env)
        again_s, again_mb, again_key = run_wait4([*cybench, "prep", "unsw"], env)
        if key != again_key:
            sys.exit("second prep returned a different key")

        total = fetch_s + prep_s
        print(f"rows: {int(duck_rows):,}")
        print(
            f"duckdb read_csv (baseline): {duck_s:6.1f} s  peak RSS {duck_mb:6.0f} MiB"
        )
        print(
            f"cybench fetch unsw:        {fetch_s:6.1f} s  peak RSS {fetch_mb:6.0f} MiB"
        )
        print(
            f"cybench prep unsw:         {prep_s:6.1f} s  peak RSS {prep_mb:6.0f} MiB"
        )
        print(
            f"fetch + prep:              {total:6.1f} s  = {total / duck_s:.1f}x the baseline"
        )
        print(
            f"second identical prep:     {again_s:6.2f} s  peak RSS {again_mb:6.0f} MiB"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
