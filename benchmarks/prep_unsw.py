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
    con.execute("SET enable_progress_bar = false")
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


def run_wait4(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Run a command; return (wall s, CPU s (user + system), peak RSS MiB, stdout)."""
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
        cpu = usage.ru_utime + usage.ru_stime
        return wall, cpu, usage.ru_maxrss / 1024, out.read()


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
        # A child process builds the file, so this process stays small: a child
        # forked from a large parent would report the parent's RSS as its peak.
        build = "from prep_unsw import build_file; "
        build += f"build_file({str(source)!r}, {str(big)!r})"
        subprocess.run(
            [sys.executable, "-c", build], check=True, cwd=Path(__file__).parent
        )
        print(
            f"built {big.stat().st_size / 2**20:.0f} MiB file "
            f"in {time.perf_counter() - started:.1f} s"
        )

        load = os.getloadavg()[0]
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
        duck_s, duck_cpu, duck_mb, duck_rows = run_wait4(
            [sys.executable, "-c", baseline], env
        )
        fetch_s, fetch_cpu, fetch_mb, _ = run_wait4([*cybench, "fetch", "unsw"], env)
        prep_s, prep_cpu, prep_mb, key = run_wait4([*cybench, "prep", "unsw"], env)
        again_s, again_cpu, again_mb, again_key = run_wait4(
            [*cybench, "prep", "unsw"], env
        )
        if key != again_key:
            sys.exit("second prep returned a different key")

        print(f"rows: {int(duck_rows):,}; load average before the run: {load:.1f}")
        print("step                        wall s   CPU s   peak RSS MiB")
        for name, wall, cpu, peak in (
            ("duckdb read_csv (baseline)", duck_s, duck_cpu, duck_mb),
            ("cybench fetch unsw", fetch_s, fetch_cpu, fetch_mb),
            ("cybench prep unsw", prep_s, prep_cpu, prep_mb),
            ("second identical prep", again_s, again_cpu, again_mb),
        ):
            print(f"{name:<26} {wall:8.2f} {cpu:7.1f} {peak:14.0f}")
        total, total_cpu = fetch_s + prep_s, fetch_cpu + prep_cpu
        print(
            f"prep / baseline: wall {prep_s / duck_s:.1f}x, "
            f"CPU {prep_cpu / duck_cpu:.1f}x"
        )
        print(
            f"fetch + prep / baseline: wall {total / duck_s:.1f}x, "
            f"CPU {total_cpu / duck_cpu:.1f}x"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
